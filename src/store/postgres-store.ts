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
  options: { logger?: Logger; migrate?: boolean; poolSize?: number } = {},
): Promise<KyselyStore> {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (the server restarted) must not crash the process.
  pool.on('error', (error) => options.logger?.warn({ err: { message: error.message } }, 'PostgreSQL connection lost; the pool reconnects on next use'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (options.migrate !== false) await migrateToLatest(db);
  return new KyselyStore(db);
}
