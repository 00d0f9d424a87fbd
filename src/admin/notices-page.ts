import type { Request, Response, Router } from 'express';
import { localDateOf } from '../domain/calendar';
import { NOTICE_MAX_LENGTH } from '../domain/content/limits';
import { NOTICES_SHOWN } from '../domain/notice-lines';
import { applyStaffChanges } from '../domain/staff-changes/merge-over-content';
import { checkNotice, StaffInputError } from '../domain/staff-changes/validation';
import { replyPastLineLimits } from '../line/notice-fit';
import { html } from '../pages/markup';
import type { ConsolePage, PageExtra } from './console-page';
import { formField, formFields, postForm } from './form';

/** お知らせ: notices shown above the bot's answers while they run; adding one and ending one. */
export function noticesPage(admin: Router, ctx: ConsolePage): void {
  const { staff, live, now } = ctx;

  const show = (req: Request, res: Response, extra: PageExtra = {}) => {
    const defs = live.view;
    const today = localDateOf(now());
    const csrf = ctx.csrf(req);
    const notices = live.staffChanges.notices.filter((n) => n.endsOn >= today);
    const names = (ids: string[]) => (ids.length === 0 ? 'すべての案内' : ids.map((id) => defs.windowsById.get(id)?.name ?? id).join('、'));
    ctx.render(
      req,
      res,
      'お知らせ',
      html`<p>お知らせは、表示期間のあいだ、ボットの案内の上に出ます(休館・移転・受付時間の変更など)。期間が過ぎると自動で出なくなります。</p>
<p class="muted">ひとつの案内の上に出るのは、新しいお知らせ${NOTICES_SHOWN}件までです。それより多いときは「ほかのお知らせが あと○件あります」と件数だけが出ます。</p>
<section aria-labelledby="add-notice">
<h2 id="add-notice">お知らせを追加する</h2>
${postForm('/admin/notices/add', { csrf }, html`
<label>お知らせの文(${NOTICE_MAX_LENGTH}文字まで) <textarea name="text" rows="3" maxlength="${NOTICE_MAX_LENGTH}" required></textarea></label>
<div class="row">
<label>表示開始日 <input type="date" name="startsOn" value="${today}"></label>
<label>表示終了日 <input type="date" name="endsOn" required></label>
</div>
<fieldset><legend>出す窓口(選ばなければ、すべての案内に出ます)</legend>
${defs.content.windows.map((w) => html`<label><input type="checkbox" name="windows" value="${w.id}"> ${w.name}</label>`)}
</fieldset>
<button type="submit">追加する</button>
`)}
</section>
<h2>表示中・表示予定のお知らせ</h2>
${notices.length === 0 ? html`<p class="muted">ありません。</p>` : html``}
${notices.map(
  (n) => html`<section><p>${n.text}</p><p class="muted">${n.startsOn} 〜 ${n.endsOn} / ${names(n.windows)} / ${n.by}</p>
${postForm('/admin/notices/remove', { csrf, className: 'inline', hidden: { id: n.id } }, html`<button type="submit" class="danger">このお知らせを終える</button>`)}</section>`,
)}`,
      extra,
    );
  };

  admin.get('/notices', (req, res) => show(req, res));
  admin.post(
    '/notices/add',
    ctx.change(async (req, actor) => {
      const notice = checkNotice(live.view, { text: formField(req, 'text'), startsOn: formField(req, 'startsOn'), endsOn: formField(req, 'endsOn'), windows: formFields(req, 'windows') }, now());
      const added = { ...notice, id: 'new', by: actor, at: now().getTime() };
      // Ordered as the store returns them (first day, then when written), so the same two are shown.
      const notices = [...live.staffChanges.notices, added].sort((a, b) => (a.startsOn === b.startsOn ? a.at - b.at : a.startsOn < b.startsOn ? -1 : 1));
      const tooLong = replyPastLineLimits(applyStaffChanges(live.base, { ...live.staffChanges, notices }), notice.startsOn, notice.endsOn);
      if (tooLong) {
        throw new StaffInputError(
          `このお知らせを加えると、${tooLong.date} の「${tooLong.node}」の案内が、LINEで送れる長さ(${tooLong.max}文字)を超えてしまいます(${tooLong.length}文字)。お知らせの文を短くするか、同じ時期のほかのお知らせを終えてから、もう一度お試しください。`,
        );
      }
      await staff.content.addNotice({ ...notice, by: actor, at: added.at });
      return `お知らせを追加しました(${notice.startsOn} 〜 ${notice.endsOn})。`;
    }, show, '/admin/notices'),
  );
  admin.post(
    '/notices/remove',
    ctx.change(async (req, actor) => {
      if (!(await staff.content.removeNotice(formField(req, 'id'), actor, now().getTime()))) throw new StaffInputError('そのお知らせは見つかりません(もう終わっています)');
      return 'お知らせを終えました。';
    }, show, '/admin/notices'),
  );
}
