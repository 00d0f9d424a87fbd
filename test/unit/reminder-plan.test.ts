import path from 'node:path';
import { loadDefinitions } from '../../src/files/definitions-files';
import type { Definitions } from '../../src/domain/definitions';
import type { IbashoDateOverride } from '../../src/domain/content/schema';
import { reminderReply, openNoticeReply } from '../../src/domain/render-reply';
import { dueReminders, MULTICAST_LIMIT, planReminders, withinQuota, type Audiences, type Delivery, type DueReminders } from '../../src/domain/reminder-plan';
import type { StaffIbashoDate } from '../../src/domain/staff-changes/change';

const root = path.resolve(__dirname, '../..');
const base = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
const provenance = { source: 'test fixture', checked: '2026-11-25' };

function withDates(dates: IbashoDateOverride[]): Definitions {
  return { ...base, content: { ...base.content, ibasho: { ...base.content.ibasho, dates } } };
}

/** One held date, Thursday 10 December 2026 13:30 in Tokyo; its reminders go the day before at 18:00 and at 09:00. */
const held = withDates([{ date: '2026-12-10', status: 'held', ...provenance }]);
const tokyo = (local: string) => new Date(`${local}+09:00`);
const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `U${prefix}${i}`);
const noOne: Audiences = { ofSlot: new Map(), announced: [], opening: [] };
const keys = (deliveries: readonly Delivery[]) => deliveries.map((d) => d.slotKey);

describe('dueReminders: which reminder slots a pass at an instant asks about', () => {
  test.each([
    ['before any send time', '2026-12-09T17:59:00', [], []],
    ['just after the day-before time', '2026-12-09T18:00:30', ['2026-12-10:day-before'], []],
    ['a late run the next morning: both are due', '2026-12-10T09:30:00', ['2026-12-10:day-before', '2026-12-10:morning'], []],
    ['after the start: both are missed', '2026-12-10T13:31:00', [], ['2026-12-10:day-before', '2026-12-10:morning']],
    ['three days later: nothing is counted any more', '2026-12-13T12:00:00', [], []],
  ])('%s', (_name, local, due, missed) => {
    const result = dueReminders(held, tokyo(local), null);
    expect(result.due.map((s) => `${s.eventDate}:${s.kind}`)).toEqual(due);
    expect(result.missed.map((s) => `${s.eventDate}:${s.kind}`)).toEqual(missed);
    expect(result.announcement).toBeNull();
  });

  test('a date staff published brings its one announcement; without staff dates there is none', () => {
    const published: StaffIbashoDate = { date: '2026-12-10', status: 'held', movedTo: null, start: null, end: null, note: null, by: 'staff', at: tokyo('2026-12-01T10:00:00').getTime() };
    const now = tokyo('2026-12-01T12:00:00');
    expect(dueReminders(held, now, [published]).announcement).toMatchObject({ slotKey: 'decided:2026-12-10', eventDate: '2026-12-10', subscribedBy: published.at });
    expect(dueReminders(held, now, null).announcement).toBeNull();
    // Outside push hours (21:00–08:00) it waits.
    expect(dueReminders(held, tokyo('2026-12-01T22:00:00'), [published]).announcement).toBeNull();
    expect(dueReminders(held, tokyo('2026-12-01T21:00:00'), [published]).announcement).toBeNull();
    expect(dueReminders(held, tokyo('2026-12-01T20:59:00'), [published]).announcement).not.toBeNull();
    expect(dueReminders(held, tokyo('2026-12-02T07:59:00'), [published]).announcement).toBeNull();
    expect(dueReminders(held, tokyo('2026-12-02T08:00:00'), [published]).announcement).not.toBeNull();
  });
});

describe('planReminders: who gets what', () => {
  const plan = (local: string, ofSlot: Record<string, string[]>, extra: Partial<Audiences> = {}, due?: DueReminders) => {
    const now = tokyo(local);
    return planReminders(held, now, due ?? dueReminders(held, now, null), { ...noOne, ofSlot: new Map(Object.entries(ofSlot)), ...extra });
  };

  interface Row {
    name: string;
    at: string;
    ofSlot: Record<string, string[]>;
    due: number;
    send: [string, number][];
    missed: [string, number][];
  }
  test.each<Row>([
    {
      name: 'the day-before reminder goes to everyone who has not had it',
      at: '2026-12-09T18:00:30',
      ofSlot: { '2026-12-10:day-before': people('a', 3) },
      due: 1,
      send: [['2026-12-10:day-before', 3]],
      missed: [],
    },
    {
      name: 'nobody waiting: nothing to send and nobody missed',
      at: '2026-12-09T18:00:30',
      ofSlot: {},
      due: 1,
      send: [],
      missed: [],
    },
    {
      name: 'a late run sends only the latest reminder of the day; the earlier one counts as missed',
      at: '2026-12-10T09:30:00',
      ofSlot: { '2026-12-10:day-before': people('a', 2), '2026-12-10:morning': people('a', 2) },
      due: 2,
      send: [['2026-12-10:morning', 2]],
      missed: [['2026-12-10:day-before', 2]],
    },
    {
      name: 'someone who already had the day-before reminder still gets the morning one',
      at: '2026-12-10T09:30:00',
      ofSlot: { '2026-12-10:day-before': [], '2026-12-10:morning': people('a', 4) },
      due: 2,
      send: [['2026-12-10:morning', 4]],
      missed: [],
    },
    {
      name: 'once the event has started, whoever was not reached is missed',
      at: '2026-12-10T13:31:00',
      ofSlot: { '2026-12-10:day-before': people('a', 1), '2026-12-10:morning': people('b', 2) },
      due: 0,
      send: [],
      missed: [
        ['2026-12-10:day-before', 1],
        ['2026-12-10:morning', 2],
      ],
    },
  ])('$name', ({ at, ofSlot, due, send, missed }) => {
    const result = plan(at, ofSlot);
    expect(result.due).toBe(due);
    expect(result.deliveries.map((d) => [d.slotKey, d.people.length])).toEqual(send);
    expect(result.missed.filter((m) => m.people.length > 0).map((m) => [m.slotKey, m.people.length])).toEqual(missed);
    expect(result.dropped).toEqual([]);
  });

  test('a reminder carries the reminder message, the event start as its deadline, and multicasts of 500', () => {
    const [delivery] = plan('2026-12-09T18:00:30', { '2026-12-10:day-before': people('a', 1) }).deliveries;
    const slot = dueReminders(held, tokyo('2026-12-09T18:00:30'), null).due[0]!;
    expect(delivery).toEqual({ kind: 'reminder', slotKey: '2026-12-10:day-before', people: ['Ua0'], message: reminderReply(held, slot), deadline: tokyo('2026-12-10T13:30:00').getTime(), batchSize: MULTICAST_LIMIT });
    expect(MULTICAST_LIMIT).toBe(500);
  });

  // tokyo-hss is open Monday to Friday 10:00–17:00; concierge's hours are unknown.
  test.each([
    { name: 'a window that is open: one notice, the group forgotten once claimed', at: '2026-12-01T12:00:00', window: 'tokyo-hss', notices: 1, dropped: 0 },
    { name: 'a window that has closed again: dropped, its people missed', at: '2026-12-01T18:00:00', window: 'tokyo-hss', notices: 0, dropped: 1 },
    { name: 'a window whose hours are unknown: dropped', at: '2026-12-01T12:00:00', window: 'concierge', notices: 0, dropped: 1 },
    { name: 'a window no longer in content/: dropped', at: '2026-12-01T12:00:00', window: 'gone', notices: 0, dropped: 1 },
  ])('$name', ({ at, window, notices, dropped }) => {
    const sendAt = tokyo('2026-12-01T10:00:00').getTime();
    const group = { window, sendAt, waiting: ['Ua', 'Ub'] };
    const result = plan(at, {}, { opening: [group] });
    expect(result.due).toBe(notices);
    expect(result.dropped).toEqual(dropped ? [group] : []);
    expect(result.deliveries).toHaveLength(notices);
    if (notices) {
      expect(result.deliveries[0]).toEqual({
        kind: 'notice',
        slotKey: `open:${window}:${sendAt}`,
        people: ['Ua', 'Ub'],
        message: openNoticeReply(held, window),
        deadline: tokyo('2026-12-01T17:00:00').getTime(),
        batchSize: MULTICAST_LIMIT,
        forget: { window, sendAt, waiting: ['Ua', 'Ub'] },
      });
    }
  });

  test('deliveries come in order of priority: reminders, the announcement, then open notices', () => {
    const now = tokyo('2026-12-09T18:00:30');
    const announcement = { slotKey: 'decided:2026-12-10', eventDate: '2026-12-10', eventStart: tokyo('2026-12-10T13:30:00').getTime(), start: '13:30', end: '16:30', subscribedBy: 0 };
    const due: DueReminders = { ...dueReminders(held, now, null), announcement };
    const opening = [{ window: 'tokyo-hss', sendAt: tokyo('2026-12-09T10:00:00').getTime(), waiting: ['Uc'] }];
    // At 18:00 tokyo-hss has closed: its notice is dropped, not queued behind the reminder.
    const result = plan('2026-12-09T18:00:30', { '2026-12-10:day-before': ['Ua'] }, { announced: ['Ub'], opening }, due);
    expect(keys(result.deliveries)).toEqual(['2026-12-10:day-before', 'decided:2026-12-10']);
    expect(result.deliveries[1]).toMatchObject({ kind: 'announcement', people: ['Ub'], message: reminderReply(held, { ...announcement, decided: true }) });
    expect(result.dropped).toEqual(opening);

    const noon = tokyo('2026-12-09T12:00:00');
    const atNoon = planReminders(held, noon, { due: [], missed: [], announcement }, { ofSlot: new Map(), announced: ['Ub'], opening });
    expect(keys(atNoon.deliveries)).toEqual(['decided:2026-12-10', `open:tokyo-hss:${opening[0]!.sendAt}`]);
    expect(atNoon.due).toBe(2);
  });

  test('an announcement nobody is waiting for is not due', () => {
    const announcement = { slotKey: 'decided:2026-12-10', eventDate: '2026-12-10', eventStart: 0, start: '13:30', end: '16:30', subscribedBy: 0 };
    const result = planReminders(held, tokyo('2026-12-09T12:00:00'), { due: [], missed: [], announcement }, noOne);
    expect(result).toEqual({ due: 0, missed: [], dropped: [], deliveries: [] });
  });
});

describe('withinQuota: each delivery whole or not at all, in order', () => {
  const delivery = (slotKey: string, n: number): Delivery => ({ kind: 'reminder', slotKey, people: people(slotKey, n), message: { messages: [] } as never, deadline: 0, batchSize: MULTICAST_LIMIT });

  test.each([
    { name: 'no limit: everything', limit: null, used: 0, sizes: [20_000, 1], send: ['a', 'b'] },
    { name: 'both fit', limit: 1000, used: 0, sizes: [600, 400], send: ['a', 'b'] },
    { name: 'an exact fit is sent', limit: 1000, used: 500, sizes: [500], send: ['a'] },
    { name: 'the second would overflow: none of it', limit: 1000, used: 0, sizes: [600, 500], send: ['a'] },
    { name: 'a smaller one after a skipped one still goes', limit: 1000, used: 0, sizes: [1200, 300], send: ['b'] },
    { name: 'used up: nothing', limit: 1000, used: 1000, sizes: [1], send: [] },
    { name: 'over the limit already: nothing', limit: 1000, used: 1200, sizes: [1], send: [] },
  ])('$name', ({ limit, used, sizes, send }) => {
    const deliveries = sizes.map((n, i) => delivery('ab'[i]!, n));
    const result = withinQuota(deliveries, { limit, used });
    expect(keys(result.send)).toEqual(send);
    expect(keys(result.skipped)).toEqual(deliveries.map((d) => d.slotKey).filter((k) => !send.includes(k)));
  });
});
