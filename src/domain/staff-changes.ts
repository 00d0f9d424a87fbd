import type { z } from 'zod';
import { addMonths, localDateOf, tokyoInstant, tokyoTime, type LocalDate } from './calendar';
import { windowSchema, type IbashoDateOverride, type SupportWindow } from './content/schema';
import { formatPath, type Definitions } from './definitions';
import { nextIbasho, occurrences } from './ibasho-schedule';
import { utf16Length } from './text-units';

/**
 * What ward staff changed in the console or the CLI, kept in the store as a layer over content/. The
 * pure core merges it into Definitions: nothing here does I/O.
 */
export interface StaffIbashoDate {
  date: LocalDate;
  status: 'held' | 'cancelled' | 'moved';
  movedTo: LocalDate | null;
  start: string | null;
  end: string | null;
  note: string | null;
  by: string;
  /** When the row was last changed (epoch ms). */
  at: number;
}

export interface Notice {
  id: string;
  text: string;
  startsOn: LocalDate;
  endsOn: LocalDate;
  /** Window ids the notice is shown above; empty for every answer. */
  windows: string[];
}

export interface StaffNotice extends Notice {
  by: string;
  at: number;
}

export const checkableFields = ['helpsWith', 'phone', 'hours', 'place', 'access', 'area'] as const;
export type CheckableField = (typeof checkableFields)[number];
/** The fields staff may correct (the others only re-check): the ones people act on. */
export const correctableFields = ['phone', 'hours'] as const;

export interface StaffFactCheck {
  window: string;
  field: CheckableField;
  checked: LocalDate;
  by: string;
  /** Where staff checked it (a URL, 「電話で確認」…). */
  sourceNote: string;
  /** A corrected value (the whole fact, validated by the content schema), or null when only re-checked. */
  value: unknown;
  at: number;
}

export interface StaffChanges {
  version: number;
  ibashoDates: StaffIbashoDate[];
  notices: StaffNotice[];
  factChecks: StaffFactCheck[];
}

export const noStaffChanges: StaffChanges = { version: 0, ibashoDates: [], notices: [], factChecks: [] };

export const STAFF_SOURCE = '目黒区職員による登録';

/** A staff date as an override of content/ibasho.yaml `dates`. */
export function toOverride(entry: StaffIbashoDate): IbashoDateOverride {
  const provenance = { source: `${STAFF_SOURCE}(${entry.by})`, checked: localDateOf(new Date(entry.at)) };
  const details = { ...(entry.start ? { start: entry.start } : {}), ...(entry.end ? { end: entry.end } : {}), ...(entry.note ? { note: entry.note } : {}) };
  if (entry.status === 'cancelled') return { date: entry.date, status: 'cancelled', ...provenance };
  if (entry.status === 'moved') return { date: entry.date, status: 'moved', movedTo: entry.movedTo!, ...details, ...provenance };
  return { date: entry.date, status: 'held', ...details, ...provenance };
}

/** content/ dates with the staff's: a staff row for the same day replaces the content one. */
export function mergedIbashoDates(contentDates: IbashoDateOverride[], staff: StaffIbashoDate[]): IbashoDateOverride[] {
  const staffDays = new Set(staff.map((d) => d.date));
  return [...contentDates.filter((d) => !staffDays.has(d.date)), ...staff.map(toOverride)].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The window with a fact re-checked or corrected; null if the window or field does not exist. */
function applyFactCheck(window: SupportWindow, check: StaffFactCheck): SupportWindow {
  const current = window[check.field] as Record<string, unknown> | undefined;
  if (check.value !== null && check.value !== undefined) {
    return { ...window, [check.field]: check.value } as SupportWindow;
  }
  if (!current) return window;
  return { ...window, [check.field]: { ...current, checked: check.checked } } as SupportWindow;
}

/** Definitions with the staff's layer merged in: dates, notices, re-checked and corrected facts. */
export function applyStaffChanges(base: Definitions, changes: StaffChanges): Definitions {
  if (changes.ibashoDates.length === 0 && changes.notices.length === 0 && changes.factChecks.length === 0) return base;
  const checksByWindow = new Map<string, StaffFactCheck[]>();
  for (const check of changes.factChecks) checksByWindow.set(check.window, [...(checksByWindow.get(check.window) ?? []), check]);
  const windows = base.content.windows.map((window) => (checksByWindow.get(window.id) ?? []).reduce(applyFactCheck, window));
  const content = {
    ...base.content,
    windows,
    ibasho: { ...base.content.ibasho, dates: mergedIbashoDates(base.content.ibasho.dates, changes.ibashoDates) },
  };
  const notices = changes.notices.map(({ id, text, startsOn, endsOn, windows: ids }) => ({ id, text, startsOn, endsOn, windows: ids }));
  return { ...base, content, windowsById: new Map(windows.map((w) => [w.id, w])), notices };
}

/** The notices running on `now`'s Tokyo date for an answer showing these windows (all-answer ones included). */
export function activeNotices(defs: Definitions, windowIds: readonly string[], now: Date): Notice[] {
  const today = localDateOf(now);
  return defs.notices.filter((n) => n.startsOn <= today && today <= n.endsOn && (n.windows.length === 0 || n.windows.some((w) => windowIds.includes(w))));
}

// ---- Checks of a staff edit, shared by the console and the CLI. Messages are for staff, in Japanese. ----

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function isRealDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

export class StaffInputError extends Error {
  override name = 'StaffInputError';
}

export interface PublishInput {
  date: string;
  start?: string | undefined;
  end?: string | undefined;
  note?: string | undefined;
}

function checkDate(date: string, today: LocalDate, what = '日付'): void {
  if (!isRealDate(date)) throw new StaffInputError(`${what}「${date}」は YYYY-MM-DD の形で、実在する日付を書いてください(例: 2027-01-24)`);
  if (date < today) throw new StaffInputError(`${what} ${date} はもう過ぎています`);
}

/** Validates a date to publish against the current schedule; returns the normalised times and note. */
export function checkPublish(defs: Definitions, input: PublishInput, now: Date): { date: LocalDate; start: string; end: string; note: string | null } {
  const today = localDateOf(now);
  checkDate(input.date, today);
  const rule = defs.content.ibasho.rule.value;
  const start = input.start?.trim() || rule.start;
  const end = input.end?.trim() || rule.end;
  if (!TIME.test(start)) throw new StaffInputError(`開始時刻「${start}」は HH:MM の形で書いてください(例: 13:30)`);
  if (!TIME.test(end)) throw new StaffInputError(`終了時刻「${end}」は HH:MM の形で書いてください(例: 16:30)`);
  if (end <= start) throw new StaffInputError(`終了時刻 ${end} は開始時刻 ${start} より後にしてください`);
  const note = input.note?.trim() || null;
  if (note && [...note].length > 60) throw new StaffInputError('メモは60文字までにしてください');
  const existing = defs.content.ibasho.dates.find((d) => d.date === input.date || (d.status === 'moved' && d.movedTo === input.date));
  if (existing && existing.status !== 'cancelled') throw new StaffInputError(`${input.date} はすでに開催日として登録されています`);
  return { date: input.date, start, end, note };
}

/** A date that can be cancelled: a published date or a computed candidate, not yet past. */
export function checkCancel(defs: Definitions, date: string, now: Date): LocalDate {
  checkDate(date, localDateOf(now));
  const existing = defs.content.ibasho.dates.find((d) => d.date === date);
  if (existing?.status === 'cancelled') throw new StaffInputError(`${date} はすでに中止として登録されています`);
  return date;
}

export function checkMove(defs: Definitions, date: string, to: string, now: Date): { date: LocalDate; to: LocalDate } {
  const today = localDateOf(now);
  checkDate(date, today, '元の日付');
  checkDate(to, today, '変更後の日付');
  if (date === to) throw new StaffInputError('変更後の日付が元の日付と同じです');
  const dates = defs.content.ibasho.dates;
  const from = dates.find((d) => d.date === date);
  if (from?.status === 'cancelled') throw new StaffInputError(`${date} は中止として登録されています`);
  if (from?.status === 'moved') throw new StaffInputError(`${date} はすでに ${from.movedTo} に変更されています`);
  if (dates.some((d) => d.status !== 'cancelled' && (d.date === to || (d.status === 'moved' && d.movedTo === to))))
    throw new StaffInputError(`${to} はすでに開催日として登録されています`);
  return { date, to };
}

/** The next 12 months: each month's rule candidates and every explicit date, for the console and `ibasho list`. */
export interface MonthOverview {
  month: string;
  candidates: LocalDate[];
  dates: IbashoDateOverride[];
}

export function ibashoOverview(defs: Definitions, now: Date, months = 12): MonthOverview[] {
  const { rule, dates } = defs.content.ibasho;
  const first = localDateOf(now).slice(0, 7);
  const computed = occurrences({ rule: rule.value, dates: [] }, first);
  return Array.from({ length: months }, (_, i) => {
    const month = addMonths(first, i);
    return {
      month,
      candidates: computed.filter((o) => o.dates[0]!.startsWith(month)).flatMap((o) => o.dates),
      dates: dates.filter((d) => d.date.startsWith(month) || (d.status === 'moved' && d.movedTo.startsWith(month))),
    };
  });
}

// ---- Fact checks ----

export interface FactView {
  window: SupportWindow;
  field: CheckableField;
  fact: string;
  checked: string;
  source: string | null;
  status: string;
  shown: string;
  ageDays: number;
}

const DAY_MS = 86_400_000;

/** Every fact of every window, the oldest check first when it is older than `maxAgeDays`. */
export function factsToCheck(defs: Definitions, now: Date, maxAgeDays = 180): FactView[] {
  const todayMs = Date.parse(`${localDateOf(now)}T00:00:00Z`);
  const views: FactView[] = [];
  for (const window of defs.content.windows) {
    for (const field of checkableFields) {
      const fact = window[field] as Record<string, unknown> | undefined;
      if (!fact) continue;
      const value = fact.value as unknown;
      const shown = 'unknown' in fact ? '(不明)' : typeof value === 'string' ? value : String((value as { text?: string }).text ?? '');
      views.push({
        window,
        field,
        fact: String(fact.fact),
        checked: String(fact.checked),
        source: typeof fact.source === 'string' ? fact.source : null,
        status: 'unknown' in fact ? 'unknown' : String(fact.status),
        shown,
        ageDays: Math.floor((todayMs - Date.parse(`${String(fact.checked)}T00:00:00Z`)) / DAY_MS),
      });
    }
  }
  const stale = (v: FactView) => v.ageDays > maxAgeDays;
  return views.sort((a, b) => Number(stale(b)) - Number(stale(a)) || (stale(a) ? b.ageDays - a.ageDays : 0));
}

/**
 * A corrected phone number or hours, validated by the same zod schema as content:check (same
 * messages). Returns the fact to store, or throws StaffInputError listing the problems.
 */
export function correctedFact(defs: Definitions, windowId: string, field: (typeof correctableFields)[number], input: { value: unknown; by: string; sourceNote: string; today: LocalDate }): unknown {
  const index = defs.content.windows.findIndex((w) => w.id === windowId);
  const window = defs.content.windows[index];
  if (!window) throw new StaffInputError(`窓口「${windowId}」はありません`);
  const previous = window[field] as { fact: string };
  const candidate = { value: input.value, fact: previous.fact, source: input.sourceNote || `${STAFF_SOURCE}(${input.by})`, checked: input.today, status: 'confirmed' };
  const schema = windowSchema.shape[field] as z.ZodType;
  const result = schema.safeParse(candidate);
  if (!result.success) {
    throw new StaffInputError(result.error.issues.map((issue) => `content/windows.yaml: ${formatPath(['windows', index, field, ...issue.path])}: ${issue.message}`).join('\n'));
  }
  return result.data;
}

// ---- Notices ----

/** In LINE's unit, UTF-16 code units (an emoji counts two), like every limit of the reply it goes into. */
export const NOTICE_MAX_LENGTH = 200;

/** A notice to add: text, first and last day (today or later, in order), and known windows (none = every answer). */
export function checkNotice(defs: Definitions, input: { text: string; startsOn: string; endsOn: string; windows: string[] }, now: Date): Omit<Notice, 'id'> {
  const text = input.text.trim().replace(/\r\n/g, '\n');
  if (!text) throw new StaffInputError('お知らせの文を書いてください');
  const length = utf16Length(text);
  if (length > NOTICE_MAX_LENGTH) {
    throw new StaffInputError(`お知らせは${NOTICE_MAX_LENGTH}文字までにしてください(いまは${length}文字です。絵文字や一部の漢字は、LINEでは1文字を2文字と数えます)`);
  }
  const today = localDateOf(now);
  const startsOn = input.startsOn.trim() || today;
  if (!isRealDate(startsOn)) throw new StaffInputError(`表示開始日「${startsOn}」は YYYY-MM-DD の形で、実在する日付を書いてください`);
  if (!isRealDate(input.endsOn)) throw new StaffInputError(`表示終了日「${input.endsOn}」は YYYY-MM-DD の形で、実在する日付を書いてください`);
  if (input.endsOn < today) throw new StaffInputError(`表示終了日 ${input.endsOn} はもう過ぎています`);
  if (input.endsOn < startsOn) throw new StaffInputError('表示終了日は表示開始日と同じか、それより後にしてください');
  const unknown = input.windows.filter((id) => !defs.windowsById.has(id));
  if (unknown.length > 0) throw new StaffInputError(`窓口「${unknown.join('、')}」はありません`);
  return { text, startsOn, endsOn: input.endsOn, windows: [...new Set(input.windows)] };
}

// ---- "The next date is decided" push ----

/** Pushes are never sent between 21:00 and 08:00 (Tokyo); what comes due then waits for the morning. */
export function inPushHours(now: Date): boolean {
  const { hour } = tokyoTime(now);
  return hour >= 8 && hour < 21;
}

export interface DecidedAnnouncement {
  slotKey: string;
  eventDate: LocalDate;
  eventStart: number;
  start: string;
  end: string;
  note?: string;
  movedFrom?: LocalDate;
  /** Only people subscribed when staff published the date: later ones saw it in their reply. */
  subscribedBy: number;
}

/**
 * The one push for the next いばしょ date when staff published it (or moved it there), due from the
 * moment it is published until it starts, inside push hours. Its slot key makes it once per date.
 */
export function decidedAnnouncement(defs: Definitions, staffDates: readonly StaffIbashoDate[], now: Date): DecidedAnnouncement | null {
  if (!inPushHours(now)) return null;
  const { ibasho } = defs.content;
  const next = nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
  if (!next?.confirmed || next.phase !== 'upcoming') return null;
  const date = next.dates[0]!;
  const row = staffDates.find((d) => (d.status === 'held' && d.date === date) || (d.status === 'moved' && d.movedTo === date));
  if (!row) return null;
  return {
    slotKey: `decided:${date}`,
    eventDate: date,
    eventStart: tokyoInstant(date, next.start),
    start: next.start,
    end: next.end,
    ...(next.note ? { note: next.note } : {}),
    ...(next.movedFrom ? { movedFrom: next.movedFrom } : {}),
    subscribedBy: row.at,
  };
}
