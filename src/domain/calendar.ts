import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import holidayJp from '@holiday-jp/holiday_jp';
import { weekdayIds, type WeekdayId } from './content/schema';

dayjs.extend(utc);
dayjs.extend(timezone);

export const TOKYO = 'Asia/Tokyo';

/** A calendar date in Japan, "YYYY-MM-DD". */
export type LocalDate = string;

export function inTokyo(instant: Date): Dayjs {
  return dayjs(instant).tz(TOKYO);
}

/** The instant of a wall-clock time in Tokyo; "24:00" is midnight at the end of the day. */
export function tokyoInstant(date: LocalDate, time: string): Dayjs {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return dayjs.tz(date, TOKYO).add(hours, 'hour').add(minutes, 'minute');
}

export function localDateOf(instant: Date): LocalDate {
  return inTokyo(instant).format('YYYY-MM-DD');
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return dayjs.utc(date).add(days, 'day').format('YYYY-MM-DD');
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
  return weekdayIds[dayjs.utc(date).day()]!;
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
