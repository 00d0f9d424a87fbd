import path from 'node:path';
import { ConfigError, loadDotEnv, readConfig } from '../config';
import { migrateToLatest } from '../store/migrations';
import { openStore } from '../store/open-store';

/**
 * `npm run migrate`: applies pending migrations to the configured store and lists them. The server
 * also applies them at start; this is for operators who prefer to run them by hand first.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  loadDotEnv(path.join(root, '.env'), process.env);
  const config = readConfig(process.env, root);
  const store = await openStore(config, { migrate: false });
  try {
    const applied = await migrateToLatest(store.database);
    const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : path.join(config.dataDir, 'guide.db');
    process.stdout.write(applied.length > 0 ? `applied to ${where}: ${applied.join(', ')}\n` : `${where} is up to date\n`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(1);
});
