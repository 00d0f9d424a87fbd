import { Migrator, type Kysely, type MigrationProvider, type Selectable, type Transaction } from 'kysely';
import type { Reply } from '../domain/reply';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type RecordTurn,
  type ReminderBatch,
  type ReminderStore,
  type Store,
  type StoredEvent,
  type TurnContext,
  type PurgeCounts,
  type UsageRow,
} from '../usecases/ports';
import { migrations } from './migrations';
import type { Database } from './schema';
import { CounterTally, groupCommit } from './write-behind';
import { prepared, toCompiledQuery, type Bound } from './prepared';

const INSERT_CHUNK = 1000;
const USAGE_WRITE_INTERVAL_MS = 1000;

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration; both stores run the same list. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

type ContextRow = Pick<Database['conversations'], 'flow_version' | 'snapshot' | 'version' | 'last_day' | 'last_event_at'> & { subscribed: unknown };
type EventRow = Pick<Selectable<Database['webhook_events']>, 'status' | 'user_id' | 'reply_token' | 'reply' | 'delivery' | 'crisis'>;

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    status: row.status,
    userId: row.user_id,
    replyToken: row.reply_token,
    reply: row.reply ? (JSON.parse(row.reply) as Reply) : null,
    delivery: row.delivery,
    crisis: Boolean(Number(row.crisis)),
  };
}

/** The event id was recorded before: the turn is a duplicate and nothing of it was written. */
export class DuplicateEventError extends Error {
  constructor() {
    super('the event was already recorded');
    this.name = 'DuplicateEventError';
  }
}

/** One statement of a turn's transaction, and how its result or failure is read. */
export interface TurnStatement {
  bound: Bound;
  /** event: a unique violation means a duplicate; new-conversation: it means a conflict; versioned-update: not exactly one row means a conflict. */
  check?: 'event' | 'new-conversation' | 'versioned-update';
}

/** Turns a statement's failure or row count into what the use case acts on. Throws. */
export function checkTurnStatement(statement: TurnStatement, outcome: { error: unknown } | { changes: number }): void {
  if ('error' in outcome) {
    if (statement.check === 'event' && isUniqueViolation(outcome.error)) throw new DuplicateEventError();
    if (statement.check === 'new-conversation' && isUniqueViolation(outcome.error)) throw new ConflictError();
    throw outcome.error;
  }
  if (statement.check === 'versioned-update' && outcome.changes !== 1) throw new ConflictError();
}

/** The statements of every turn, compiled once per store. */
function compileTurnSql(db: Kysely<Database>) {
  return {
    context: prepared<{ userId: string }>((p) =>
      db
        .selectFrom('conversations')
        .select((eb) => [
          'flow_version',
          'snapshot',
          'version',
          'last_day',
          'last_event_at',
          eb.exists(eb.selectFrom('subscriptions').select('user_id').where('user_id', '=', p.userId)).as('subscribed'),
        ])
        .where('user_id', '=', p.userId),
    ),
    subscription: prepared<{ userId: string }>((p) => db.selectFrom('subscriptions').select('user_id').where('user_id', '=', p.userId)),
    insertEvent: prepared<{ eventId: string; userId: string; replyToken: string; reply: string; crisis: number; leaseUntil: number; receivedAt: number }>((p) =>
      db.insertInto('webhook_events').values({
        event_id: p.eventId,
        user_id: p.userId,
        status: 'pending',
        reply_token: p.replyToken,
        reply: p.reply,
        crisis: p.crisis,
        lease_until: p.leaseUntil,
        received_at: p.receivedAt,
      }),
    ),
    insertConversation: prepared<{ userId: string; flowVersion: string; snapshot: string; updatedAt: number; lastDay: string | null; lastEventAt: number }>((p) =>
      db.insertInto('conversations').values({
        user_id: p.userId,
        version: 1,
        flow_version: p.flowVersion,
        snapshot: p.snapshot,
        updated_at: p.updatedAt,
        last_day: p.lastDay,
        last_event_at: p.lastEventAt,
      }),
    ),
    updateConversation: prepared<{ userId: string; flowVersion: string; snapshot: string; updatedAt: number; lastDay: string | null; lastEventAt: number; version: number; expectedVersion: number }>(
      (p) =>
        db
          .updateTable('conversations')
          .set({ flow_version: p.flowVersion, snapshot: p.snapshot, updated_at: p.updatedAt, last_day: p.lastDay, last_event_at: p.lastEventAt, version: p.version })
          .where('user_id', '=', p.userId)
          .where('version', '=', p.expectedVersion),
    ),
    insertOpenNotification: prepared<{ userId: string; window: string; sendAt: number; createdAt: number }>((p) =>
      db
        .insertInto('open_notifications')
        .values({ user_id: p.userId, window_id: p.window, send_at: p.sendAt, created_at: p.createdAt })
        .onConflict((oc) => oc.columns(['user_id', 'window_id', 'send_at']).doNothing()),
    ),
    subscribe: prepared<{ userId: string; createdAt: number }>((p) =>
      db
        .insertInto('subscriptions')
        .values({ user_id: p.userId, created_at: p.createdAt })
        .onConflict((oc) => oc.column('user_id').doNothing()),
    ),
    unsubscribe: prepared<{ userId: string }>((p) => db.deleteFrom('subscriptions').where('user_id', '=', p.userId)),
  };
}

type TurnSql = ReturnType<typeof compileTurnSql>;

/**
 * The Store on any Kysely database: the SQL is the same for SQLite and PostgreSQL, and only the
 * dialect (how to connect) differs between the two.
 */
export class KyselyStore implements Store, ReminderStore {
  private readonly usageTally = new CounterTally<string>((deltas) => this.addUsage(deltas), USAGE_WRITE_INTERVAL_MS);
  private readonly markRepliedTogether = groupCommit<string>((eventIds) => this.markAllReplied(eventIds));

  /** The statements of every turn, compiled once. */
  protected readonly turnSql: TurnSql;

  constructor(
    protected readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => db.destroy(),
  ) {
    this.turnSql = compileTurnSql(db);
  }

  /** For migrations and maintenance. */
  get database(): Kysely<Database> {
    return this.db;
  }

  async findEvent(eventId: string): Promise<StoredEvent | null> {
    const row = await this.db
      .selectFrom('webhook_events')
      .select(['status', 'user_id', 'reply_token', 'reply', 'delivery', 'crisis'])
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row ? toStoredEvent(row) : null;
  }

  /** Runs one statement outside any transaction and returns its rows. */
  protected async rows(bound: Bound): Promise<Record<string, unknown>[]> {
    return (await this.db.executeQuery(toCompiledQuery(bound))).rows as Record<string, unknown>[];
  }

  async loadTurnContext(userId: string): Promise<TurnContext> {
    const [row] = (await this.rows(this.turnSql.context({ userId }))) as ContextRow[];
    if (!row) {
      // Before the first turn (or after the conversation was purged): a subscription may still exist.
      const subscription = await this.rows(this.turnSql.subscription({ userId }));
      return { conversation: null, subscribed: subscription.length > 0 };
    }
    let snapshot: unknown = null;
    try {
      snapshot = JSON.parse(row.snapshot);
    } catch {
      // A corrupt row is handed on as such: the conversation restarts it kindly.
    }
    return {
      conversation: {
        state: { flowVersion: row.flow_version, snapshot },
        version: Number(row.version),
        lastDay: row.last_day,
        lastEventAt: row.last_event_at === null ? null : Number(row.last_event_at),
      },
      // SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean.
      subscribed: Boolean(Number(row.subscribed)),
    };
  }

  /** The statements that record a turn, in the order they run in its transaction. */
  protected turnStatements(turn: RecordTurn): TurnStatement[] {
    const q = this.turnSql;
    const at = turn.at.getTime();
    const conversation = {
      userId: turn.userId,
      flowVersion: turn.state.flowVersion,
      snapshot: JSON.stringify(turn.state.snapshot),
      updatedAt: at,
      lastDay: turn.usage?.day ?? null,
      lastEventAt: turn.lastEventAt,
    };
    const statements: TurnStatement[] = [
      {
        bound: q.insertEvent({
          eventId: turn.eventId,
          userId: turn.userId,
          replyToken: turn.replyToken,
          reply: JSON.stringify(turn.reply),
          crisis: turn.crisis ? 1 : 0,
          leaseUntil: at + turn.leaseMs,
          receivedAt: at,
        }),
        check: 'event',
      },
      turn.expectedVersion === null
        ? { bound: q.insertConversation(conversation), check: 'new-conversation' }
        : { bound: q.updateConversation({ ...conversation, version: turn.expectedVersion + 1, expectedVersion: turn.expectedVersion }), check: 'versioned-update' },
    ];
    if (turn.openNotification) {
      statements.push({ bound: q.insertOpenNotification({ userId: turn.userId, window: turn.openNotification.window, sendAt: turn.openNotification.sendAt, createdAt: at }) });
    }
    if (turn.subscription === 'subscribe') statements.push({ bound: q.subscribe({ userId: turn.userId, createdAt: at }) });
    if (turn.subscription === 'unsubscribe') statements.push({ bound: q.unsubscribe({ userId: turn.userId }) });
    return statements;
  }

  /** Runs a turn's statements in one transaction; throws DuplicateEventError or ConflictError as checked. */
  protected async writeTurn(statements: TurnStatement[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const statement of statements) {
        let outcome: { error: unknown } | { changes: number };
        try {
          outcome = { changes: Number((await trx.executeQuery(toCompiledQuery(statement.bound))).numAffectedRows ?? 0) };
        } catch (error) {
          outcome = { error };
        }
        checkTurnStatement(statement, outcome);
      }
    });
  }

  async recordTurn(turn: RecordTurn): Promise<'recorded' | 'duplicate'> {
    try {
      await this.writeTurn(this.turnStatements(turn));
    } catch (error) {
      if (error instanceof DuplicateEventError) return 'duplicate';
      throw error;
    }
    if (turn.usage) this.countUsage(turn.usage);
    return 'recorded';
  }

  /**
   * Counts the node reached and the outcome, and moves this conversation's "stopped here" mark from
   * its previous node and day to this one: summed over a day, the marks say where people left off.
   * Counted in memory after the turn is saved, and written about once a second in one statement:
   * shared counter rows written on every turn made turns queue behind each other, and on PostgreSQL
   * two turns moving marks in opposite directions deadlocked. The figures are best effort.
   */
  private countUsage(usage: NonNullable<RecordTurn['usage']>): void {
    const add = (day: string, node: string, metric: string, by: number) => this.usageTally.add(JSON.stringify([day, node, metric]), by);
    add(usage.day, usage.node, 'reached', 1);
    add(usage.day, usage.node, `outcome:${usage.outcome}`, 1);
    if (usage.typed) add(usage.day, usage.node, `typed:${usage.typed}`, 1);
    add(usage.day, usage.node, 'stopped', 1);
    if (usage.previous) add(usage.previous.day, usage.previous.node, 'stopped', -1);
  }

  private async addUsage(deltas: [string, number][]): Promise<void> {
    const rows = deltas
      .map(([key, count]) => {
        const [day, node, metric] = JSON.parse(key) as [string, string, string];
        return { day, node, metric, count };
      })
      // Sorted, so that concurrent writers lock the counter rows in the same order.
      .sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.node !== b.node ? (a.node < b.node ? -1 : 1) : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('usage_daily')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['day', 'node', 'metric']).doUpdateSet((eb) => ({ count: eb('usage_daily.count', '+', eb.ref('excluded.count')) })))
        .execute();
    }
  }

  /** Writes the usage counts gathered in memory now, rather than within the next second. */
  writePendingCounts(): Promise<void> {
    return this.usageTally.flush();
  }

  async usage(from: string, to: string): Promise<UsageRow[]> {
    await this.writePendingCounts();
    const rows = await this.db
      .selectFrom('usage_daily')
      .select(['day', 'node', 'metric', 'count'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('node')
      .orderBy('metric')
      .execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  async openNotificationsDue(now: number): Promise<{ window: string; sendAt: number; userIds: string[] }[]> {
    const rows = await this.db
      .selectFrom('open_notifications')
      .select(['window_id', 'send_at', 'user_id'])
      .where('send_at', '<=', now)
      .orderBy('window_id')
      .orderBy('send_at')
      .orderBy('user_id')
      .execute();
    const groups = new Map<string, { window: string; sendAt: number; userIds: string[] }>();
    for (const row of rows) {
      const key = `${row.window_id}:${row.send_at}`;
      const group = groups.get(key) ?? { window: row.window_id, sendAt: Number(row.send_at), userIds: [] };
      group.userIds.push(row.user_id);
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  async clearOpenNotifications(window: string, sendAt: number, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += INSERT_CHUNK) {
      await this.db
        .deleteFrom('open_notifications')
        .where('window_id', '=', window)
        .where('send_at', '=', sendAt)
        .where('user_id', 'in', userIds.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async claimPendingEvent(eventId: string, now: Date, leaseMs: number): Promise<StoredEvent | null> {
    const result = await this.db
      .updateTable('webhook_events')
      .set({ lease_until: now.getTime() + leaseMs })
      .where('event_id', '=', eventId)
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now.getTime())
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    return this.findEvent(eventId);
  }

  async releaseEvent(eventId: string): Promise<void> {
    await this.db.updateTable('webhook_events').set({ lease_until: 0 }).where('event_id', '=', eventId).where('status', '=', 'pending').execute();
  }

  async markPushDelivery(eventId: string): Promise<void> {
    await this.db.updateTable('webhook_events').set({ delivery: 'push' }).where('event_id', '=', eventId).where('status', '=', 'pending').execute();
  }

  async abandonedEvents(now: Date, limit: number): Promise<{ eventId: string; userId: string }[]> {
    const rows = await this.db
      .selectFrom('webhook_events')
      .select(['event_id', 'user_id'])
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now.getTime())
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ eventId: r.event_id, userId: r.user_id }));
  }

  markReplied(eventId: string): Promise<void> {
    return this.markRepliedTogether(eventId);
  }

  private async markAllReplied(eventIds: string[]): Promise<void> {
    // The reply itself is no longer needed once sent; keep only the id for deduplication.
    for (let i = 0; i < eventIds.length; i += INSERT_CHUNK) {
      await this.db
        .updateTable('webhook_events')
        .set({ status: 'replied', reply: null, reply_token: null })
        .where('event_id', 'in', eventIds.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversations').where('user_id', '=', userId).execute();
      await trx.deleteFrom('webhook_events').where('user_id', '=', userId).execute();
      await trx.deleteFrom('subscriptions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('reminder_deliveries').where('user_id', '=', userId).execute();
      await trx.deleteFrom('open_notifications').where('user_id', '=', userId).execute();
    });
  }

  async subscribersWithoutDelivery(slotKey: string, subscribedBy: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('subscriptions as s')
      .select('s.user_id')
      .where('s.created_at', '<=', subscribedBy)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('reminder_deliveries as d')
              .select('d.user_id')
              .whereRef('d.user_id', '=', 's.user_id')
              .where('d.slot_key', '=', slotKey),
          ),
        ),
      )
      .orderBy('s.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Inserts delivery rows in chunks (SQLite allows at most 32766 bound values a statement). */
  private async insertDeliveries(
    trx: Transaction<Database>,
    rows: Database['reminder_deliveries'][],
  ): Promise<string[]> {
    const inserted: string[] = [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const result = await trx
        .insertInto('reminder_deliveries')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.columns(['slot_key', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      inserted.push(...result.map((r) => r.user_id));
    }
    return inserted;
  }

  async claimDeliveries(args: {
    slotKey: string;
    userIds: string[];
    message: Reply;
    eventStart: number;
    batchSize: number;
    now: number;
  }): Promise<ReminderBatch[]> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await this.insertDeliveries(
        trx,
        args.userIds.map((user_id) => ({ slot_key: args.slotKey, user_id, batch_id: null, status: 'claimed' as const, created_at: args.now })),
      );
      claimed.sort();
      const batches: ReminderBatch[] = [];
      const message = JSON.stringify(args.message);
      for (let i = 0; i < claimed.length; i += args.batchSize) {
        const recipients = claimed.slice(i, i + args.batchSize);
        const batch: ReminderBatch = {
          batchId: randomUUID(),
          slotKey: args.slotKey,
          retryKey: randomUUID(),
          recipients,
          message: args.message,
          eventStart: args.eventStart,
          attempts: 0,
        };
        await trx
          .insertInto('reminder_batches')
          .values({
            batch_id: batch.batchId,
            slot_key: batch.slotKey,
            retry_key: batch.retryKey,
            message,
            event_start: batch.eventStart,
            status: 'pending',
            attempts: 0,
            lease_until: 0,
            created_at: args.now,
          })
          .execute();
        for (let j = 0; j < recipients.length; j += INSERT_CHUNK) {
          await trx
            .updateTable('reminder_deliveries')
            .set({ batch_id: batch.batchId })
            .where('slot_key', '=', batch.slotKey)
            .where('user_id', 'in', recipients.slice(j, j + INSERT_CHUNK))
            .execute();
        }
        batches.push(batch);
      }
      return batches;
    });
  }

  async recordMissed(slotKey: string, userIds: string[], now: number): Promise<number> {
    if (userIds.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      const inserted = await this.insertDeliveries(
        trx,
        userIds.map((user_id) => ({ slot_key: slotKey, user_id, batch_id: null, status: 'missed' as const, created_at: now })),
      );
      return inserted.length;
    });
  }

  async pendingBatches(now: number): Promise<ReminderBatch[]> {
    const rows = await this.db
      .selectFrom('reminder_batches')
      .selectAll()
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now)
      .orderBy('created_at')
      .orderBy('batch_id')
      .execute();
    const batches: ReminderBatch[] = [];
    for (const row of rows) {
      const recipients = await this.db
        .selectFrom('reminder_deliveries')
        .select('user_id')
        .where('batch_id', '=', row.batch_id)
        .orderBy('user_id')
        .execute();
      batches.push({
        batchId: row.batch_id,
        slotKey: row.slot_key,
        retryKey: row.retry_key,
        recipients: recipients.map((r) => r.user_id),
        message: JSON.parse(row.message),
        eventStart: Number(row.event_start),
        attempts: Number(row.attempts),
      });
    }
    return batches;
  }

  async leaseBatch(batchId: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('reminder_batches')
      .set({ lease_until: now + leaseMs })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async renewBatchLease(batchId: string, leaseUntil: number): Promise<void> {
    await this.db.updateTable('reminder_batches').set({ lease_until: leaseUntil }).where('batch_id', '=', batchId).where('status', '=', 'pending').execute();
  }

  async heldBatches(now: number): Promise<{ batchId: string; slotKey: string; recipients: number; leaseUntil: number }[]> {
    const rows = await this.db
      .selectFrom('reminder_batches as b')
      .select((eb) => [
        'b.batch_id',
        'b.slot_key',
        'b.lease_until',
        eb.selectFrom('reminder_deliveries as d').select((e) => e.fn.countAll().as('n')).whereRef('d.batch_id', '=', 'b.batch_id').as('recipients'),
      ])
      .where('b.status', '=', 'pending')
      .where('b.lease_until', '>', now)
      .orderBy('b.lease_until')
      .execute();
    return rows.map((r) => ({ batchId: r.batch_id, slotKey: r.slot_key, recipients: Number(r.recipients), leaseUntil: Number(r.lease_until) }));
  }

  async finishBatch(batchId: string, status: 'sent' | 'failed' | 'missed', attempts: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('reminder_batches').set({ status, attempts, lease_until: 0 }).where('batch_id', '=', batchId).execute();
      await trx.updateTable('reminder_deliveries').set({ status }).where('batch_id', '=', batchId).execute();
    });
  }

  async deferBatch(batchId: string, attempts: number): Promise<void> {
    await this.db.updateTable('reminder_batches').set({ attempts, lease_until: 0 }).where('batch_id', '=', batchId).execute();
  }

  async purge(cutoffs: { conversationsIdleSince: number; eventsBefore: number; remindersBefore: number }): Promise<PurgeCounts> {
    return this.db.transaction().execute(async (trx) => {
      const conversations = await trx.deleteFrom('conversations').where('updated_at', '<', cutoffs.conversationsIdleSince).executeTakeFirst();
      const events = await trx.deleteFrom('webhook_events').where('received_at', '<', cutoffs.eventsBefore).executeTakeFirst();
      const deliveries = await trx.deleteFrom('reminder_deliveries').where('created_at', '<', cutoffs.remindersBefore).executeTakeFirst();
      const batches = await trx
        .deleteFrom('reminder_batches')
        .where('created_at', '<', cutoffs.remindersBefore)
        .where('status', '!=', 'pending')
        .executeTakeFirst();
      return {
        conversations: Number(conversations.numDeletedRows),
        events: Number(events.numDeletedRows),
        reminderRecords: Number(deliveries.numDeletedRows) + Number(batches.numDeletedRows),
      };
    });
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('conversations').select('user_id').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.writePendingCounts().catch(() => undefined);
    await this.onClose();
  }
}
