import path from 'node:path';
import type { Config } from '../config';
import { migrateToLatest } from '../store/migrations';
import { openStore } from '../store/open-store';
import { runCommand, type CommandStart } from './command';

/**
 * `npm run migrate`: applies pending migrations to the configured store and lists them. The server
 * also applies them at start; this is for operators who prefer to run them by hand first. On
 * PostgreSQL they run on a connection without the webhook's statement timeout, as at start-up.
 */
async function main(start: CommandStart): Promise<number> {
  const config = start.config();
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : path.join(config.dataDir, 'guide.db');
  const applied = config.databaseUrl ? await (await import('../store/postgres-engine')).migratePostgres(config.databaseUrl) : await migrateSqlite(config);
  process.stdout.write(applied.length > 0 ? `applied to ${where}: ${applied.join(', ')}\n` : `${where} is up to date\n`);
  return 0;
}

async function migrateSqlite(config: Config): Promise<string[]> {
  const store = await openStore(config, { migrate: false });
  try {
    return await migrateToLatest(store.database);
  } finally {
    await store.close();
  }
}

runCommand('migrate', main, { exitCode: () => 1 });
