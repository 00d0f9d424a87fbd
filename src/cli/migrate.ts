import path from 'node:path';
import { migrateToLatest } from '../store/migrations';
import { openStore } from '../store/open-store';
import { runCommand, type CommandStart } from './command';

/**
 * `npm run migrate`: applies pending migrations to the configured store and lists them. The server
 * also applies them at start; this is for operators who prefer to run them by hand first.
 */
async function main(start: CommandStart): Promise<number> {
  const config = start.config();
  const store = await openStore(config, { migrate: false });
  try {
    const applied = await migrateToLatest(store.database);
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : path.join(config.dataDir, 'guide.db');
    process.stdout.write(applied.length > 0 ? `applied to ${where}: ${applied.join(', ')}\n` : `${where} is up to date\n`);
    return 0;
  } finally {
    await store.close();
  }
}

runCommand('migrate', main, { exitCode: () => 1 });
