import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import holidayJp from '@holiday-jp/holiday_jp';
import { weekdayIds, type WeekdayId } from './content/schema';

dayjs.extend(utc);

export const TOKYO = 'Asia/Tokyo';

/**
 * Japan has kept UTC+9 without daylight saving time since 1951, so Tokyo wall time is a fixed shift.
 * The Intl-based dayjs timezone conversion gives the same result (test/unit checks it) but costs tens
 * of microseconds a call, and a reply computes hundreds of them.
 */
const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;

/** A calendar date in Japan, "YYYY-MM-DD". */
export type LocalDate = string;

/** A Dayjs whose fields (date, hour, weekday, format) read as Tokyo wall time. Only for reading fields. */
export function inTokyo(instant: Date | number): Dayjs {
  return dayjs.utc(+instant + TOKYO_OFFSET_MS);
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
  return dayjs.utc(`${yearMonth}-01`).add(months, 'month').format('YYYY-MM');
}

/** Month (1-12), day of month and weekday index (0 = Sunday) of a date. */
export function dateParts(date: LocalDate): { month: number; day: number; weekday: number } {
  const d = dayjs.utc(date);
  return { month: d.month() + 1, day: d.date(), weekday: d.day() };
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
  const first = dayjs.utc(`${yearMonth}-01`);
  const offset = (weekdayIds.indexOf(weekday) - first.day() + 7) % 7;
  const date = first.add(offset + (nth - 1) * 7, 'day');
  return date.month() === first.month() ? date.format('YYYY-MM-DD') : null;
}
