import type { Kysely, Migration } from 'kysely';

/**
 * The staff console: accounts, sessions, login throttling, the staff's layer over content/ (いばしょ
 * dates, notices, fact checks), the audit log, and one version counter that every instance polls.
 */
export const staffConsoleMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('staff_accounts')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('staff_sessions')
      .addColumn('sid', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('staff_sessions_expires').on('staff_sessions').column('expires_at').execute();
    await db.schema
      .createTable('staff_login_failures')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('staff_login_failures_key').on('staff_login_failures').columns(['key', 'at']).execute();
    await db.schema
      .createTable('staff_ibasho_dates')
      .addColumn('date', 'text', (c) => c.primaryKey())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('moved_to', 'text')
      .addColumn('start_time', 'text')
      .addColumn('end_time', 'text')
      .addColumn('note', 'text')
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('staff_notices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('starts_on', 'text', (c) => c.notNull())
      .addColumn('ends_on', 'text', (c) => c.notNull())
      .addColumn('windows', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('staff_fact_checks')
      .addColumn('window_id', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('checked', 'text', (c) => c.notNull())
      .addColumn('checked_by', 'text', (c) => c.notNull())
      .addColumn('source_note', 'text', (c) => c.notNull())
      .addColumn('value', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('staff_fact_checks_pk', ['window_id', 'field'])
      .execute();
    // Never purged: who changed what, when, from what to what.
    await db.schema
      .createTable('staff_audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .execute();
    await db.schema.createIndex('staff_audit_log_at').on('staff_audit_log').column('at').execute();
    await db.schema
      .createTable('staff_version')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.insertInto('staff_version').values({ name: 'content', version: 0 }).execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['staff_version', 'staff_audit_log', 'staff_fact_checks', 'staff_notices', 'staff_ibasho_dates', 'staff_login_failures', 'staff_sessions', 'staff_accounts']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
