import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { addMonths, dateParts, localDateOf, nthWeekdayOfMonth, tokyoInstant, tokyoTime } from '../../src/domain/calendar';
import { weekdayIds } from '../../src/domain/content/schema';

dayjs.extend(utc);
dayjs.extend(timezone);

describe('Tokyo wall time by fixed offset agrees with the IANA Asia/Tokyo zone', () => {
  test('every hour boundary around every day of 2026 and 2027', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += 5 * 60 * 60 * 1000 + 17 * 60 * 1000) {
      const viaZone = dayjs(t).tz('Asia/Tokyo');
      const local = tokyoTime(t);
      expect(local).toEqual({
        date: viaZone.format('YYYY-MM-DD'),
        month: viaZone.month() + 1,
        day: viaZone.date(),
        weekday: viaZone.day(),
        hour: viaZone.hour(),
        minute: viaZone.minute(),
      });
      expect(localDateOf(t)).toBe(viaZone.format('YYYY-MM-DD'));
    }
  });

  test('a Tokyo wall-clock time maps to the instant the zone gives', () => {
    for (const [date, time] of [['2026-12-22', '13:30'], ['2027-01-01', '00:00'], ['2026-06-30', '24:00'], ['2026-03-08', '02:30']] as const) {
      const viaZone = dayjs.tz(`${date} 00:00`, 'Asia/Tokyo').add(Number(time.slice(0, 2)), 'hour').add(Number(time.slice(3)), 'minute');
      expect(tokyoInstant(date, time)).toBe(viaZone.valueOf());
    }
  });
});

describe('date arithmetic agrees with dayjs', () => {
  test('addMonths across years, forwards and back', () => {
    for (let m = -30; m <= 30; m++) {
      expect(addMonths('2026-11', m)).toBe(dayjs.utc('2026-11-01').add(m, 'month').format('YYYY-MM'));
    }
  });

  test('dateParts and nthWeekdayOfMonth for every month of 2026 to 2028', () => {
    for (let m = 0; m < 36; m++) {
      const yearMonth = addMonths('2026-01', m);
      for (let day = 1; day <= 28; day += 9) {
        const date = `${yearMonth}-${String(day).padStart(2, '0')}`;
        const d = dayjs.utc(date);
        expect(dateParts(date)).toEqual({ month: d.month() + 1, day: d.date(), weekday: d.day() });
      }
      for (const weekday of weekdayIds) {
        for (const nth of [1, 4, 5]) {
          const first = dayjs.utc(`${yearMonth}-01`);
          const matching = Array.from({ length: first.daysInMonth() }, (_, i) => first.add(i, 'day')).filter((d) => d.day() === weekdayIds.indexOf(weekday));
          expect(nthWeekdayOfMonth(yearMonth, nth, weekday)).toBe(matching[nth - 1]?.format('YYYY-MM-DD') ?? null);
        }
      }
    }
  });
});
