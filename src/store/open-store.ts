import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger, ReminderStore, Store } from '../usecases/ports';
import { ConversationStore } from './conversation-store';
import { OpenNotifications } from './open-notifications';
import type { PostgresOptions } from './postgres-engine';
import { ReminderOutbox } from './reminder-outbox';
import { RetentionStore } from './retention-store';
import type { Database } from './schema';
import { openSqliteEngine } from './sqlite-engine';
import type { StoreEngine } from './store-engine';
import { UsageStore } from './usage-store';

/** The store the use cases see, on one database, with what operators and tests need besides. */
export interface DatabaseStore extends Store, ReminderStore {
  /** The database itself, for migrations, the staff console's tables and maintenance. */
  readonly database: Kysely<Database>;
  /** Writes the usage counts gathered in memory now, rather than within the next second. */
  writePendingCounts(): Promise<void>;
  /** SQLite: copies the write-ahead log into the database file now (it happens every second anyway). */
  checkpointNow(): Promise<number>;
}

/** One module per thing stored, all on the same engine. */
export function composeStore(engine: StoreEngine): DatabaseStore {
  const conversations = new ConversationStore(engine);
  const usage = new UsageStore(engine);
  const outbox = new ReminderOutbox(engine);
  const openNotifications = new OpenNotifications(engine);
  const retention = new RetentionStore(engine);
  return {
    database: engine.db,
    findEvent: (eventId) => conversations.findEvent(eventId),
    loadTurnContext: (userId) => conversations.loadTurnContext(userId),
    async recordTurn(turn) {
      const outcome = await conversations.recordTurn(turn);
      if (outcome === 'recorded' && turn.usage) usage.count(turn.usage);
      return outcome;
    },
    claimPendingEvent: (eventId, now, leaseMs) => conversations.claimPendingEvent(eventId, now, leaseMs),
    releaseEvent: (eventId) => conversations.releaseEvent(eventId),
    markPushDelivery: (eventId) => conversations.markPushDelivery(eventId),
    abandonedEvents: (now, limit) => conversations.abandonedEvents(now, limit),
    markReplied: (eventId) => conversations.markReplied(eventId),
    deleteUser: (userId) => retention.deleteUser(userId),
    purge: (cutoffs) => retention.purge(cutoffs),
    usage: (from, to) => usage.usage(from, to),
    writePendingCounts: () => usage.writePending(),
    subscribersWithoutDelivery: (slotKey, subscribedBy) => outbox.subscribersWithoutDelivery(slotKey, subscribedBy),
    claimDeliveries: (args) => outbox.claimDeliveries(args),
    recordMissed: (slotKey, userIds, now) => outbox.recordMissed(slotKey, userIds, now),
    pendingBatches: (now) => outbox.pendingBatches(now),
    leaseBatch: (batchId, now, leaseMs) => outbox.leaseBatch(batchId, now, leaseMs),
    renewBatchLease: (batchId, leaseUntil) => outbox.renewBatchLease(batchId, leaseUntil),
    heldBatches: (now) => outbox.heldBatches(now),
    finishBatch: (batchId, status, attempts) => outbox.finishBatch(batchId, status, attempts),
    deferBatch: (batchId, attempts) => outbox.deferBatch(batchId, attempts),
    openNotificationsDue: (now) => openNotifications.due(now),
    clearOpenNotifications: (window, sendAt, userIds) => openNotifications.clear(window, sendAt, userIds),
    checkpointNow: () => engine.checkpointNow(),
    ping: () => conversations.ping(),
    async close() {
      await conversations.flushReplied().catch(() => undefined);
      await usage.writePending().catch(() => undefined);
      await engine.close();
    },
  };
}

/** The embedded store: one SQLite file (or ':memory:'), see sqlite-engine.ts for its limits. */
export async function openSqliteStore(file: string, options: { migrate?: boolean; logger?: Logger | undefined } = {}): Promise<DatabaseStore> {
  return composeStore(await openSqliteEngine(file, options));
}

/** The store for several instances, see postgres-engine.ts. */
export async function openPostgresStore(connectionString: string, options: PostgresOptions = {}): Promise<DatabaseStore> {
  // pg is loaded only when it is used: about 100 ms of every SQLite start-up otherwise.
  const { openPostgresEngine } = await import('./postgres-engine');
  return composeStore(await openPostgresEngine(connectionString, options));
}

/** What the store needs of the configuration (src/config.ts): DATABASE_URL and DATA_DIR. */
export interface StoreSettings {
  /** PostgreSQL's connection string; null for the embedded SQLite file. */
  databaseUrl: string | null;
  /** Where the SQLite file guide.db lives. */
  dataDir: string;
}

/** The store the configuration asks for: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. */
export async function openStore(config: StoreSettings, options: { logger?: Logger; migrate?: boolean } = {}): Promise<DatabaseStore> {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl, options);
  return openSqliteStore(path.join(config.dataDir, 'guide.db'), options);
}
