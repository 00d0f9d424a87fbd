import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore, migrateToLatest } from './kysely-store';
import type { Database } from './schema';

/**
 * The embedded store: one SQLite file in WAL mode, created on first start. Good for one server
 * process (plus the reminders CLI on the same machine); several instances need PostgreSQL.
 */
export async function openSqliteStore(file: string, options: { migrate?: boolean } = {}): Promise<KyselyStore> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  if (options.migrate !== false) await migrateToLatest(db);
  return new KyselyStore(db);
}
