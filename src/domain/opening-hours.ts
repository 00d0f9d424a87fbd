import type { WeeklyHours } from './content/schema';
import { addDays, isNewYearBreak, isPublicHoliday, localDateOf, tokyoInstant, weekdayOf } from './calendar';

export type OpenStatus =
  | { kind: 'open'; closesAt: Date }
  | { kind: 'closed'; nextOpen: Date | null }
  | { kind: 'unknown' };

const LOOKAHEAD_DAYS = 21;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Interval {
  start: number;
  end: number;
}

function isClosedDay(hours: WeeklyHours, date: string): boolean {
  return (hours.closedOnHolidays && isPublicHoliday(date)) || (hours.closedNewYear && isNewYearBreak(date));
}

/** Opening intervals that start on `date`; a close time before the open time runs into the next day. */
function intervalsStartingOn(hours: WeeklyHours, date: string): Interval[] {
  if (!hours.slots || isClosedDay(hours, date)) return [];
  const weekday = weekdayOf(date);
  const dayOfMonth = Number(date.slice(8, 10));
  return hours.slots
    .filter((slot) => slot.days?.includes(weekday) || slot.monthDays?.includes(dayOfMonth))
    .map((slot) => {
      const start = tokyoInstant(date, slot.open);
      const end = tokyoInstant(date, slot.close);
      return { start, end: end > start ? end : end + DAY_MS };
    });
}

/**
 * The opening intervals from yesterday to LOOKAHEAD_DAYS ahead, sorted. Hours come from content/
 * and do not change while loaded, and every answer card asks for them: kept per window for the
 * current day.
 */
const intervalsByHours = new WeakMap<WeeklyHours, { today: string; intervals: readonly Interval[] }>();

function intervalsAround(hours: WeeklyHours, today: string): readonly Interval[] {
  const kept = intervalsByHours.get(hours);
  if (kept?.today === today) return kept.intervals;
  const intervals: Interval[] = [];
  for (let day = -1; day <= LOOKAHEAD_DAYS; day++) intervals.push(...intervalsStartingOn(hours, addDays(today, day)));
  intervals.sort((a, b) => a.start - b.start);
  intervalsByHours.set(hours, { today, intervals: Object.freeze(intervals) });
  return intervals;
}

/** Whether a window is open at `now` (Asia/Tokyo), and if not, when it opens next. */
export function openStatus(hours: WeeklyHours | null, now: Date): OpenStatus {
  if (!hours?.slots?.length) return { kind: 'unknown' };
  const at = now.getTime();
  const intervals = intervalsAround(hours, localDateOf(now));

  const current = intervals.filter((i) => i.start <= at && at < i.end);
  if (current.length > 0) {
    // Back-to-back slots (a 24-hour line written as 00:00〜24:00) close when the last one ends.
    let closesAt = Math.max(...current.map((i) => i.end));
    for (const next of intervals) if (next.start <= closesAt && next.end > closesAt) closesAt = next.end;
    return { kind: 'open', closesAt: new Date(closesAt) };
  }
  const next = intervals.find((i) => i.start > at);
  return { kind: 'closed', nextOpen: next ? new Date(next.start) : null };
}
