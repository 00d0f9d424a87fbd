import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../usecases/ports';
import type { KyselyStore } from './kysely-store';
import { openSqliteStore } from './sqlite-store';

/** The store the configuration asks for: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  options: { logger?: Logger; migrate?: boolean } = {},
): Promise<KyselyStore> {
  // pg is loaded only when it is used: about 100 ms of every SQLite start-up otherwise.
  if (config.databaseUrl) return (await import('./postgres-store')).openPostgresStore(config.databaseUrl, options);
  return openSqliteStore(path.join(config.dataDir, 'guide.db'), options);
}
