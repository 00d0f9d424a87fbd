/**
 * One contract, two stores: every behaviour the use cases rely on, run against the embedded SQLite
 * store and against a real PostgreSQL database.
 */
import { Migrator, sql } from 'kysely';
import { migrateToLatest, migrations } from '../../src/store/migrations';
import type { DatabaseStore } from '../../src/store/open-store';
import { ConflictError, type RecordTurn } from '../../src/usecases/ports';
import type { Reply } from '../../src/domain/reply';
import { describeWithPostgres } from '../support/postgres';
import { postgresStores, sqliteStores, type StoreFactory } from '../support/stores';

const reply: Reply = { messages: [{ kind: 'text', text: 'こんにちは' }], choices: [] };
const T0 = Date.UTC(2026, 10, 25, 1, 0, 0);

let counter = 0;
const uid = () => `U${String(++counter).padStart(32, '0')}`;
const eid = () => `01EVENT${String(++counter).padStart(19, '0')}`;

function turn(overrides: Partial<RecordTurn> & { userId: string }): RecordTurn {
  return {
    eventId: eid(),
    channel: 'line',
    replyToken: 'r'.repeat(32),
    state: { flowVersion: 'guide@1', snapshot: { value: 'start', context: { lastQuestion: 'start' } } },
    expectedVersion: null,
    reply,
    crisis: false,
    at: new Date(T0),
    lastEventAt: T0,
    leaseMs: 30_000,
    ...overrides,
  };
}

function contract(factory: StoreFactory) {
  let store: DatabaseStore;
  let cleanup: () => Promise<void>;

  const conversationOf = async (userId: string) => (await store.loadTurnContext(userId)).conversation;
  const isSubscribed = async (userId: string) => (await store.loadTurnContext(userId)).subscribed;

  beforeAll(async () => {
    ({ store, cleanup } = await factory.open());
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  describe('conversations and events', () => {
    test('a first turn stores the state at version 1 and the event as pending with its reply', async () => {
      const userId = uid();
      expect(await conversationOf(userId)).toBeNull();
      const t = turn({ userId });
      expect(await store.recordTurn(t)).toBe('recorded');
      expect(await conversationOf(userId)).toEqual({ state: t.state, version: 1, lastDay: null, lastEventAt: T0 });
      expect(await store.findEvent(t.eventId)).toEqual({ status: 'pending', userId, replyToken: t.replyToken, reply, delivery: 'reply', crisis: false });
    });

    test('markReplied keeps only the id: the reply, its token and the user id are erased', async () => {
      const t = turn({ userId: uid() });
      await store.recordTurn(t);
      await store.markReplied(t.eventId);
      expect(await store.findEvent(t.eventId)).toMatchObject({ status: 'replied', userId: '', replyToken: null, reply: null });
    });

    test('a mark written behind is stored with the next turn recorded', async () => {
      const first = turn({ userId: uid() });
      await store.recordTurn(first);
      const mark = store.markReplied(first.eventId);
      await store.recordTurn(turn({ userId: uid() }));
      await mark;
      expect((await store.findEvent(first.eventId))?.status).toBe('replied');
    });

    test('marks still waiting are written when the store closes', async () => {
      const { store: own, cleanup: ownCleanup } = await factory.reopen(store);
      const t = turn({ userId: uid() });
      await own.recordTurn(t);
      const mark = own.markReplied(t.eventId);
      await own.close();
      await mark;
      expect((await store.findEvent(t.eventId))?.status).toBe('replied');
      await ownCleanup();
    });

    test('a subscriber whose conversation was purged: no conversation, still subscribed, in one read', async () => {
      const userId = uid();
      await store.recordTurn(turn({ userId, subscription: 'subscribe' }));
      await sql`DELETE FROM conversations WHERE user_id = ${userId}`.execute(store.database);
      expect(await store.loadTurnContext(userId)).toEqual({ conversation: null, subscribed: true });
      expect(await store.loadTurnContext(uid())).toEqual({ conversation: null, subscribed: false });
    });

    test('many markReplied at once share a write, and each caller returns only once its event is marked', async () => {
      const turns = Array.from({ length: 30 }, () => turn({ userId: uid() }));
      for (const t of turns) await store.recordTurn(t);
      await Promise.all(
        turns.map(async (t) => {
          await store.markReplied(t.eventId);
          expect((await store.findEvent(t.eventId))?.status).toBe('replied');
        }),
      );
    });

    test("a turn read and recorded while a transaction of the store's is open stays out of it: kept when that transaction rolls back", async () => {
      const userId = uid();
      const t = turn({ userId });
      let reading!: Promise<Awaited<ReturnType<DatabaseStore['loadTurnContext']>>>;
      let recording!: Promise<unknown>;
      const rolledBack = store.database.transaction().execute(async (trx) => {
        await trx.insertInto('subscriptions').values({ user_id: userId, created_at: T0, channel: 'line' }).execute();
        reading = store.loadTurnContext(userId);
        recording = store.recordTurn(t);
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error('rolled back');
      });
      await expect(rolledBack).rejects.toThrow('rolled back');
      expect(await recording).toBe('recorded');
      expect((await reading).subscribed).toBe(false);
      expect(await store.findEvent(t.eventId)).toMatchObject({ status: 'pending', userId });
      expect(await isSubscribed(userId)).toBe(false);
    });

    test('the same event id twice: "duplicate", and nothing is written the second time', async () => {
      const userId = uid();
      const t = turn({ userId });
      await store.recordTurn(t);
      const again = turn({ userId, eventId: t.eventId, expectedVersion: 1, state: { ...t.state, snapshot: { value: 'family', context: { lastQuestion: 'family' } } } });
      expect(await store.recordTurn(again)).toBe('duplicate');
      expect(await conversationOf(userId)).toEqual({ state: t.state, version: 1, lastDay: null, lastEventAt: T0 });
    });

    test('a stale version is a ConflictError and leaves no trace of the event', async () => {
      const userId = uid();
      await store.recordTurn(turn({ userId }));
      await store.recordTurn(turn({ userId, expectedVersion: 1 }));
      const stale = turn({ userId, expectedVersion: 1 });
      await expect(store.recordTurn(stale)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.findEvent(stale.eventId)).toBeNull();
      const racingFirst = turn({ userId, expectedVersion: null });
      await expect(store.recordTurn(racingFirst)).rejects.toBeInstanceOf(ConflictError);
      expect((await conversationOf(userId))!.version).toBe(2);
    });

    test('concurrent turns on one version: exactly one wins', async () => {
      const userId = uid();
      await store.recordTurn(turn({ userId }));
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => store.recordTurn(turn({ userId, expectedVersion: 1 }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
      expect((await conversationOf(userId))!.version).toBe(2);
    });

    test('turns of many people at once each get their own outcome; a duplicate or a stale one among them spoils nothing', async () => {
      const first = turn({ userId: uid() });
      await store.recordTurn(first);
      const people = Array.from({ length: 10 }, uid);
      const duplicate = turn({ userId: uid(), eventId: first.eventId });
      const stale = turn({ userId: first.userId, expectedVersion: 7 });
      const results = await Promise.allSettled([
        ...people.slice(0, 5).map((userId) => store.recordTurn(turn({ userId }))),
        store.recordTurn(duplicate),
        store.recordTurn(stale),
        ...people.slice(5).map((userId) => store.recordTurn(turn({ userId }))),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
        ...Array(5).fill('recorded'),
        'duplicate',
        'ConflictError',
        ...Array(5).fill('recorded'),
      ]);
      for (const userId of people) expect((await conversationOf(userId))?.version).toBe(1);
      expect(await conversationOf(duplicate.userId)).toBeNull();
      expect(await store.findEvent(stale.eventId)).toBeNull();
    });

    test('a pending event can be claimed only once its lease has run out or was released', async () => {
      const t = turn({ userId: uid() });
      await store.recordTurn(t);
      expect(await store.claimPendingEvent(t.eventId, new Date(T0 + 1_000), 30_000)).toBeNull();
      const claimed = await store.claimPendingEvent(t.eventId, new Date(T0 + 31_000), 30_000);
      expect(claimed?.reply).toEqual(reply);
      expect(await store.claimPendingEvent(t.eventId, new Date(T0 + 32_000), 30_000)).toBeNull();
      await store.releaseEvent(t.eventId);
      expect(await store.claimPendingEvent(t.eventId, new Date(T0 + 33_000), 30_000)).not.toBeNull();
      await store.markReplied(t.eventId);
      await store.releaseEvent(t.eventId);
      expect(await store.claimPendingEvent(t.eventId, new Date(T0 + 99_000), 30_000)).toBeNull();
    });

    test('the newest applied event time is kept with the conversation; a crisis reply is marked as such', async () => {
      const userId = uid();
      const first = turn({ userId, lastEventAt: T0 + 5_000, crisis: true });
      await store.recordTurn(first);
      expect((await conversationOf(userId))?.lastEventAt).toBe(T0 + 5_000);
      expect((await store.findEvent(first.eventId))?.crisis).toBe(true);
      await store.recordTurn(turn({ userId, expectedVersion: 1, lastEventAt: T0 + 9_000 }));
      expect((await conversationOf(userId))?.lastEventAt).toBe(T0 + 9_000);
    });

    test('a pending event switched to push delivery stays so when it is taken over', async () => {
      const t = turn({ userId: uid() });
      await store.recordTurn(t);
      await store.markPushDelivery(t.eventId);
      await store.releaseEvent(t.eventId);
      expect(await store.claimPendingEvent(t.eventId, new Date(T0 + 1_000), 30_000)).toMatchObject({ delivery: 'push', userId: t.userId, reply });
    });

    test('abandoned events: pending ones whose lease ran out, oldest first; held or replied ones are not listed', async () => {
      const [held, old, older, done] = [uid(), uid(), uid(), uid()].map((userId, i) => turn({ userId, at: new Date(T0 - i * 1_000) }));
      for (const t of [held!, old!, older!, done!]) await store.recordTurn(t);
      await store.markReplied(done!.eventId);
      // The store is shared with other tests: only these four events are looked at.
      const ours = new Set([held, old, older, done].map((t) => t!.eventId));
      const abandoned = async (at: number) => (await store.abandonedEvents(new Date(at), 1000)).filter((e) => ours.has(e.eventId));
      expect(await abandoned(T0 + 27_000)).toEqual([]);
      await store.releaseEvent(old!.eventId);
      await store.releaseEvent(older!.eventId);
      expect(await abandoned(T0 + 27_000)).toEqual([
        { eventId: older!.eventId, userId: older!.userId },
        { eventId: old!.eventId, userId: old!.userId },
      ]);
      expect(await store.abandonedEvents(new Date(T0 + 27_000), 1)).toHaveLength(1);
      expect((await abandoned(T0 + 31_000)).map((e) => e.eventId)).toEqual([older!.eventId, old!.eventId, held!.eventId]);
    });

    test('a corrupt stored snapshot is handed on as such, not thrown', async () => {
      const userId = uid();
      await store.recordTurn(turn({ userId }));
      await sql`UPDATE conversations SET snapshot = ${'{broken'} WHERE user_id = ${userId}`.execute(store.database);
      expect(await conversationOf(userId)).toEqual({ state: { flowVersion: 'guide@1', snapshot: null }, version: 1, lastDay: null, lastEventAt: T0 });
    });
  });

  describe('subscriptions and deletion', () => {
    test('subscribe and unsubscribe ride on the turn; deleteUser forgets everything', async () => {
      const userId = uid();
      await store.recordTurn(turn({ userId, subscription: 'subscribe' }));
      expect(await isSubscribed(userId)).toBe(true);
      await store.recordTurn(turn({ userId, expectedVersion: 1, subscription: 'subscribe' }));
      await store.recordTurn(turn({ userId, expectedVersion: 2, subscription: 'unsubscribe' }));
      expect(await isSubscribed(userId)).toBe(false);
      const last = turn({ userId, expectedVersion: 3, subscription: 'subscribe' });
      await store.recordTurn(last);
      await store.claimDeliveries({ slotKey: 'del:test', userIds: [userId], message: reply, eventStart: T0 + 1e6, batchSize: 500, now: T0 });
      const someoneElse = turn({ userId: uid() });
      await store.recordTurn(someoneElse);
      await store.deleteUser(userId);
      expect(await conversationOf(userId)).toBeNull();
      expect(await isSubscribed(userId)).toBe(false);
      expect(await store.findEvent(last.eventId)).toBeNull();
      const named = await sql<{ n: number }>`SELECT count(*) AS n FROM webhook_events WHERE user_id = ${userId}`.execute(store.database);
      expect(Number(named.rows[0]!.n)).toBe(0);
      expect(await store.findEvent(someoneElse.eventId)).toMatchObject({ status: 'pending', userId: someoneElse.userId });
      const batches = await store.pendingBatches(T0);
      expect(batches.find((b) => b.slotKey === 'del:test')?.recipients ?? []).toEqual([]);
    });
  });

  describe('reminder outbox', () => {
    async function subscribers(n: number, at = T0): Promise<string[]> {
      const ids = Array.from({ length: n }, uid);
      for (const userId of ids) await store.recordTurn(turn({ userId, at: new Date(at), subscription: 'subscribe' }));
      return ids;
    }

    test('who is due: subscribed by the send time and not yet claimed for the slot', async () => {
      const early = await subscribers(2, T0);
      const late = await subscribers(1, T0 + 10_000);
      const slot = `due:${counter}`;
      const due = await store.subscribersWithoutDelivery(slot, T0 + 5_000);
      expect(due).toEqual(expect.arrayContaining(early));
      expect(due).not.toContain(late[0]);
      await store.claimDeliveries({ slotKey: slot, userIds: [early[0]!], message: reply, eventStart: T0 + 1e6, batchSize: 500, now: T0 });
      expect(await store.subscribersWithoutDelivery(slot, T0 + 5_000)).not.toContain(early[0]);
    });

    test('two claims at once never claim one person twice; batches hold at most batchSize', async () => {
      const people = await subscribers(7);
      const slot = `claim:${counter}`;
      const args = { slotKey: slot, userIds: people, message: reply, eventStart: T0 + 1e6, batchSize: 3, now: T0 };
      const [a, b] = await Promise.all([store.claimDeliveries(args), store.claimDeliveries(args)]);
      const claimed = [...a, ...b].flatMap((batch) => batch.recipients);
      expect(claimed.sort()).toEqual([...people].sort());
      expect([...a, ...b].every((batch) => batch.recipients.length <= 3)).toBe(true);
      expect(new Set([...a, ...b].map((batch) => batch.retryKey)).size).toBe(a.length + b.length);
    });

    test('a pending batch is leased by one dispatcher at a time; finished batches are no longer pending', async () => {
      const people = await subscribers(2);
      const slot = `lease:${counter}`;
      const [batch] = await store.claimDeliveries({ slotKey: slot, userIds: people, message: reply, eventStart: T0 + 1e6, batchSize: 500, now: T0 });
      const pending = (await store.pendingBatches(T0)).find((b) => b.batchId === batch!.batchId)!;
      expect(pending.recipients.sort()).toEqual([...people].sort());
      expect(pending.message).toEqual(reply);
      expect(pending.retryKey).toBe(batch!.retryKey);
      const leases = await Promise.all([store.leaseBatch(batch!.batchId, T0, 60_000), store.leaseBatch(batch!.batchId, T0, 60_000)]);
      expect(leases.filter(Boolean)).toHaveLength(1);
      expect((await store.pendingBatches(T0 + 1)).some((b) => b.batchId === batch!.batchId)).toBe(false);
      await store.deferBatch(batch!.batchId, 2);
      expect((await store.pendingBatches(T0 + 1)).find((b) => b.batchId === batch!.batchId)?.attempts).toBe(2);
      await store.finishBatch(batch!.batchId, 'sent', 3);
      expect((await store.pendingBatches(T0 + 1e9)).some((b) => b.batchId === batch!.batchId)).toBe(false);
    });

    test('missed people are recorded once', async () => {
      const people = await subscribers(3);
      const slot = `missed:${counter}`;
      expect(await store.recordMissed(slot, people, T0)).toBe(3);
      expect(await store.recordMissed(slot, people, T0)).toBe(0);
      expect(await store.subscribersWithoutDelivery(slot, T0 + 1)).toEqual(expect.not.arrayContaining(people));
    });
  });

  describe('channels', () => {
    test('a simulator user subscribes and waits for an opening like anyone, but is never handed out for a push', async () => {
      const onLine = uid();
      const onSimulator = `sim-${uid()}`;
      const openNotification = { window: `w${counter}`, sendAt: T0 + 1_000 };
      await store.recordTurn(turn({ userId: onLine, channel: 'line', subscription: 'subscribe', openNotification }));
      await store.recordTurn(turn({ userId: onSimulator, channel: 'simulator', subscription: 'subscribe', openNotification }));
      expect(await isSubscribed(onSimulator)).toBe(true);
      const due = await store.subscribersWithoutDelivery(`channels:${counter}`, T0 + 1);
      expect(due).toContain(onLine);
      expect(due).not.toContain(onSimulator);
      const waiting = (await store.openNotificationsDue(T0 + 1_000)).filter((g) => g.window === openNotification.window);
      expect(waiting).toEqual([{ window: openNotification.window, sendAt: openNotification.sendAt, userIds: [onLine] }]);
    });

    test('rows from before channels were recorded: a "sim-" id becomes a simulator row, any other a LINE row', async () => {
      const { store: old, cleanup: oldCleanup } = await factory.blank();
      try {
        const { error } = await new Migrator({ db: old.database, provider: { getMigrations: async () => migrations } }).migrateTo('0005-event-order-and-delivery');
        expect(error).toBeUndefined();
        const rows = ['sim-00000000-0000-4000-8000-000000000000', 'U0123456789abcdef0123456789abcdef'];
        await sql`INSERT INTO subscriptions (user_id, created_at) VALUES (${rows[0]}, ${T0}), (${rows[1]}, ${T0})`.execute(old.database);
        await sql`INSERT INTO open_notifications (user_id, window_id, send_at, created_at) VALUES (${rows[0]}, 'w', ${T0}, ${T0}), (${rows[1]}, 'w', ${T0}, ${T0})`.execute(old.database);
        expect(await migrateToLatest(old.database)).toContain('0006-channels');
        expect(await old.subscribersWithoutDelivery('old', T0)).toEqual([rows[1]]);
        expect(await old.openNotificationsDue(T0)).toEqual([{ window: 'w', sendAt: T0, userIds: [rows[1]] }]);
        expect((await old.loadTurnContext(rows[0]!)).subscribed).toBe(true);
      } finally {
        await old.close();
        await oldCleanup();
      }
    });
  });

  describe('event rows from before 0007', () => {
    test('a replied event forgets its user; a pending one keeps it, and deleteUser still finds it', async () => {
      const { store: old, cleanup: oldCleanup } = await factory.blank();
      try {
        const { error } = await new Migrator({ db: old.database, provider: { getMigrations: async () => migrations } }).migrateTo('0006-channels');
        expect(error).toBeUndefined();
        const [replied, pending] = [uid(), uid()];
        await sql`INSERT INTO webhook_events (event_id, user_id, status, lease_until, received_at) VALUES ('E-replied', ${replied}, 'replied', 0, ${T0}), ('E-pending', ${pending}, 'pending', 0, ${T0})`.execute(old.database);
        expect(await migrateToLatest(old.database)).toContain('0007-replied-events-forget-their-user');
        expect(await old.findEvent('E-replied')).toMatchObject({ status: 'replied', userId: '' });
        expect(await old.findEvent('E-pending')).toMatchObject({ status: 'pending', userId: pending });
        expect(await old.abandonedEvents(new Date(T0 + 1), 10)).toEqual([{ eventId: 'E-pending', userId: pending }]);
        await old.deleteUser(pending);
        expect(await old.findEvent('E-pending')).toBeNull();
      } finally {
        await old.close();
        await oldCleanup();
      }
    });
  });

  describe('usage counts', () => {
    test('count reached, outcome and where each conversation stopped; concurrent turns in opposite directions all count', async () => {
      const day = `2031-01-${String(10 + (counter % 10)).padStart(2, '0')}`;
      const at = (node: string, from: string | null) => ({
        usage: { day, node, outcome: 'answer', previous: from ? { day, node: from } : null },
        state: { flowVersion: 'guide@1', snapshot: { value: node, context: { lastQuestion: null } } },
      });
      const people = Array.from({ length: 12 }, uid);
      for (const [i, userId] of people.entries()) {
        await store.recordTurn(turn({ userId, ...at(i % 2 === 0 ? 'a' : 'b', null) }));
      }
      expect((await conversationOf(people[0]!))!.lastDay).toBe(day);
      // Half move a → b while the other half move b → a, all at once.
      await Promise.all(
        people.map((userId, i) => store.recordTurn(turn({ userId, expectedVersion: 1, ...(i % 2 === 0 ? at('b', 'a') : at('a', 'b')) }))),
      );
      const rows = await store.usage(day, day);
      const count = (node: string, metric: string) => rows.find((r) => r.node === node && r.metric === metric)?.count ?? 0;
      expect(count('a', 'reached')).toBe(12);
      expect(count('b', 'reached')).toBe(12);
      expect(count('a', 'outcome:answer')).toBe(12);
      expect(count('a', 'stopped')).toBe(6);
      expect(count('b', 'stopped')).toBe(6);
      expect(rows.every((r) => !('user_id' in r))).toBe(true);
    });

    test('counts still in memory are written when the store closes', async () => {
      const { store: own, cleanup: ownCleanup } = await factory.reopen(store);
      const day = `2032-02-${String(10 + (counter % 10)).padStart(2, '0')}`;
      await own.recordTurn(turn({ userId: uid(), usage: { day, node: 'c', outcome: 'question', previous: null } }));
      await own.close();
      const rows = await store.usage(day, day);
      expect(rows.find((r) => r.node === 'c' && r.metric === 'reached')?.count).toBe(1);
      await ownCleanup();
    });
  });

  describe('retention', () => {
    test('old conversations, old event ids, old reminder records and open notices never sent go; subscriptions stay', async () => {
      const DAY = 86_400_000;
      const old = uid();
      const fresh = uid();
      const oldTurn = turn({ userId: old, at: new Date(T0 - 40 * DAY), subscription: 'subscribe' });
      await store.recordTurn(oldTurn);
      await store.markReplied(oldTurn.eventId);
      await store.recordTurn(turn({ userId: fresh, at: new Date(T0) }));
      await store.recordMissed(`retention:${counter}`, [old], T0 - 40 * DAY);
      const window = `retention-${counter}`;
      const [staleNotice, dueNotice] = [uid(), uid()];
      await store.recordTurn(turn({ userId: staleNotice, openNotification: { window, sendAt: T0 - 31 * DAY } }));
      await store.recordTurn(turn({ userId: dueNotice, openNotification: { window, sendAt: T0 - 29 * DAY } }));
      const counts = await store.purge({ conversationsIdleSince: T0 - 30 * DAY, eventsBefore: T0 - DAY, remindersBefore: T0 - 30 * DAY });
      expect(counts.conversations).toBeGreaterThanOrEqual(1);
      expect(counts.events).toBeGreaterThanOrEqual(1);
      expect(counts.reminderRecords).toBeGreaterThanOrEqual(1);
      expect(counts.openNotifications).toBeGreaterThanOrEqual(1);
      const stillDue = (await store.openNotificationsDue(T0)).filter((g) => g.window === window).flatMap((g) => g.userIds);
      expect(stillDue).toEqual([dueNotice]);
      expect(await conversationOf(old)).toBeNull();
      expect(await store.findEvent(oldTurn.eventId)).toBeNull();
      expect(await isSubscribed(old)).toBe(true);
      expect(await conversationOf(fresh)).not.toBeNull();
    });
  });

  test('ping answers while the database is reachable', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}

describe('embedded SQLite store', () => contract(sqliteStores));
describeWithPostgres('PostgreSQL store', () => contract(postgresStores));
