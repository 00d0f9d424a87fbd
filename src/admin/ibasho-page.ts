import type { Request, Response, Router } from 'express';
import { IBASHO_NOTE_MAX_LENGTH } from '../domain/content/limits';
import type { IbashoDateOverride, IbashoRule } from '../domain/content/schema';
import { ibashoOverview, type MonthOverview } from '../domain/ibasho-overview';
import { STAFF_SOURCE } from '../domain/staff-changes/change';
import { html, type Markup } from '../pages/markup';
import { cancelIbashoDate, moveIbashoDate, noteIbashoDate, publishIbashoDate } from '../usecases/staff-operations';
import type { ConsolePage, PageExtra } from './console-page';
import { formField, monthTitle, postForm } from './form';
import { exportNote } from './html';

const fromStaff = (source: string) => source.startsWith(STAFF_SOURCE);

/** One explicit date of a month, with its buttons: cancel, move, and (for a date staff published) its note. */
function dateItem(d: IbashoDateOverride, rule: IbashoRule, csrf: string): Markup {
  const who = fromStaff(d.source) ? '管理画面' : 'content/';
  if (d.status === 'cancelled') return html`<li><span class="tag cancelled">中止</span> ${d.date}(${who})</li>`;
  const day = d.status === 'moved' ? d.movedTo : d.date;
  const times = `${d.start ?? rule.start}〜${d.end ?? rule.end}`;
  const head =
    d.status === 'moved'
      ? html`<span class="tag moved">変更</span> ${d.date} → <strong>${d.movedTo}</strong> ${times}`
      : html`<span class="tag held">公開中</span> <strong>${d.date}</strong> ${times}`;
  const staffControls = fromStaff(d.source)
    ? html`
${postForm('/admin/ibasho/note', { csrf, className: 'row', hidden: { date: d.date } }, html`
<label>メモ(部屋など) <input type="text" name="note" maxlength="${IBASHO_NOTE_MAX_LENGTH}" value="${d.note ?? ''}"></label><button type="submit" class="secondary">メモを保存</button>`)}`
    : html``;
  return html`<li>${head} ${d.note ? html`<span class="muted">${d.note}</span>` : html``}(${who})
${postForm('/admin/ibasho/cancel', { csrf, className: 'inline', hidden: { date: day } }, html`<button type="submit" class="danger">${day} を中止にする</button>`)}
${postForm('/admin/ibasho/move', { csrf, className: 'row', hidden: { date: day } }, html`
<label>別の日に変更 <input type="date" name="to" required></label><button type="submit" class="secondary">変更する</button>`)}${staffControls}</li>`;
}

/** A month: its rule candidates, its explicit dates, and (while none is held) the candidates to publish. */
function monthSection(month: MonthOverview, rule: IbashoRule, csrf: string): Markup {
  const explicitDays = new Set(month.dates.flatMap((d) => [d.date, ...(d.status === 'moved' ? [d.movedTo] : [])]));
  const candidates = month.candidates.filter((d) => !explicitDays.has(d));
  const scheduled = month.dates.some((d) => d.status !== 'cancelled');
  return html`<section aria-labelledby="m-${month.month}">
<h2 id="m-${month.month}">${monthTitle(month.month)}</h2>
<p class="muted">規則による候補日: ${month.candidates.join('、') || 'なし'}</p>
<ul>
${month.dates.map((d) => dateItem(d, rule, csrf))}
${!scheduled
  ? candidates.map(
      (d) => html`<li><span class="tag planned">予定(未確定)</span> ${d}
${postForm('/admin/ibasho/publish', { csrf, className: 'inline', hidden: { date: d } }, html`<button type="submit">${d} に開催として公開</button>`)}</li>`,
    )
  : html``}
</ul>
</section>`;
}

/** めぐろのいばしょ 開催日: the next 12 months, and publishing, cancelling, moving and noting dates. */
export function ibashoPage(admin: Router, ctx: ConsolePage): void {
  const { staff, live, now } = ctx;

  const show = (req: Request, res: Response, extra: PageExtra = {}) => {
    const defs = live.view;
    const rule = defs.content.ibasho.rule.value;
    const months = ibashoOverview(defs, now());
    const csrf = ctx.csrf(req);
    ctx.render(
      req,
      res,
      'めぐろのいばしょ 開催日',
      html`<p>公開した日は、ボットが「予定」ではなく確定した開催日として案内し、登録した人にリマインドが届きます。公開していない月は、規則による候補日を「予定」として案内します。</p>
${exportNote(live)}
<section aria-labelledby="publish">
<h2 id="publish">開催日を公開する</h2>
${postForm('/admin/ibasho/publish', { csrf }, html`
<div class="row">
<label>日付 <input type="date" name="date" required></label>
<label>開始 <input type="time" name="start" value="${rule.start}"></label>
<label>終了 <input type="time" name="end" value="${rule.end}"></label>
</div>
<label>メモ(部屋など、${IBASHO_NOTE_MAX_LENGTH}文字まで) <input type="text" name="note" maxlength="${IBASHO_NOTE_MAX_LENGTH}"></label>
<button type="submit">公開する</button>
`)}
</section>
${months.map((month) => monthSection(month, rule, csrf))}`,
      extra,
    );
  };

  admin.get('/ibasho', (req, res) => show(req, res));
  admin.post(
    '/ibasho/publish',
    ctx.change(async (req, actor) => {
      const entry = await publishIbashoDate(staff, live.view, { date: formField(req, 'date'), start: formField(req, 'start'), end: formField(req, 'end'), note: formField(req, 'note') }, actor, now());
      return `${entry.date} ${entry.start}〜${entry.end} を公開しました。数秒でボットの案内に出ます。`;
    }, show, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/cancel',
    ctx.change(async (req, actor) => {
      const entry = await cancelIbashoDate(staff, live.view, formField(req, 'date'), actor, now());
      return `${entry.date} を中止にしました。`;
    }, show, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/move',
    ctx.change(async (req, actor) => {
      const entry = await moveIbashoDate(staff, live.view, formField(req, 'date'), formField(req, 'to'), actor, now());
      return `${entry.date} の回を ${entry.movedTo} に変更しました。`;
    }, show, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/note',
    ctx.change(async (req, actor) => {
      const entry = await noteIbashoDate(staff, formField(req, 'date'), formField(req, 'note'), actor, now());
      return `${entry.date} のメモを保存しました。`;
    }, show, '/admin/ibasho'),
  );
}
