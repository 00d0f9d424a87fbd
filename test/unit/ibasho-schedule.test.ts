import {
  addDays,
  addMonths,
  dateParts,
  isNewYearBreak,
  isPublicHoliday,
  localDateOf,
  nthWeekdayOfMonth,
  tokyoInstant,
  weekdayOf,
} from '../../src/domain/calendar';
import type { IbashoDateOverride } from '../../src/domain/content/schema';
import { nextIbasho, type IbashoSchedule } from '../../src/domain/ibasho-schedule';

// めぐろのいばしょ: 4th Tuesday / 4th Sunday in alternating months, 13:30〜16:30 Asia/Tokyo.
// Which months are Tuesday months is not known, so every month offers both days as 予定.

/** A wall-clock time in Tokyo (always UTC+9, no daylight saving). */
const jst = (dateTime: string) => new Date(`${dateTime.replace(' ', 'T')}:00+09:00`);

const provenance = { source: 'https://example.jp/ibasho', checked: '2026-11-25' };
const held = (date: string): IbashoDateOverride => ({ date, status: 'held', ...provenance });
const cancelled = (date: string): IbashoDateOverride => ({ date, status: 'cancelled', ...provenance });
const moved = (date: string, movedTo: string): IbashoDateOverride => ({ date, status: 'moved', movedTo, ...provenance });

function schedule(dates: IbashoDateOverride[] = [], tuesdayMonths: number[] = []): IbashoSchedule {
  return { rule: { nth: 4, weekdays: ['tue', 'sun'], tuesdayMonths, start: '13:30', end: '16:30' }, dates };
}

// ---- An independent model of the rule, in plain Date.UTC arithmetic (no dayjs, no module helpers). ----

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The 4th given weekday (0 = Sunday) of month `month0` (0-11): always the 22nd to the 28th. */
function fourth(year: number, month0: number, weekday: number): string {
  const firstWeekday = new Date(Date.UTC(year, month0, 1)).getUTCDay();
  const day = 1 + ((weekday - firstWeekday + 7) % 7) + 21;
  return iso(Date.UTC(year, month0, day));
}

/** Both rule days of a month, earliest first. */
function ruleDays(year: number, month0: number): string[] {
  return [fourth(year, month0, 2), fourth(year, month0, 0)].sort();
}

/** What a person asking at 09:00 on `today` should be told: the month's days not yet over, or next month's. */
function expectedAt0900(today: string): string[] {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const thisMonth = ruleDays(y, m - 1).filter((d) => d >= today); // at 09:00 an event of today has not ended
  if (thisMonth.length > 0) return thisMonth;
  return ruleDays(m === 12 ? y + 1 : y, m === 12 ? 0 : m);
}

const utcWeekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const dayOfMonth = (date: string) => Number(date.slice(8, 10));

describe('the rule over a whole year (2027, asked every day at 09:00 JST)', () => {
  const days: string[] = [];
  for (let ms = Date.UTC(2027, 0, 1); ms <= Date.UTC(2027, 11, 31); ms += 86_400_000) days.push(iso(ms));

  test('the walk covers all 365 days of 2027', () => {
    expect(days).toHaveLength(365);
    expect(days[0]).toBe('2027-01-01');
    expect(days[364]).toBe('2027-12-31');
  });

  test.each(days)('%s 09:00 → the earliest 4th Tuesday / 4th Sunday not yet over, as 予定', (today) => {
    const next = nextIbasho(schedule(), jst(`${today} 09:00`));

    expect(next).not.toBeNull();
    expect(next!.dates).toEqual(expectedAt0900(today));
    expect(next!.confirmed).toBe(false);
    expect(next!.start).toBe('13:30');
    expect(next!.end).toBe('16:30');
    expect(next!.cancelledBefore).toEqual([]);
    expect(next!.movedFrom).toBeUndefined();
    expect(next!.phase).toBe(next!.dates[0] === today ? 'today' : 'upcoming');
    for (const date of next!.dates) {
      expect(date >= today).toBe(true); // never in the past
      expect([0, 2]).toContain(utcWeekday(date)); // a Sunday or a Tuesday
      expect(dayOfMonth(date)).toBeGreaterThanOrEqual(22); // the 4th one of its month
      expect(dayOfMonth(date)).toBeLessThanOrEqual(28);
    }
    expect(new Set(next!.dates.map((d) => d.slice(0, 7))).size).toBe(1); // both from the same month
  });
});

describe('month and year boundaries', () => {
  // December 2026: 1st is a Tuesday → 4th Tuesday 22nd, 4th Sunday 27th.
  // January 2027: 1st is a Friday → 4th Sunday 24th, 4th Tuesday 26th.
  test('early in December 2026 → both December days', () => {
    expect(nextIbasho(schedule(), jst('2026-12-01 10:00'))!.dates).toEqual(['2026-12-22', '2026-12-27']);
  });

  test('between the two December days → only the remaining Sunday', () => {
    const next = nextIbasho(schedule(), jst('2026-12-23 10:00'))!;
    expect(next.dates).toEqual(['2026-12-27']);
    expect(next.phase).toBe('upcoming');
  });

  test('after the last event of December → both January days of the next year (Dec → Jan)', () => {
    const next = nextIbasho(schedule(), jst('2026-12-27 17:00'))!;
    expect(next.dates).toEqual(['2027-01-24', '2027-01-26']);
    expect(next.phase).toBe('upcoming');
  });

  test('on New Year’s Eve and New Year’s Day → January’s days', () => {
    expect(nextIbasho(schedule(), jst('2026-12-31 23:59'))!.dates).toEqual(['2027-01-24', '2027-01-26']);
    expect(nextIbasho(schedule(), jst('2027-01-01 00:00'))!.dates).toEqual(['2027-01-24', '2027-01-26']);
  });

  test('after the last event of a month in mid-year → next month (January 26th over → February 23rd / 28th)', () => {
    expect(nextIbasho(schedule(), jst('2027-01-26 16:30'))!.dates).toEqual(['2027-02-23', '2027-02-28']);
  });

  test('a month whose 4th Sunday comes before its 4th Tuesday is still listed earliest first (January 2027)', () => {
    expect(nextIbasho(schedule(), jst('2027-01-10 12:00'))!.dates).toEqual(['2027-01-24', '2027-01-26']);
  });
});

describe('an event that is today (2026-12-22, 4th Tuesday)', () => {
  test('before 13:30 → phase today, both December days still offered', () => {
    const next = nextIbasho(schedule(), jst('2026-12-22 13:29'))!;
    expect(next.dates).toEqual(['2026-12-22', '2026-12-27']);
    expect(next.phase).toBe('today');
  });

  test('at exactly 13:30 → phase now', () => {
    expect(nextIbasho(schedule(), jst('2026-12-22 13:30'))!.phase).toBe('now');
  });

  test('during (16:29) → phase now, still today first', () => {
    const next = nextIbasho(schedule(), jst('2026-12-22 16:29'))!;
    expect(next.phase).toBe('now');
    expect(next.dates[0]).toBe('2026-12-22');
  });

  test('at exactly 16:30 → over: moves on to the Sunday', () => {
    const next = nextIbasho(schedule(), jst('2026-12-22 16:30'))!;
    expect(next.dates).toEqual(['2026-12-27']);
    expect(next.phase).toBe('upcoming');
  });

  test('after 16:30 → moves on to the Sunday', () => {
    expect(nextIbasho(schedule(), jst('2026-12-22 20:00'))!.dates).toEqual(['2026-12-27']);
  });

  test('the last event of the month, at 16:30 → next month', () => {
    expect(nextIbasho(schedule(), jst('2026-12-27 16:29'))!.phase).toBe('now');
    expect(nextIbasho(schedule(), jst('2026-12-27 16:30'))!.dates).toEqual(['2027-01-24', '2027-01-26']);
  });
});

describe('instants near midnight are read in Japan time, not UTC', () => {
  test('2026-12-21T15:30Z is 00:30 on 12/22 JST → the event is today', () => {
    const next = nextIbasho(schedule(), new Date('2026-12-21T15:30:00Z'))!;
    expect(next.dates).toEqual(['2026-12-22', '2026-12-27']);
    expect(next.phase).toBe('today');
  });

  test('2026-12-21T14:59Z is 23:59 on 12/21 JST → the event is tomorrow (upcoming)', () => {
    expect(nextIbasho(schedule(), new Date('2026-12-21T14:59:00Z'))!.phase).toBe('upcoming');
  });

  test('2026-12-22T07:30Z is 16:30 JST → that event is over, although the UTC date is still the 22nd', () => {
    expect(nextIbasho(schedule(), new Date('2026-12-22T07:30:00Z'))!.dates).toEqual(['2026-12-27']);
  });

  test('2026-12-31T15:30Z is 00:30 on 2027-01-01 JST → January, in the new year', () => {
    expect(nextIbasho(schedule(), new Date('2026-12-31T15:30:00Z'))!.dates).toEqual(['2027-01-24', '2027-01-26']);
  });

  test('2027-01-31T15:30Z is already February 1st JST → February’s days', () => {
    expect(nextIbasho(schedule(), new Date('2027-01-31T15:30:00Z'))!.dates).toEqual(['2027-02-23', '2027-02-28']);
  });
});

describe('when the Tuesday months are known (tuesdayMonths set)', () => {
  const oddMonthsTuesday = schedule([], [1, 3, 5, 7, 9, 11]);

  test('a Tuesday month gives only its 4th Tuesday', () => {
    const next = nextIbasho(oddMonthsTuesday, jst('2027-01-10 09:00'))!;
    expect(next.dates).toEqual(['2027-01-26']);
    expect(next.confirmed).toBe(false);
  });

  test('the other months give only their 4th Sunday', () => {
    expect(nextIbasho(oddMonthsTuesday, jst('2027-01-27 09:00'))!.dates).toEqual(['2027-02-28']);
  });

  test('a Sunday month whose Sunday is over → next month’s Tuesday, even though its Sunday is earlier in the calendar', () => {
    // January 2027 would offer the 24th (Sunday), but January is a Tuesday month here.
    expect(nextIbasho(oddMonthsTuesday, jst('2026-12-27 17:00'))!.dates).toEqual(['2027-01-26']);
  });

  test('every month of 2027 gives exactly one day, on the right weekday', () => {
    for (let month = 1; month <= 12; month++) {
      const mm = String(month).padStart(2, '0');
      const next = nextIbasho(oddMonthsTuesday, jst(`2027-${mm}-01 09:00`))!;
      expect(next.dates).toEqual([fourth(2027, month - 1, month % 2 === 1 ? 2 : 0)]);
    }
  });
});

describe('explicit dates win over the rule', () => {
  // March 2027: 4th Tuesday 23rd, 4th Sunday 28th. April 2027: 4th Sunday 25th, 4th Tuesday 27th.
  test('a held date replaces the rule for its month: only that date, confirmed', () => {
    const next = nextIbasho(schedule([held('2027-03-14')]), jst('2027-03-01 09:00'))!;
    expect(next.dates).toEqual(['2027-03-14']);
    expect(next.confirmed).toBe(true);
    expect(next.phase).toBe('upcoming');
  });

  test('after a held date, the rule days of that month are not offered: next month follows', () => {
    const next = nextIbasho(schedule([held('2027-03-14')]), jst('2027-03-15 09:00'))!;
    expect(next.dates).toEqual(['2027-04-25', '2027-04-27']);
    expect(next.confirmed).toBe(false);
  });

  test('a held 4th Tuesday wins although the rule would give an earlier 4th Sunday in that month', () => {
    const next = nextIbasho(schedule([held('2027-01-26')]), jst('2027-01-10 09:00'))!;
    expect(next.dates).toEqual(['2027-01-26']);
    expect(next.confirmed).toBe(true);
  });

  test('a held date today → phase today, then now', () => {
    const s = schedule([held('2027-03-14')]);
    expect(nextIbasho(s, jst('2027-03-14 09:00'))!.phase).toBe('today');
    expect(nextIbasho(s, jst('2027-03-14 14:00'))!.phase).toBe('now');
  });

  test('a held date in a later month does not hide the rule days of the months before it', () => {
    const next = nextIbasho(schedule([held('2027-03-14')]), jst('2027-02-01 09:00'))!;
    expect(next.dates).toEqual(['2027-02-23', '2027-02-28']);
    expect(next.confirmed).toBe(false);
  });

  test('a cancelled candidate removes only its own day: the other remains, and cancelledBefore lists it', () => {
    const next = nextIbasho(schedule([cancelled('2027-01-24')]), jst('2027-01-10 09:00'))!;
    expect(next.dates).toEqual(['2027-01-26']);
    expect(next.confirmed).toBe(false);
    expect(next.cancelledBefore).toEqual(['2027-01-24']);
  });

  test('a cancelled later candidate leaves the earlier one, and is not "before" it', () => {
    const next = nextIbasho(schedule([cancelled('2027-01-26')]), jst('2027-01-10 09:00'))!;
    expect(next.dates).toEqual(['2027-01-24']);
    expect(next.cancelledBefore).toEqual([]);
  });

  test('both candidates of a month cancelled → next month, with both cancellations listed', () => {
    const next = nextIbasho(schedule([cancelled('2027-01-26'), cancelled('2027-01-24')]), jst('2027-01-10 09:00'))!;
    expect(next.dates).toEqual(['2027-02-23', '2027-02-28']);
    expect(next.cancelledBefore).toEqual(['2027-01-24', '2027-01-26']);
  });

  test('a cancellation in the past is not mentioned', () => {
    const next = nextIbasho(schedule([cancelled('2027-01-24')]), jst('2027-02-01 09:00'))!;
    expect(next.dates).toEqual(['2027-02-23', '2027-02-28']);
    expect(next.cancelledBefore).toEqual([]);
  });

  test('a moved date: the new day, confirmed, with movedFrom; the rule of the original month is replaced', () => {
    const next = nextIbasho(schedule([moved('2027-03-23', '2027-03-30')]), jst('2027-03-01 09:00'))!;
    expect(next.dates).toEqual(['2027-03-30']);
    expect(next.confirmed).toBe(true);
    expect(next.movedFrom).toBe('2027-03-23');
    expect(next.cancelledBefore).toEqual([]);
  });

  test('a date moved into the next month: offered on its new day, and the original month has no rule days', () => {
    const s = schedule([moved('2027-03-28', '2027-04-04')]);
    const inMarch = nextIbasho(s, jst('2027-03-20 09:00'))!;
    expect(inMarch.dates).toEqual(['2027-04-04']);
    expect(inMarch.movedFrom).toBe('2027-03-28');
    expect(inMarch.confirmed).toBe(true);

    const afterIt = nextIbasho(s, jst('2027-04-05 09:00'))!;
    expect(afterIt.dates).toEqual(['2027-04-25', '2027-04-27']);
    expect(afterIt.movedFrom).toBeUndefined();
  });

  test('a moved date today → phase now during the event', () => {
    const next = nextIbasho(schedule([moved('2027-03-23', '2027-03-30')]), jst('2027-03-30 15:00'))!;
    expect(next.phase).toBe('now');
    expect(next.movedFrom).toBe('2027-03-23');
  });
});

describe('calendar helpers (Asia/Tokyo)', () => {
  test('the 4th Tuesday / Sunday of every month 2026–2028 matches plain Date.UTC arithmetic', () => {
    for (let year = 2026; year <= 2028; year++) {
      for (let month0 = 0; month0 < 12; month0++) {
        const ym = `${year}-${String(month0 + 1).padStart(2, '0')}`;
        expect(nthWeekdayOfMonth(ym, 4, 'tue')).toBe(fourth(year, month0, 2));
        expect(nthWeekdayOfMonth(ym, 4, 'sun')).toBe(fourth(year, month0, 0));
      }
    }
  });

  test('a 5th weekday that the month does not have → null (February 2027 has four Tuesdays)', () => {
    expect(nthWeekdayOfMonth('2027-02', 5, 'tue')).toBeNull();
    expect(nthWeekdayOfMonth('2026-12', 5, 'tue')).toBe('2026-12-29');
  });

  test('months and days roll over the year end and leap days', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
    expect(addMonths('2026-11', 14)).toBe('2028-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });

  test('the local date of an instant is the date in Tokyo', () => {
    expect(localDateOf(new Date('2026-12-21T15:30:00Z'))).toBe('2026-12-22');
    expect(localDateOf(new Date('2026-12-21T14:59:59Z'))).toBe('2026-12-21');
  });

  /** Works whether tokyoInstant returns epoch milliseconds or a Dayjs. */
  const utcOf = (instant: number | { valueOf(): number }) => new Date(+instant).toISOString();

  test('a wall-clock time in Tokyo is 9 hours ahead of UTC; 24:00 is the next midnight', () => {
    expect(utcOf(tokyoInstant('2026-12-22', '13:30'))).toBe('2026-12-22T04:30:00.000Z');
    expect(utcOf(tokyoInstant('2026-12-22', '00:00'))).toBe('2026-12-21T15:00:00.000Z');
    expect(utcOf(tokyoInstant('2026-12-22', '24:00'))).toBe('2026-12-22T15:00:00.000Z');
  });

  test('weekday and parts of a date', () => {
    expect(weekdayOf('2027-01-04')).toBe('mon');
    expect(weekdayOf('2026-12-27')).toBe('sun');
    expect(dateParts('2026-12-22')).toEqual({ month: 12, day: 22, weekday: 2 });
  });

  test('年末年始 is 12/29 to 1/3 inclusive', () => {
    expect(isNewYearBreak('2026-12-28')).toBe(false);
    expect(isNewYearBreak('2026-12-29')).toBe(true);
    expect(isNewYearBreak('2026-12-31')).toBe(true);
    expect(isNewYearBreak('2027-01-03')).toBe(true);
    expect(isNewYearBreak('2027-01-04')).toBe(false);
  });

  test('Japanese public holidays: 勤労感謝の日 2026-11-23 and 成人の日 2027-01-11; an ordinary Monday is not', () => {
    expect(isPublicHoliday('2026-11-23')).toBe(true);
    expect(isPublicHoliday('2027-01-11')).toBe(true);
    expect(isPublicHoliday('2027-01-04')).toBe(false);
    expect(isPublicHoliday('2026-11-24')).toBe(false);
  });
});
