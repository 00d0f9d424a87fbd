import type { OpeningSlot, WeeklyHours } from '../../src/domain/content/schema';
import { openStatus, type OpenStatus } from '../../src/domain/opening-hours';

/** A wall-clock time in Tokyo (always UTC+9, no daylight saving). */
const jst = (dateTime: string) => new Date(`${dateTime.replace(' ', 'T')}:00+09:00`);

const weekdays: OpeningSlot['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const everyDay: OpeningSlot['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A ward office: weekdays 10:00〜17:00, closed on public holidays and 12/29〜1/3. */
const office: WeeklyHours = {
  text: '平日 10:00〜17:00',
  slots: [{ days: weekdays, open: '10:00', close: '17:00' }],
  closedOnHolidays: true,
  closedNewYear: true,
};

/** A hotline open every day from noon to 05:30 the next morning. */
const overnight: WeeklyHours = {
  text: '毎日 12:00〜翌5:30',
  slots: [{ days: everyDay, open: '12:00', close: '05:30' }],
  closedOnHolidays: false,
  closedNewYear: false,
};

/** A 24-hour line as content writes it. */
const allDay: WeeklyHours = {
  text: '24時間365日',
  slots: [{ days: everyDay, open: '00:00', close: '24:00' }],
  closedOnHolidays: false,
  closedNewYear: false,
};

const open = (closesAt: string): OpenStatus => ({ kind: 'open', closesAt: jst(closesAt) });
const closed = (nextOpen: string): OpenStatus => ({ kind: 'closed', nextOpen: jst(nextOpen) });

describe('a weekday window (10:00〜17:00)', () => {
  // 2026-11-25 is a Wednesday.
  test('inside the hours → open, closing at 17:00 that day', () => {
    expect(openStatus(office, jst('2026-11-25 13:00'))).toEqual(open('2026-11-25 17:00'));
  });

  test('at exactly 10:00 → open', () => {
    expect(openStatus(office, jst('2026-11-25 10:00'))).toEqual(open('2026-11-25 17:00'));
  });

  test('at 09:59 → closed, opening at 10:00 the same day', () => {
    expect(openStatus(office, jst('2026-11-25 09:59'))).toEqual(closed('2026-11-25 10:00'));
  });

  test('at 16:59 → still open', () => {
    expect(openStatus(office, jst('2026-11-25 16:59'))).toEqual(open('2026-11-25 17:00'));
  });

  test('at exactly 17:00 → closed, opening at 10:00 the next day', () => {
    expect(openStatus(office, jst('2026-11-25 17:00'))).toEqual(closed('2026-11-26 10:00'));
  });

  test('just after midnight JST, given as a UTC instant of the previous day → opens at 10:00 that JST day', () => {
    // 2026-11-25T15:30Z is 00:30 on Thursday 11/26 in Tokyo.
    expect(openStatus(office, new Date('2026-11-25T15:30:00Z'))).toEqual(closed('2026-11-26 10:00'));
  });
});

describe('weekends and public holidays', () => {
  test('Friday after closing → next Monday 10:00', () => {
    // 2027-01-22 is a Friday; 2027-01-25 the Monday after.
    expect(openStatus(office, jst('2027-01-22 17:30'))).toEqual(closed('2027-01-25 10:00'));
  });

  test('Saturday and Sunday → closed, next Monday 10:00', () => {
    expect(openStatus(office, jst('2027-01-23 11:00'))).toEqual(closed('2027-01-25 10:00'));
    expect(openStatus(office, jst('2027-01-24 11:00'))).toEqual(closed('2027-01-25 10:00'));
  });

  test('勤労感謝の日 (Monday 2026-11-23) → closed all day; the weekend before points to Tuesday 11/24', () => {
    expect(openStatus(office, jst('2026-11-23 11:00'))).toEqual(closed('2026-11-24 10:00'));
    expect(openStatus(office, jst('2026-11-21 11:00'))).toEqual(closed('2026-11-24 10:00'));
  });

  test('成人の日 (Monday 2027-01-11) → the Friday before points to Tuesday 1/12', () => {
    expect(openStatus(office, jst('2027-01-08 18:00'))).toEqual(closed('2027-01-12 10:00'));
    expect(openStatus(office, jst('2027-01-11 12:00'))).toEqual(closed('2027-01-12 10:00'));
  });

  test('a window that does not close on holidays is open on one', () => {
    expect(openStatus({ ...office, closedOnHolidays: false }, jst('2026-11-23 11:00'))).toEqual(open('2026-11-23 17:00'));
  });
});

describe('年末年始 (12/29〜1/3)', () => {
  test('Monday 2026-12-28 is still a working day', () => {
    expect(new Date('2026-12-28T00:00:00Z').getUTCDay()).toBe(1);
    expect(openStatus(office, jst('2026-12-28 16:00'))).toEqual(open('2026-12-28 17:00'));
  });

  test('2026-12-28 17:30 → next open is Monday 2027-01-04 10:00 JST', () => {
    expect(new Date('2027-01-04T00:00:00Z').getUTCDay()).toBe(1); // a Monday
    const status = openStatus(office, jst('2026-12-28 17:30'));
    expect(status).toEqual(closed('2027-01-04 10:00'));
    expect(status.kind === 'closed' && status.nextOpen!.toISOString()).toBe('2027-01-04T01:00:00.000Z');
  });

  test('weekdays inside the break (Wednesday 12/30, Friday 1/1) → closed until Monday 1/4', () => {
    expect(openStatus(office, jst('2026-12-30 11:00'))).toEqual(closed('2027-01-04 10:00'));
    expect(openStatus(office, jst('2027-01-01 11:00'))).toEqual(closed('2027-01-04 10:00'));
  });

  test('a window that does not close for the New Year is open on 12/30', () => {
    expect(openStatus({ ...office, closedNewYear: false }, jst('2026-12-30 11:00'))).toEqual(open('2026-12-30 17:00'));
  });
});

describe('an overnight slot (12:00〜05:30 the next morning)', () => {
  test('at 02:00 → open, closing at 05:30 the same morning', () => {
    expect(openStatus(overnight, jst('2026-11-26 02:00'))).toEqual(open('2026-11-26 05:30'));
  });

  test('at 05:29 → open; at exactly 05:30 → closed until 12:00', () => {
    expect(openStatus(overnight, jst('2026-11-26 05:29'))).toEqual(open('2026-11-26 05:30'));
    expect(openStatus(overnight, jst('2026-11-26 05:30'))).toEqual(closed('2026-11-26 12:00'));
  });

  test('at 06:00 → closed, next open 12:00 that day', () => {
    expect(openStatus(overnight, jst('2026-11-26 06:00'))).toEqual(closed('2026-11-26 12:00'));
  });

  test('at 12:00 → open until 05:30 the next morning', () => {
    expect(openStatus(overnight, jst('2026-11-26 12:00'))).toEqual(open('2026-11-27 05:30'));
  });

  test('at 23:00 on New Year’s Eve → open until 05:30 on New Year’s Day', () => {
    expect(openStatus(overnight, jst('2026-12-31 23:00'))).toEqual(open('2027-01-01 05:30'));
  });
});

describe('a 24-hour line written as 00:00〜24:00', () => {
  test('open at every half hour of a whole week, midnight included, and never about to close', () => {
    const from = jst('2026-12-28 00:00').getTime();
    for (let t = from; t < from + 7 * 24 * 60 * 60 * 1000; t += 30 * 60 * 1000) {
      const status = openStatus(allDay, new Date(t));
      expect(status.kind).toBe('open');
      // Back-to-back days merge: it does not "close" at the next midnight.
      if (status.kind === 'open') expect(status.closesAt.getTime() - t).toBeGreaterThan(7 * 24 * 60 * 60 * 1000);
    }
  });

  test('weekdays-only 00:00〜24:00 → open through the week, closing at Saturday 00:00', () => {
    const weekdaysAllDay: WeeklyHours = { ...allDay, slots: [{ days: weekdays, open: '00:00', close: '24:00' }] };
    // 2026-11-24 is a Tuesday.
    expect(openStatus(weekdaysAllDay, jst('2026-11-24 03:00'))).toEqual(open('2026-11-28 00:00'));
    expect(openStatus(weekdaysAllDay, jst('2026-11-28 09:00'))).toEqual(closed('2026-11-30 00:00'));
  });
});

describe('unknown hours', () => {
  test('no hours at all → unknown', () => {
    expect(openStatus(null, jst('2026-11-25 13:00'))).toEqual({ kind: 'unknown' });
  });

  test('hours given as text without slots → unknown', () => {
    expect(openStatus({ text: '要確認', closedOnHolidays: true, closedNewYear: true }, jst('2026-11-25 13:00'))).toEqual({ kind: 'unknown' });
  });

  test('an empty slot list → unknown', () => {
    expect(openStatus({ ...office, slots: [] }, jst('2026-11-25 13:00'))).toEqual({ kind: 'unknown' });
  });
});

describe('a day of the month (自殺予防いのちの電話: 毎日 16:00〜21:00, 毎月10日は 8:00〜翌8:00)', () => {
  const monthly: WeeklyHours = {
    text: '毎日 16:00〜21:00(毎月10日は 8:00〜翌8:00)',
    slots: [
      { days: everyDay, open: '16:00', close: '21:00' },
      { monthDays: [10], open: '08:00', close: '08:00' },
    ],
    closedOnHolidays: false,
    closedNewYear: false,
  };
  test.each<[string, OpenStatus]>([
    ['2026-12-09 22:00', { kind: 'closed', nextOpen: jst('2026-12-10 08:00') }],
    ['2026-12-10 10:00', { kind: 'open', closesAt: jst('2026-12-11 08:00') }],
    ['2026-12-11 07:59', { kind: 'open', closesAt: jst('2026-12-11 08:00') }],
    ['2026-12-11 08:00', { kind: 'closed', nextOpen: jst('2026-12-11 16:00') }],
    ['2026-12-11 19:30', { kind: 'open', closesAt: jst('2026-12-11 21:00') }],
  ])('at %s', (at, expected) => {
    expect(openStatus(monthly, jst(at))).toEqual(expected);
  });
});
