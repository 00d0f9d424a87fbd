import path from 'node:path';
import { ConfigError } from '../config';
import { UsageError, type CommandStart } from './command';

/** The database file of the embedded store; backup and restore refuse when DATABASE_URL names PostgreSQL. */
export function sqliteFileOf(start: CommandStart, command: string): string {
  const config = start.config();
  if (config.databaseUrl) throw new ConfigError(`DATABASE_URL is set: ${command} is for the embedded SQLite store; for PostgreSQL use pg_dump and pg_restore (docs/operations.md)`);
  return path.join(config.dataDir, 'guide.db');
}

/**
 * The one FILE argument (resolved against the folder `npm run` was started in) and the database
 * file; null once --help has printed the usage.
 */
export function backupFiles(start: CommandStart, usage: string, command: string): { file: string; database: string } | null {
  const args = start.args;
  if (args.length === 1 && args[0] === '--help') {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new UsageError('give one FILE', usage);
  return { file: path.resolve(process.env.INIT_CWD ?? process.cwd(), args[0]!), database: sqliteFileOf(start, command) };
}
