import { backupSqlite, BackupError, describeSummary } from '../store/sqlite-backup';
import { runCommand, type CommandStart } from './command';
import { backupFiles } from './store-file';

const USAGE = `usage: npm run backup -- FILE
  Copies the embedded database (DATA_DIR/guide.db) to FILE while the server keeps running, checks
  the copy and prints what it holds. For PostgreSQL use pg_dump (docs/operations.md).`;

async function main(start: CommandStart): Promise<number> {
  const files = backupFiles(start, USAGE, 'backup');
  if (!files) return 0;
  const summary = await backupSqlite(files.database, files.file);
  process.stdout.write(`backup: wrote ${files.file} (${describeSummary(summary)})\n`);
  return 0;
}

runCommand('backup', main, { expected: [BackupError], exitCode: (error) => (error instanceof BackupError ? 1 : undefined) });
