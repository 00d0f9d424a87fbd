import type { Dayjs } from 'dayjs';
import type { WeeklyHours } from './content/schema';
import { addDays, inTokyo, isNewYearBreak, isPublicHoliday, localDateOf, tokyoInstant, weekdayOf } from './calendar';

export type OpenStatus =
  | { kind: 'open'; closesAt: Date }
  | { kind: 'closed'; nextOpen: Date | null }
  | { kind: 'unknown' };

const LOOKAHEAD_DAYS = 21;

interface Interval {
  start: Dayjs;
  end: Dayjs;
}

function isClosedDay(hours: WeeklyHours, date: string): boolean {
  return (hours.closedOnHolidays && isPublicHoliday(date)) || (hours.closedNewYear && isNewYearBreak(date));
}

/** Opening intervals that start on `date`; a close time before the open time runs into the next day. */
function intervalsStartingOn(hours: WeeklyHours, date: string): Interval[] {
  if (!hours.slots || isClosedDay(hours, date)) return [];
  const weekday = weekdayOf(date);
  return hours.slots
    .filter((slot) => slot.days.includes(weekday))
    .map((slot) => {
      const start = tokyoInstant(date, slot.open);
      let end = tokyoInstant(date, slot.close);
      if (!end.isAfter(start)) end = end.add(1, 'day');
      return { start, end };
    });
}

/** Whether a window is open at `now` (Asia/Tokyo), and if not, when it opens next. */
export function openStatus(hours: WeeklyHours | null, now: Date): OpenStatus {
  if (!hours?.slots?.length) return { kind: 'unknown' };
  const today = localDateOf(now);
  const at = inTokyo(now);
  const intervals = [];
  for (let day = -1; day <= LOOKAHEAD_DAYS; day++) intervals.push(...intervalsStartingOn(hours, addDays(today, day)));
  intervals.sort((a, b) => a.start.valueOf() - b.start.valueOf());

  const current = intervals.filter((i) => !at.isBefore(i.start) && at.isBefore(i.end));
  if (current.length > 0) {
    // Back-to-back slots (e.g. 24-hour lines written as 00:00〜24:00) close when the last one ends.
    let closesAt = current.reduce((max, i) => (i.end.isAfter(max) ? i.end : max), current[0]!.end);
    for (const next of intervals) if (!next.start.isAfter(closesAt) && next.end.isAfter(closesAt)) closesAt = next.end;
    return { kind: 'open', closesAt: closesAt.toDate() };
  }
  const next = intervals.find((i) => i.start.isAfter(at));
  return { kind: 'closed', nextOpen: next ? next.start.toDate() : null };
}
