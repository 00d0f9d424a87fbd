import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { KyselyStore, migrateToLatest } from './kysely-store';
import type { Database } from './schema';

/**
 * The embedded store: one SQLite file in WAL mode, created on first start. Good for one server
 * process (plus the reminders CLI on the same machine); several instances need PostgreSQL.
 */
/**
 * Kysely prepares every query anew; compiling the same SQL again on each turn was a sixth of the bot's
 * CPU in the benchmark. Statements are reused per SQL text (Kysely runs one query at a time on this
 * connection, so a statement is never in use twice).
 */
function withStatementCache(database: BetterSqlite3.Database, capacity = 256): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

export async function openSqliteStore(file: string, options: { migrate?: boolean } = {}): Promise<KyselyStore> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  if (options.migrate !== false) await migrateToLatest(db);
  return new KyselyStore(db);
}
