import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Logger } from '../usecases/ports';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';
import { runChecked, type StoreEngine } from './store-engine';

// BIGINT columns hold epoch milliseconds, well inside Number's exact range: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  logger?: Logger;
  migrate?: boolean;
  poolSize?: number;
  timeouts?: { connectMs?: number; statementMs?: number; queryMs?: number };
}

/**
 * Applies pending migrations and returns their names. Migrations may build indexes on large tables or
 * rewrite rows: they run on a connection of their own, without the statement timeout that protects
 * the webhook.
 */
export async function migratePostgres(connectionString: string): Promise<string[]> {
  const migrator = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 5_000 }) }) });
  try {
    return await migrateToLatest(migrator);
  } finally {
    await migrator.destroy();
  }
}

/**
 * The database for several instances: PostgreSQL through a connection pool. Each turn is one
 * transaction; concurrent turns of one person are kept consistent by the row version check (see
 * conversation-store.ts). When the database is unreachable, calls fail (the webhook answers 5xx so
 * LINE redelivers) and the pool reconnects by itself once it is back.
 */
export async function openPostgresEngine(connectionString: string, options: PostgresOptions = {}): Promise<StoreEngine> {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    // All shorter than LINE's webhook timeout (2 s), so that a database that hangs fails the event
    // (5xx, LINE redelivers) rather than the webhook: the server cancels a statement after 1.5 s, and
    // the client gives up on its own after 1.8 s when the server does not answer at all.
    connectionTimeoutMillis: options.timeouts?.connectMs ?? 1_000,
    statement_timeout: options.timeouts?.statementMs ?? 1_500,
    query_timeout: options.timeouts?.queryMs ?? 1_800,
    idle_in_transaction_session_timeout: 5_000,
  });
  // An idle client losing its connection (the server restarted) must not crash the process.
  pool.on('error', (error) => options.logger?.warn({ err: { message: error.message } }, 'PostgreSQL connection lost; the pool reconnects on next use'));
  if (options.migrate !== false) await migratePostgres(connectionString);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    rows: async <R>(query: CompiledQuery<R>) => (await db.executeQuery(query)).rows,
    writeUnit: (statements) =>
      db.transaction().execute(async (trx) => {
        for (const statement of statements) {
          // A failed statement aborts the transaction; its check throws, and Kysely rolls back.
          let changes: number | { error: unknown };
          try {
            changes = Number((await trx.executeQuery(statement.query)).numAffectedRows ?? 0);
          } catch (error) {
            changes = { error };
          }
          runChecked(statement, () => {
            if (typeof changes !== 'number') throw changes.error;
            return changes;
          });
        }
      }),
    isUniqueViolation: (error) => (error as { code?: string } | null)?.code === '23505',
    idList: (ids) => sql`(select unnest(${ids}::text[]))`,
    checkpointNow: async () => 0,
    close: () => db.destroy(),
  };
}
