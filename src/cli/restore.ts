import { BackupError, describeSummary, restoreSqlite } from '../store/sqlite-backup';
import { runCommand, type CommandStart } from './command';
import { backupFiles } from './store-file';

const USAGE = `usage: npm run restore -- FILE
  Puts the backup FILE in place of the embedded database (DATA_DIR/guide.db), keeping the one it
  replaces beside it. Refuses while the server or another command has the database open: stop the
  server first. For PostgreSQL use pg_restore (docs/operations.md).`;

async function main(start: CommandStart): Promise<number> {
  const files = backupFiles(start, USAGE, 'restore');
  if (!files) return 0;
  const { summary, keptAs } = await restoreSqlite(files.file, files.database, new Date());
  process.stdout.write(`restore: ${files.database} now holds ${files.file} (${describeSummary(summary)})\n`);
  if (keptAs) process.stdout.write(`restore: the database it replaced is kept as ${keptAs}\n`);
  return 0;
}

runCommand('restore', main, { expected: [BackupError], exitCode: (error) => (error instanceof BackupError ? 1 : undefined) });
