import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { staffConsoleMigration } from './0004-staff-console';

/**
 * Versioned migrations shared by both stores; written with Kysely's schema builder so the same list
 * runs on SQLite and PostgreSQL. Append new ones; never edit one that has shipped.
 */
export const migrations: Record<string, Migration> = {
  '0001-conversations-and-events': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('conversations')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('flow_version', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reply_token', 'text')
        .addColumn('reply', 'text')
        .addColumn('lease_until', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_events_user').on('webhook_events').column('user_id').execute();
      await db.schema.createIndex('webhook_events_received').on('webhook_events').column('received_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('webhook_events').execute();
      await db.schema.dropTable('conversations').execute();
    },
  },
  '0002-reminders': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('subscriptions')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('reminder_batches')
        .addColumn('batch_id', 'text', (c) => c.primaryKey())
        .addColumn('slot_key', 'text', (c) => c.notNull())
        .addColumn('retry_key', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('event_start', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('lease_until', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reminder_batches_status').on('reminder_batches').column('status').execute();
      // One row per (reminder, person): the primary key is what makes a reminder go out at most once.
      await db.schema
        .createTable('reminder_deliveries')
        .addColumn('slot_key', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('batch_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reminder_deliveries_pk', ['slot_key', 'user_id'])
        .execute();
      await db.schema.createIndex('reminder_deliveries_batch').on('reminder_deliveries').column('batch_id').execute();
      await db.schema.createIndex('reminder_deliveries_user').on('reminder_deliveries').column('user_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('reminder_deliveries').execute();
      await db.schema.dropTable('reminder_batches').execute();
      await db.schema.dropTable('subscriptions').execute();
    },
  },
  '0003-open-notices-and-usage': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('open_notifications')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('window_id', 'text', (c) => c.notNull())
        .addColumn('send_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('open_notifications_pk', ['user_id', 'window_id', 'send_at'])
        .execute();
      await db.schema.createIndex('open_notifications_due').on('open_notifications').column('send_at').execute();
      // Aggregate counts only: a day, a node, what happened there, how often. No user id, no text.
      await db.schema
        .createTable('usage_daily')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_daily_pk', ['day', 'node', 'metric'])
        .execute();
      await db.schema.alterTable('conversations').addColumn('last_day', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('conversations').dropColumn('last_day').execute();
      await db.schema.dropTable('usage_daily').execute();
      await db.schema.dropTable('open_notifications').execute();
    },
  },
  '0004-staff-console': staffConsoleMigration,
  '0005-event-order-and-delivery': {
    async up(db: Kysely<any>) {
      // The LINE timestamp of the newest event applied to a conversation: older ones must not move it back.
      await db.schema.alterTable('conversations').addColumn('last_event_at', 'bigint').execute();
      // How a pending event's reply goes out ('reply' with its token, or 'push' once the token failed),
      // and whether it is a crisis reply (sent again rather than risk it being lost).
      await db.schema.alterTable('webhook_events').addColumn('delivery', 'text', (c) => c.notNull().defaultTo('reply')).execute();
      await db.schema.alterTable('webhook_events').addColumn('crisis', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('webhook_events_pending').on('webhook_events').columns(['status', 'lease_until']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('webhook_events_pending').execute();
      await db.schema.alterTable('webhook_events').dropColumn('crisis').execute();
      await db.schema.alterTable('webhook_events').dropColumn('delivery').execute();
      await db.schema.alterTable('conversations').dropColumn('last_event_at').execute();
    },
  },
  '0006-channels': {
    async up(db: Kysely<any>) {
      // Where the person talks to the bot ('line' or 'simulator'): only LINE users can be pushed to.
      for (const table of ['subscriptions', 'open_notifications']) {
        await db.schema.alterTable(table).addColumn('channel', 'text', (c) => c.notNull().defaultTo('line')).execute();
        // Rows written before channels were recorded: simulator users had ids of their own ("sim-…").
        await db.updateTable(table).set({ channel: 'simulator' }).where('user_id', 'like', 'sim-%').execute();
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('open_notifications').dropColumn('channel').execute();
      await db.schema.alterTable('subscriptions').dropColumn('channel').execute();
    },
  },
  '0007-replied-events-forget-their-user': {
    async up(db: Kysely<any>) {
      // A replied event keeps only its id (for deduplication) and when it came: the user id goes with
      // the reply. Only pending events name a person, so neither the pending index nor a user's
      // deletion needs an index of every event: each turn writes two index entries fewer.
      await db.updateTable('webhook_events').set({ user_id: '' }).where('status', '=', 'replied').execute();
      await db.schema.dropIndex('webhook_events_user').execute();
      await db.schema.dropIndex('webhook_events_pending').execute();
      await db.schema.createIndex('webhook_events_pending').on('webhook_events').column('lease_until').where(sql.ref('status'), '=', 'pending').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('webhook_events_pending').execute();
      await db.schema.createIndex('webhook_events_pending').on('webhook_events').columns(['status', 'lease_until']).execute();
      await db.schema.createIndex('webhook_events_user').on('webhook_events').column('user_id').execute();
    },
  },
  '0008-login-throttle': {
    async up(db: Kysely<any>) {
      // One row per key (an address, or an account typed from an address): attempts are reserved in
      // the same statement that checks them, so parallel tries cannot pass the limit (staff-access-store.ts).
      await db.schema
        .createTable('staff_login_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('delay_ms', 'bigint', (c) => c.notNull())
        .addColumn('blocked_until', 'bigint', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('staff_login_throttle_last').on('staff_login_throttle').column('last_at').execute();
      await db.schema.dropTable('staff_login_failures').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema
        .createTable('staff_login_failures')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('staff_login_failures_key').on('staff_login_failures').columns(['key', 'at']).execute();
      await db.schema.dropTable('staff_login_throttle').execute();
    },
  },
};

/** Applies every pending migration; both databases run the same list. Returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
