import { ibashoLines } from '../../src/domain/render-reply';
import { nextIbasho } from '../../src/domain/ibasho-schedule';
import { reminderSlots } from '../../src/domain/reminder-schedule';
import { ibashoFile } from '../../src/domain/content/schema';
import { factsToCheck } from '../../src/domain/fact-freshness';
import { ibashoOverview } from '../../src/domain/ibasho-overview';
import { noStaffChanges, type StaffChanges } from '../../src/domain/staff-changes/change';
import { activeNotices, applyStaffChanges } from '../../src/domain/staff-changes/merge-over-content';
import { checkCancel, checkMove, checkPublish, correctedFact, StaffInputError } from '../../src/domain/staff-changes/validation';
import { projectDefinitions, staffIbashoDate } from '../support/fixtures';

const base = projectDefinitions();
const NOW = new Date('2026-12-01T03:00:00Z'); // 12:00 in Tokyo
const AT = NOW.getTime();

const withChanges = (over: Partial<StaffChanges>) => applyStaffChanges(base, { ...noStaffChanges, version: 1, ...over });
const text = (lines: { text: string }[]) => lines.map((l) => l.text).join('\n');

describe('the staff layer merged into Definitions', () => {
  test('without staff changes the bot shows the rule candidates as 予定', () => {
    expect(text(ibashoLines(base, NOW))).toContain('予定');
  });

  test('a published date is a confirmed fact: shown without 予定, with its own times and note', () => {
    const defs = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22', start: '14:00', end: '16:00', note: '本館5階 会議室' })] });
    const shown = text(ibashoLines(defs, NOW));
    expect(shown).not.toContain('予定');
    expect(shown).toContain('12月22日');
    expect(shown).toContain('14:00〜16:00');
    expect(shown).toContain('本館5階 会議室');
    expect(nextIbasho({ rule: defs.content.ibasho.rule.value, dates: defs.content.ibasho.dates }, NOW)).toMatchObject({ confirmed: true, dates: ['2026-12-22'] });
    expect(base.content.ibasho.dates).toEqual([]);
  });

  test('a published date gets reminders at its own start; a computed candidate does not', () => {
    const defs = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22', start: '14:00' })] });
    const schedule = { rule: defs.content.ibasho.rule.value, dates: defs.content.ibasho.dates };
    const dayBefore = reminderSlots(schedule, defs.content.ibasho.reminders, new Date('2026-12-21T09:00:00Z'));
    expect(dayBefore.due.map((s) => [s.eventDate, s.kind, s.start])).toEqual([['2026-12-22', 'day-before', '14:00']]);
    const none = reminderSlots({ rule: base.content.ibasho.rule.value, dates: [] }, base.content.ibasho.reminders, new Date('2026-12-21T09:00:00Z'));
    expect(none.due).toEqual([]);
  });

  test('a cancelled date is said so; a moved date names both days', () => {
    const cancelled = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22', status: 'cancelled' }), staffIbashoDate({ date: '2027-01-24' })] });
    expect(text(ibashoLines(cancelled, NOW))).toMatch(/12月22日.*お休み/);
    const moved = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22', status: 'moved', movedTo: '2026-12-23' })] });
    const shown = text(ibashoLines(moved, NOW));
    expect(shown).toContain('12月22日');
    expect(shown).toContain('12月23日');
  });

  test('cancelling the new day of a moved date cancels it', () => {
    const defs = withChanges({
      ibashoDates: [staffIbashoDate({ date: '2026-12-22', status: 'moved', movedTo: '2026-12-23' }), staffIbashoDate({ date: '2026-12-23', status: 'cancelled' })],
    });
    const shown = text(ibashoLines(defs, NOW));
    expect(shown).toContain('12月23日(水)の回は お休みです');
    expect(shown).not.toMatch(/次回は 12月23日/);
  });

  test('notices run from their first to their last day, for their windows or for every answer', () => {
    const defs = withChanges({
      notices: [
        { id: 'a', text: '年末年始はお休みです', startsOn: '2026-12-01', endsOn: '2026-12-31', windows: [], by: 'tanaka', at: AT },
        { id: 'b', text: '電話がつながりにくくなっています', startsOn: '2026-12-01', endsOn: '2026-12-01', windows: ['kurashi'], by: 'tanaka', at: AT },
        { id: 'c', text: 'まだ先のお知らせ', startsOn: '2027-01-05', endsOn: '2027-01-31', windows: [], by: 'tanaka', at: AT },
      ],
    });
    expect(activeNotices(defs, ['kurashi'], NOW).map((n) => n.id)).toEqual(['a', 'b']);
    expect(activeNotices(defs, ['hokenyobo'], NOW).map((n) => n.id)).toEqual(['a']);
    expect(activeNotices(defs, ['kurashi'], new Date('2026-12-02T03:00:00Z')).map((n) => n.id)).toEqual(['a']);
    expect(activeNotices(defs, ['kurashi'], new Date('2027-02-01T03:00:00Z'))).toEqual([]);
  });

  test('a re-checked fact gets the new check date; a corrected one its new value', () => {
    const window = base.content.windows.find((w) => !('unknown' in w.phone))!;
    const phone = correctedFact(base, window.id, 'phone', { value: '03-3715-1111', by: 'tanaka', sourceNote: '電話で確認', today: '2026-12-01' });
    const defs = withChanges({
      factChecks: [
        { window: window.id, field: 'helpsWith', checked: '2026-12-01', by: 'tanaka', sourceNote: '区のページ', value: null, at: AT },
        { window: window.id, field: 'phone', checked: '2026-12-01', by: 'tanaka', sourceNote: '電話で確認', value: phone, at: AT },
      ],
    });
    const merged = defs.windowsById.get(window.id)!;
    expect(merged.helpsWith.checked).toBe('2026-12-01');
    expect(merged.phone).toMatchObject({ value: '03-3715-1111', checked: '2026-12-01', status: 'confirmed', source: '電話で確認' });
  });

  test('a correction goes through the content schema, with the same messages as content:check', () => {
    const window = base.content.windows[0]!;
    expect(() => correctedFact(base, window.id, 'phone', { value: '03-1234', by: 'tanaka', sourceNote: 'x', today: '2026-12-01' })).toThrow(
      /content\/windows\.yaml: windows\[0\]\.phone(\.value)?: not a Japanese phone number/,
    );
    expect(() => correctedFact(base, window.id, 'hours', { value: { text: '平日', slots: [{ days: ['mon'], open: '9:00', close: '17:00' }] }, by: 't', sourceNote: 'x', today: '2026-12-01' })).toThrow(
      /write a time as "HH:MM"/,
    );
  });

  test('facts older than 180 days come first', () => {
    const views = factsToCheck(base, new Date('2027-07-01T03:00:00Z'), 180);
    expect(views[0]!.ageDays).toBeGreaterThan(180);
    const fresh = factsToCheck(base, NOW, 180);
    expect(fresh.every((v) => v.ageDays <= 180)).toBe(true);
  });
});

describe('checks of a staff edit (console and CLI)', () => {
  test('publish: past, malformed, impossible and duplicate dates are refused in Japanese', () => {
    expect(() => checkPublish(base, { date: '2026-11-30' }, NOW)).toThrow('もう過ぎています');
    expect(() => checkPublish(base, { date: '2026/12/22' }, NOW)).toThrow('YYYY-MM-DD');
    expect(() => checkPublish(base, { date: '2026-02-30' }, NOW)).toThrow('実在する日付');
    expect(() => checkPublish(base, { date: '2026-12-22', start: '16:30', end: '13:30' }, NOW)).toThrow('より後に');
    const defs = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22' })] });
    expect(() => checkPublish(defs, { date: '2026-12-22' }, NOW)).toThrow('すでに開催日');
    expect(checkPublish(base, { date: '2026-12-22' }, NOW)).toEqual({ date: '2026-12-22', start: '13:30', end: '16:30', note: null });
    expect(() => checkPublish(base, { date: '2026-12-22' }, NOW)).not.toThrow(StaffInputError);
  });

  test('a note is held to the limit content/ibasho.yaml has, counted the same way (an emoji is one character)', () => {
    const accepted = (note: string) => ibashoFile.safeParse({ ...base.content.ibasho, dates: [{ date: '2026-12-22', status: 'held', note, source: 's', checked: '2026-12-01' }] }).success;
    for (const note of ['部'.repeat(60), '🏠'.repeat(60)]) {
      expect(checkPublish(base, { date: '2026-12-22', note }, NOW).note).toBe(note);
      expect(accepted(note)).toBe(true);
    }
    for (const note of ['部'.repeat(61), '🏠'.repeat(61)]) {
      expect(() => checkPublish(base, { date: '2026-12-22', note }, NOW)).toThrow('メモは60文字までにしてください');
      expect(accepted(note)).toBe(false);
    }
  });

  test('cancel and move', () => {
    expect(checkCancel(base, '2026-12-22', NOW)).toBe('2026-12-22');
    const cancelled = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22', status: 'cancelled' })] });
    expect(() => checkCancel(cancelled, '2026-12-22', NOW)).toThrow('すでに中止');
    expect(() => checkMove(base, '2026-12-22', '2026-12-22', NOW)).toThrow('同じ');
    const held = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-27' })] });
    expect(() => checkMove(held, '2026-12-22', '2026-12-27', NOW)).toThrow('すでに開催日');
  });

  test('the overview lists 12 months with the rule candidates and explicit dates', () => {
    const defs = withChanges({ ibashoDates: [staffIbashoDate({ date: '2026-12-22' })] });
    const months = ibashoOverview(defs, NOW);
    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({ month: '2026-12', candidates: ['2026-12-22', '2026-12-27'] });
    expect(months[0]!.dates.map((d) => d.date)).toEqual(['2026-12-22']);
  });
});
