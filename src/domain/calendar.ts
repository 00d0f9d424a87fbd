import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import holidayJp from '@holiday-jp/holiday_jp';
import { weekdayIds, type WeekdayId } from './content/schema';

dayjs.extend(utc);
dayjs.extend(timezone);

export const TOKYO = 'Asia/Tokyo';

/**
 * Every conversion between instants and Tokyo dates and times goes through dayjs's Asia/Tokyo zone;
 * calendar dates (no time, no zone) through dayjs.utc. A zone conversion costs tens of microseconds
 * (it formats through Intl), and a reply asks for the same few days, minutes and months again and
 * again, so results are kept: per minute for an instant, per date and time of day for a wall-clock
 * time, per date or month otherwise. Content and the clock only ever ask for a few hundred keys a
 * day; each cache is emptied when it reaches MEMO_LIMIT, which bounds memory in a long-running server.
 */
const MEMO_LIMIT = 4096;

function memo<V>(compute: (key: string) => V): (key: string) => V {
  const kept = new Map<string, V>();
  return (key) => {
    let value = kept.get(key);
    if (value === undefined) {
      if (kept.size >= MEMO_LIMIT) kept.clear();
      value = compute(key);
      kept.set(key, value);
    }
    return value;
  };
}

/** A calendar date in Japan, "YYYY-MM-DD". */
export type LocalDate = string;

/** Tokyo wall-clock fields of an instant. */
export interface TokyoTime {
  date: LocalDate;
  month: number;
  day: number;
  /** 0 = Sunday. */
  weekday: number;
  hour: number;
  minute: number;
}

const MINUTE_MS = 60_000;

const tokyoTimeOfMinute = memo((minute: string): Readonly<TokyoTime> => {
  const d = dayjs(Number(minute) * MINUTE_MS).tz(TOKYO);
  return Object.freeze({ date: d.format('YYYY-MM-DD'), month: d.month() + 1, day: d.date(), weekday: d.day(), hour: d.hour(), minute: d.minute() });
});

/** Tokyo wall time of an instant (every instant of a minute has the same fields: zone offsets are whole minutes). */
export function tokyoTime(instant: Date | number): Readonly<TokyoTime> {
  return tokyoTimeOfMinute(String(Math.floor(+instant / MINUTE_MS)));
}

export function localDateOf(instant: Date | number): LocalDate {
  return tokyoTime(instant).date;
}

/** Tokyo wall clock of an instant as "HH:MM" (the form content/ writes times in). */
export function tokyoClockTime(instant: Date | number): string {
  const { hour, minute } = tokyoTime(instant);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

const tokyoInstantOf = memo((dateTime: string): number => {
  const [date, time] = dateTime.split(' ') as [string, string];
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  // From the day's start, so that "24:00" is midnight at the end of the day.
  return dayjs.tz(date, TOKYO).add(hours, 'hour').add(minutes, 'minute').valueOf();
});

/** Epoch milliseconds of a Tokyo wall-clock time "HH:MM" on a date; "24:00" is midnight at the end of the day. */
export function tokyoInstant(date: LocalDate, time: string): number {
  return tokyoInstantOf(`${date} ${time}`);
}

const addDaysOf = memo((key: string): LocalDate => {
  const [date, days] = key.split('|') as [string, string];
  return dayjs.utc(date).add(Number(days), 'day').format('YYYY-MM-DD');
});

export function addDays(date: LocalDate, days: number): LocalDate {
  return addDaysOf(`${date}|${days}`);
}

/** "YYYY-MM" plus n months. */
export function addMonths(yearMonth: string, months: number): string {
  return dayjs.utc(`${yearMonth}-01`).add(months, 'month').format('YYYY-MM');
}

const datePartsOf = memo((date: LocalDate) => {
  const d = dayjs.utc(date);
  return Object.freeze({ month: d.month() + 1, day: d.date(), weekday: d.day() });
});

/** Month (1-12), day of month and weekday index (0 = Sunday) of a date. */
export function dateParts(date: LocalDate): Readonly<{ month: number; day: number; weekday: number }> {
  return datePartsOf(date);
}

export function weekdayOf(date: LocalDate): WeekdayId {
  return weekdayIds[datePartsOf(date).weekday]!;
}

export function isPublicHoliday(date: LocalDate): boolean {
  return Object.prototype.hasOwnProperty.call(holidayJp.holidays, date);
}

/** 年末年始: the ward's offices close from 12/29 to 1/3. */
export function isNewYearBreak(date: LocalDate): boolean {
  const monthDay = date.slice(5);
  return monthDay >= '12-29' || monthDay <= '01-03';
}

/** The nth given weekday of a month ("2026-12", 4, "tue" → "2026-12-22"). */
export function nthWeekdayOfMonth(yearMonth: string, nth: number, weekday: WeekdayId): LocalDate | null {
  const first = dayjs.utc(`${yearMonth}-01`);
  const offset = (weekdayIds.indexOf(weekday) - first.day() + 7) % 7;
  const date = first.add(offset + (nth - 1) * 7, 'day');
  return date.month() === first.month() ? date.format('YYYY-MM-DD') : null;
}
