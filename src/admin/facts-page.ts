import type { Request, Response, Router } from 'express';
import { localDateOf } from '../domain/calendar';
import type { WeeklyHours } from '../domain/content/schema';
import { factsToCheck, type FactView } from '../domain/fact-freshness';
import { checkableFields, correctableFields, type CheckableField } from '../domain/staff-changes/change';
import { correctedFact, StaffInputError } from '../domain/staff-changes/validation';
import { html, type Markup } from '../pages/markup';
import type { ConsolePage, PageExtra } from './console-page';
import { formField, postForm } from './form';
import { exportNote } from './html';

const FIELD_LABELS: Record<CheckableField, string> = { helpsWith: '相談できること', phone: '電話番号', hours: '受付時間', place: '場所', access: '行き方', area: '担当地域' };

const isCheckable = (name: string): name is CheckableField => (checkableFields as readonly string[]).includes(name);

/** The correction form of a phone number or hours, filled with what the bot says now. */
function correctionForm(v: FactView, csrf: string): Markup {
  const hours = v.field === 'hours' && !('unknown' in v.window.hours) ? (v.window.hours.value as WeeklyHours) : null;
  return html`<details><summary>訂正する</summary>${postForm('/admin/facts/correct', { csrf, hidden: { window: v.window.id, field: v.field } }, html`
${v.field === 'phone'
  ? html`<label>電話番号 <input type="text" name="phone" inputmode="tel" value="${'unknown' in v.window.phone ? '' : v.window.phone.value}"></label>`
  : html`<label>受付時間(案内に出す文) <input type="text" name="hoursText" value="${hours?.text ?? ''}"></label>
<label>曜日と時刻(例: mon,tue,wed,thu,fri 08:30-17:00)<input type="text" name="hoursSlots" value="${(hours?.slots ?? []).map((s) => `${(s.days ?? []).join(',')} ${s.open}-${s.close}`).join('; ')}"></label>
<label><input type="checkbox" name="closedOnHolidays" value="yes"${hours?.closedOnHolidays ? html` checked` : html``}> 祝日は休み</label>
<label><input type="checkbox" name="closedNewYear" value="yes"${hours?.closedNewYear ? html` checked` : html``}> 年末年始は休み</label>`}
<label>出典(どこで確認したか) <input type="text" name="sourceNote" maxlength="200" required></label>
<button type="submit">訂正する</button>`)}</details>`;
}

function factSection(v: FactView, csrf: string, maxAgeDays: number): Markup {
  const id = `${v.window.id}-${v.field}`;
  const correctable = (correctableFields as readonly string[]).includes(v.field);
  return html`<section aria-labelledby="${id}">
<h2 id="${id}">${v.window.name}: ${FIELD_LABELS[v.field]}</h2>
<p>${v.shown}</p>
<p class="muted">確認日 ${v.checked}(${v.ageDays}日前)${v.ageDays > maxAgeDays ? html` <strong>要確認</strong>` : html``} / 出典 ${v.source ?? 'なし'} / ${v.status} / 表の行 ${v.fact}</p>
${postForm('/admin/facts/check', { csrf, className: 'row', hidden: { window: v.window.id, field: v.field } }, html`
<label>どこで確認したか <input type="text" name="sourceNote" maxlength="200" required placeholder="例: 区のページ、電話で確認"></label><button type="submit" class="secondary">確認しました</button>`)}
${correctable ? correctionForm(v, csrf) : html``}
</section>`;
}

/** The hours as typed in the correction form ("mon,tue 08:30-17:00; sat 09:00-12:00"), for the content schema to judge. */
function hoursFromForm(req: Request): unknown {
  const slots = formField(req, 'hoursSlots')
    .split(/[;;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [days = '', times = ''] = s.split(/\s+/, 2);
      const [open = '', close = ''] = times.split(/[-〜~]/);
      return { days: days.split(',').map((d) => d.trim()), open, close };
    });
  return { text: formField(req, 'hoursText').trim(), ...(slots.length > 0 ? { slots } : {}), closedOnHolidays: formField(req, 'closedOnHolidays') === 'yes', closedNewYear: formField(req, 'closedNewYear') === 'yes' };
}

/** 情報の確認: every fact of every window with its source and check date; re-checking and correcting. */
export function factsPage(admin: Router, ctx: ConsolePage, settings: { maxAgeDays: number }): void {
  const { staff, live, now } = ctx;
  const { maxAgeDays } = settings;

  const show = (req: Request, res: Response, extra: PageExtra = {}) => {
    const csrf = ctx.csrf(req);
    const views = factsToCheck(live.view, now(), maxAgeDays);
    ctx.render(
      req,
      res,
      '情報の確認',
      html`<p>窓口ごとの情報と、その出典・最後に確認した日です。確認してから${maxAgeDays}日を過ぎたものが先に並びます。確かめたら「確認しました」を、電話番号や受付時間が変わっていたら訂正してください(内容ファイルと同じ検査をします)。</p>
${exportNote(live)}
${views.map((v) => factSection(v, csrf, maxAgeDays))}`,
      extra,
    );
  };

  admin.get('/facts', (req, res) => show(req, res));
  admin.post(
    '/facts/check',
    ctx.change(async (req, actor) => {
      const windowId = formField(req, 'window');
      const name = formField(req, 'field');
      const window = live.view.windowsById.get(windowId);
      if (!window || !isCheckable(name) || !window[name]) throw new StaffInputError('その情報は見つかりません');
      const sourceNote = formField(req, 'sourceNote').trim();
      if (!sourceNote) throw new StaffInputError('どこで確認したかを書いてください');
      const today = localDateOf(now());
      const previous = live.staffChanges.factChecks.find((c) => c.window === windowId && c.field === name);
      // A re-check keeps an earlier correction and gives it the new date.
      const value = previous?.value ? { ...(previous.value as object), checked: today } : null;
      await staff.content.putFactCheck({ window: windowId, field: name, checked: today, by: actor, sourceNote, value, at: now().getTime() });
      return `${window.name} の${FIELD_LABELS[name]}を「確認しました」にしました(${today})。`;
    }, show, '/admin/facts'),
  );
  admin.post(
    '/facts/correct',
    ctx.change(async (req, actor) => {
      const windowId = formField(req, 'window');
      const name = formField(req, 'field');
      if (name !== 'phone' && name !== 'hours') throw new StaffInputError('訂正できるのは電話番号と受付時間です');
      const today = localDateOf(now());
      const sourceNote = formField(req, 'sourceNote').trim();
      if (!sourceNote) throw new StaffInputError('どこで確認したかを書いてください');
      const value = name === 'phone' ? formField(req, 'phone').trim() : hoursFromForm(req);
      const fact = correctedFact(live.view, windowId, name, { value, by: actor, sourceNote, today });
      await staff.content.putFactCheck({ window: windowId, field: name, checked: today, by: actor, sourceNote, value: fact, at: now().getTime() });
      return `${live.view.windowsById.get(windowId)?.name ?? windowId} の${FIELD_LABELS[name]}を訂正しました。`;
    }, show, '/admin/facts'),
  );
}
