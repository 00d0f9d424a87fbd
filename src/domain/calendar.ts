import holidayJp from '@holiday-jp/holiday_jp';
import { weekdayIds, type WeekdayId } from './content/schema';

export const TOKYO = 'Asia/Tokyo';

/**
 * Japan has kept UTC+9 without daylight saving time since 1951, so Tokyo wall time is a fixed shift,
 * and dates are plain arithmetic on UTC midnights. dayjs's Asia/Tokyo conversion gives the same
 * results (test/unit/calendar-offset.test.ts checks every hour of two years against it), but costs
 * tens of microseconds a call, and a reply computes hundreds of dates.
 */
const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;

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

export function tokyoTime(instant: Date | number): TokyoTime {
  const shifted = new Date(+instant + TOKYO_OFFSET_MS);
  return {
    date: formatUtcDate(+shifted),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

/** Epoch milliseconds of a Tokyo wall-clock time; "24:00" is midnight at the end of the day. */
export function tokyoInstant(date: LocalDate, time: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return Date.UTC(year, month - 1, day, hours, minutes) - TOKYO_OFFSET_MS;
}

export function localDateOf(instant: Date | number): LocalDate {
  return formatUtcDate(+instant + TOKYO_OFFSET_MS);
}

const DAY_MS = 24 * 60 * 60 * 1000;
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Plain arithmetic on UTC midnights: opening hours call this hundreds of times a reply. */
function utcMidnight(date: LocalDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function formatUtcDate(ms: number): LocalDate {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return formatUtcDate(utcMidnight(date) + days * DAY_MS);
}

/** "YYYY-MM" plus n months. */
export function addMonths(yearMonth: string, months: number): string {
  const index = Number(yearMonth.slice(0, 4)) * 12 + Number(yearMonth.slice(5, 7)) - 1 + months;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** Month (1-12), day of month and weekday index (0 = Sunday) of a date. */
export function dateParts(date: LocalDate): { month: number; day: number; weekday: number } {
  return { month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)), weekday: new Date(utcMidnight(date)).getUTCDay() };
}

export function weekdayOf(date: LocalDate): WeekdayId {
  return weekdayIds[new Date(utcMidnight(date)).getUTCDay()]!;
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
  const first = `${yearMonth}-01`;
  const offset = (weekdayIds.indexOf(weekday) - new Date(utcMidnight(first)).getUTCDay() + 7) % 7;
  const date = addDays(first, offset + (nth - 1) * 7);
  return date.startsWith(yearMonth) ? date : null;
}
