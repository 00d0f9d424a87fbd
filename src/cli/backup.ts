import { backupSqlite, BackupError, describeSummary } from '../store/sqlite-backup';
import { runCommand, type CommandStart } from './command';
import { fileArgument, sqliteFileOf } from './store-file';

const USAGE = `usage: npm run backup -- FILE
  Copies the embedded database (DATA_DIR/guide.db) to FILE while the server keeps running, checks
  the copy and prints what it holds. For PostgreSQL use pg_dump (docs/operations.md).`;

async function main(start: CommandStart): Promise<number> {
  const file = fileArgument(start.args, USAGE);
  if (file === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const source = sqliteFileOf(start, 'backup');
  const summary = await backupSqlite(source, file);
  process.stdout.write(`backup: wrote ${file} (${describeSummary(summary)})\n`);
  return 0;
}

runCommand('backup', main, { expected: [BackupError], exitCode: (error) => (error instanceof BackupError ? 1 : undefined) });
