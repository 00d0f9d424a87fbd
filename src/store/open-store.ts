import path from 'node:path';
import type { Config } from '../config';
import type { KyselyStore } from './kysely-store';
import { openSqliteStore } from './sqlite-store';

/** The store the configuration asks for: embedded SQLite under DATA_DIR unless DATABASE_URL is set. */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<KyselyStore> {
  if (config.databaseUrl) throw new Error('DATABASE_URL (PostgreSQL) is not supported yet; unset it to use the embedded store');
  return openSqliteStore(path.join(config.dataDir, 'guide.db'));
}
