import { BackupError, describeSummary, restoreSqlite } from '../store/sqlite-backup';
import { runCommand, type CommandStart } from './command';
import { fileArgument, sqliteFileOf } from './store-file';

const USAGE = `usage: npm run restore -- FILE
  Puts the backup FILE in place of the embedded database (DATA_DIR/guide.db), keeping the one it
  replaces beside it. Refuses while the server or another command has the database open: stop the
  server first. For PostgreSQL use pg_restore (docs/operations.md).`;

async function main(start: CommandStart): Promise<number> {
  const file = fileArgument(start.args, USAGE);
  if (file === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const target = sqliteFileOf(start, 'restore');
  const { summary, keptAs } = await restoreSqlite(file, target, new Date());
  process.stdout.write(`restore: ${target} now holds ${file} (${describeSummary(summary)})\n`);
  if (keptAs) process.stdout.write(`restore: the database it replaced is kept as ${keptAs}\n`);
  return 0;
}

runCommand('restore', main, { expected: [BackupError], exitCode: (error) => (error instanceof BackupError ? 1 : undefined) });
