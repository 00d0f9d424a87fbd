/** Checks of a staff edit, shared by the console and the CLI. Messages are for staff, in Japanese. */
import type { z } from 'zod';
import { localDateOf, type LocalDate } from '../calendar';
import { IBASHO_NOTE_MAX_LENGTH, NOTICE_MAX_LENGTH } from '../content/limits';
import { windowSchema } from '../content/schema';
import { formatPath, type Definitions } from '../definitions';
import { utf16Length } from '../text-units';
import { STAFF_SOURCE, type correctableFields, type Notice } from './change';

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

/** A date's note trimmed (null when empty), within the limit content/ibasho.yaml has. */
export function checkNote(note: string | undefined): string | null {
  const trimmed = note?.trim() || null;
  if (trimmed && [...trimmed].length > IBASHO_NOTE_MAX_LENGTH) throw new StaffInputError(`メモは${IBASHO_NOTE_MAX_LENGTH}文字までにしてください`);
  return trimmed;
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
  const note = checkNote(input.note);
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
