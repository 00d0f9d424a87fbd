import type { IbashoDateOverride, IbashoRule } from './content/schema';
import { addMonths, localDateOf, nthWeekdayOfMonth, tokyoInstant, type LocalDate } from './calendar';

export interface IbashoSchedule {
  rule: IbashoRule;
  dates: IbashoDateOverride[];
}

export interface NextIbasho {
  /** One date when it is known; two when the rule leaves the weekday of that month open. */
  dates: LocalDate[];
  /** True when the date comes from content/ibasho.yaml `dates`; false for a date computed from the rule. */
  confirmed: boolean;
  start: string;
  end: string;
  phase: 'upcoming' | 'today' | 'now';
  movedFrom?: LocalDate;
  /** A short note for the date (e.g. the room), from staff or content/. */
  note?: string;
  /** Explicitly cancelled dates between now and this one, so the bot can say so. */
  cancelledBefore: LocalDate[];
}

const MONTHS_AHEAD = 14;

export interface Occurrence {
  dates: LocalDate[];
  confirmed: boolean;
  movedFrom?: LocalDate;
  /** Times of an explicit date that differ from the rule's. */
  start?: string;
  end?: string;
  note?: string;
}

/** The start and end of an occurrence: its own, or the rule's. */
export function timesOf(schedule: IbashoSchedule, occurrence: Pick<Occurrence, 'start' | 'end'>): { start: string; end: string } {
  return { start: occurrence.start ?? schedule.rule.start, end: occurrence.end ?? schedule.rule.end };
}

function detailsOf(entry: IbashoDateOverride): Pick<Occurrence, 'start' | 'end' | 'note'> {
  if (entry.status === 'cancelled') return {};
  return { ...(entry.start ? { start: entry.start } : {}), ...(entry.end ? { end: entry.end } : {}), ...(entry.note ? { note: entry.note } : {}) };
}

function ruleCandidates(rule: IbashoRule, yearMonth: string): LocalDate[] {
  const month = Number(yearMonth.slice(5));
  let weekdays = rule.weekdays;
  if (rule.tuesdayMonths.length > 0 && weekdays.length === 2) {
    const other = weekdays.find((w) => w !== 'tue') ?? 'tue';
    weekdays = [rule.tuesdayMonths.includes(month) ? 'tue' : other];
  }
  return weekdays
    .map((weekday) => nthWeekdayOfMonth(yearMonth, rule.nth, weekday))
    .filter((d): d is LocalDate => d !== null)
    .sort();
}

/**
 * The schedule comes from content/ and never changes while it is loaded, so its occurrences are kept
 * per starting month: every いばしょ card and every reminder pass asks for them.
 */
const occurrencesByRule = new WeakMap<IbashoRule, WeakMap<IbashoDateOverride[], Map<string, readonly Occurrence[]>>>();

/** Every occurrence from the start of `fromMonth` on: explicit dates, then the rule for the other months. */
export function occurrences(schedule: IbashoSchedule, fromMonth: string): readonly Occurrence[] {
  let byDates = occurrencesByRule.get(schedule.rule);
  if (!byDates) occurrencesByRule.set(schedule.rule, (byDates = new WeakMap()));
  let byMonth = byDates.get(schedule.dates);
  if (!byMonth) byDates.set(schedule.dates, (byMonth = new Map()));
  let result = byMonth.get(fromMonth);
  if (!result) byMonth.set(fromMonth, (result = Object.freeze(computeOccurrences(schedule, fromMonth).map((o) => Object.freeze(o)))));
  return result;
}

function computeOccurrences(schedule: IbashoSchedule, fromMonth: string): Occurrence[] {
  const result: Occurrence[] = [];
  const cancelled = new Set(schedule.dates.filter((d) => d.status === 'cancelled').map((d) => d.date));
  for (const entry of schedule.dates) {
    if (entry.status === 'held') result.push({ dates: [entry.date], confirmed: true, ...detailsOf(entry) });
    // A moved date whose new day was cancelled later (staff cancel the day they see) is not held.
    if (entry.status === 'moved' && !cancelled.has(entry.movedTo)) result.push({ dates: [entry.movedTo], confirmed: true, movedFrom: entry.date, ...detailsOf(entry) });
  }
  for (let i = 0; i < MONTHS_AHEAD; i++) {
    const yearMonth = addMonths(fromMonth, i);
    // An explicit held or moved date replaces the rule for its month; a cancellation removes only its day.
    const explicitlyScheduled = schedule.dates.some(
      (d) => d.status !== 'cancelled' && d.date.slice(0, 7) === yearMonth,
    );
    if (explicitlyScheduled) continue;
    const candidates = ruleCandidates(schedule.rule, yearMonth).filter((d) => !cancelled.has(d));
    if (candidates.length > 0) {
      result.push({ dates: candidates, confirmed: false });
    }
  }
  return result;
}

/** The next めぐろのいばしょ at `now` (Asia/Tokyo): explicit dates win over the rule. */
export function nextIbasho(schedule: IbashoSchedule, now: Date): NextIbasho | null {
  const at = now.getTime();
  const today = localDateOf(now);
  const upcoming = occurrences(schedule, today.slice(0, 7))
    .map((o) => ({ ...o, dates: o.dates.filter((date) => at < tokyoInstant(date, timesOf(schedule, o).end)) }))
    .filter((o) => o.dates.length > 0)
    .sort((a, b) => (a.dates[0]! < b.dates[0]! ? -1 : a.dates[0]! > b.dates[0]! ? 1 : 0));
  const next = upcoming[0];
  if (!next) return null;

  const first = next.dates[0]!;
  const { start, end } = timesOf(schedule, next);
  const phase = first !== today ? 'upcoming' : at < tokyoInstant(first, start) ? 'today' : ('now' as const);
  const cancelledBefore = schedule.dates
    .filter((d) => d.status === 'cancelled' && d.date >= today && d.date < first)
    .map((d) => d.date)
    .sort();
  return {
    dates: next.dates,
    confirmed: next.confirmed,
    start,
    end,
    phase,
    ...(next.movedFrom ? { movedFrom: next.movedFrom } : {}),
    ...(next.note ? { note: next.note } : {}),
    cancelledBefore,
  };
}
