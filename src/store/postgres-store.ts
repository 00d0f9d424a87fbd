import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../usecases/ports';
import { KyselyStore, migrateToLatest } from './kysely-store';
import type { Database } from './schema';

// BIGINT columns hold epoch milliseconds, well inside Number's exact range: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The store for several instances: PostgreSQL through a connection pool. Each turn is one transaction;
 * concurrent turns of one person are kept consistent by the row version check (see KyselyStore). When
 * the database is unreachable, calls fail (the webhook answers 5xx so LINE redelivers) and the pool
 * reconnects by itself once it is back.
 */
export async function openPostgresStore(
  connectionString: string,
  options: { logger?: Logger; migrate?: boolean; poolSize?: number; timeouts?: { connectMs?: number; statementMs?: number; queryMs?: number } } = {},
): Promise<KyselyStore> {
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
  if (options.migrate !== false) {
    // Migrations may build indexes on large tables: they run on a connection of their own, without the
    // statement timeout that protects the webhook.
    const migrator = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 5_000 }) }) });
    try {
      await migrateToLatest(migrator);
    } finally {
      await migrator.destroy();
    }
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStore(db);
}
