import { addDays, addMonths, dateParts, isPublicHoliday, localDateOf, nthWeekdayOfMonth, tokyoInstant, tokyoTime, weekdayOf } from '../../src/domain/calendar';
import { weekdayIds } from '../../src/domain/content/schema';

/**
 * The calendar is dayjs (utc + timezone, Asia/Tokyo) with its results kept per minute, date and
 * month. Two oracles that do not go through dayjs: Japan's fixed UTC+9 (no daylight saving time since
 * 1951) read with plain Date UTC getters, and Intl's own Asia/Tokyo formatting.
 */
const HOUR_MS = 60 * 60 * 1000;
const utcPlus9 = (t: number) => new Date(t + 9 * HOUR_MS);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const intlTokyo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

describe('instants as Tokyo wall time', () => {
  test('every hour boundary around every day of 2026 and 2027 (and a step that is never on the hour)', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += 5 * HOUR_MS + 17 * 60 * 1000 + 1234) {
      const shifted = utcPlus9(t);
      const expected = {
        date: iso(shifted),
        month: shifted.getUTCMonth() + 1,
        day: shifted.getUTCDate(),
        weekday: shifted.getUTCDay(),
        hour: shifted.getUTCHours(),
        minute: shifted.getUTCMinutes(),
      };
      expect(tokyoTime(t)).toEqual(expected);
      expect(localDateOf(new Date(t))).toBe(expected.date);
      const parts = Object.fromEntries(intlTokyo.formatToParts(t).map((p) => [p.type, p.value]));
      expect(`${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`).toBe(
        `${expected.date} ${String(expected.hour).padStart(2, '0')}:${String(expected.minute).padStart(2, '0')}`,
      );
    }
  });

  test('the last millisecond of a Tokyo day and the first of the next (the per-minute cache keeps them apart)', () => {
    const midnight = Date.UTC(2026, 11, 31, 15, 0); // 2027-01-01 00:00 in Tokyo
    expect(tokyoTime(midnight - 1)).toMatchObject({ date: '2026-12-31', hour: 23, minute: 59 });
    expect(tokyoTime(midnight)).toMatchObject({ date: '2027-01-01', hour: 0, minute: 0, weekday: 5 });
    expect(tokyoTime(midnight + 59_999)).toMatchObject({ date: '2027-01-01', minute: 0 });
    expect(tokyoTime(midnight + 60_000)).toMatchObject({ minute: 1 });
  });

  test('a Tokyo wall-clock time maps to its instant; 24:00 is the end of the day', () => {
    for (const [date, time, utc] of [
      ['2026-12-22', '13:30', '2026-12-22T04:30:00Z'],
      ['2027-01-01', '00:00', '2026-12-31T15:00:00Z'],
      ['2026-06-30', '24:00', '2026-06-30T15:00:00Z'],
      ['2026-03-08', '02:30', '2026-03-07T17:30:00Z'],
      ['2028-02-29', '08:30', '2028-02-28T23:30:00Z'],
    ] as const) {
      expect(new Date(tokyoInstant(date, time)).toISOString()).toBe(new Date(utc).toISOString());
      expect(tokyoInstant(date, time)).toBe(tokyoInstant(date, time));
    }
  });
});

describe('calendar dates', () => {
  test('addDays over three years, forwards and back, and across leap days', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2029, 0, 1); t += 24 * HOUR_MS) {
      const date = iso(new Date(t));
      for (const days of [-400, -31, -1, 0, 1, 3, 21, 60]) expect(addDays(date, days)).toBe(iso(new Date(t + days * 24 * HOUR_MS)));
    }
  });

  test('addMonths across years, forwards and back', () => {
    for (let m = -30; m <= 30; m++) {
      const index = 2026 * 12 + 10 + m;
      expect(addMonths('2026-11', m)).toBe(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
    }
  });

  test('dateParts, weekdayOf and nthWeekdayOfMonth for every month of 2026 to 2028', () => {
    for (let m = 0; m < 36; m++) {
      const yearMonth = addMonths('2026-01', m);
      const [year, month] = yearMonth.split('-').map(Number) as [number, number];
      const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const days = Array.from({ length: daysInMonth }, (_, i) => new Date(Date.UTC(year, month - 1, i + 1)));
      for (const day of days) {
        expect(dateParts(iso(day))).toEqual({ month, day: day.getUTCDate(), weekday: day.getUTCDay() });
        expect(weekdayOf(iso(day))).toBe(weekdayIds[day.getUTCDay()]);
      }
      for (const weekday of weekdayIds) {
        const matching = days.filter((d) => d.getUTCDay() === weekdayIds.indexOf(weekday));
        for (const nth of [1, 2, 3, 4, 5]) expect(nthWeekdayOfMonth(yearMonth, nth, weekday)).toBe(matching[nth - 1] ? iso(matching[nth - 1]!) : null);
      }
    }
  });

  test('public holidays come from the JP holiday list, substitute holidays included', () => {
    expect(isPublicHoliday('2027-01-01')).toBe(true);
    expect(isPublicHoliday('2026-11-23')).toBe(true); // 勤労感謝の日
    expect(isPublicHoliday('2026-05-06')).toBe(true); // 振替休日
    expect(isPublicHoliday('2026-11-24')).toBe(false);
  });
});
