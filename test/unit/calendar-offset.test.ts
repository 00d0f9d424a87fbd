import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { inTokyo, localDateOf, tokyoInstant } from '../../src/domain/calendar';

dayjs.extend(utc);
dayjs.extend(timezone);

describe('Tokyo wall time by fixed offset agrees with the IANA Asia/Tokyo zone', () => {
  test('every hour boundary around every day of 2026 and 2027', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += 5 * 60 * 60 * 1000 + 17 * 60 * 1000) {
      const viaZone = dayjs(t).tz('Asia/Tokyo');
      expect(inTokyo(t).format('YYYY-MM-DD HH:mm d')).toBe(viaZone.format('YYYY-MM-DD HH:mm d'));
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
