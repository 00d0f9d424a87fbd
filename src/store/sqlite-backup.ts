import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrations } from './migrations';

/**
 * Backups of the embedded store, through SQLite itself:
 * - a backup is SQLite's online backup API (better-sqlite3's `backup()`), which copies a consistent
 *   snapshot while the server keeps writing: it reads inside one read transaction, and WAL readers
 *   never block the writer;
 * - a restore refuses while any process has the database open through SQLite (the server, its
 *   checkpoint thread, a CLI): it asks SQLite for an exclusive lock, which an open WAL connection
 *   prevents, and keeps that lock until the restored file is in place.
 * SQLite's locks are POSIX advisory locks: they hold between processes on this machine, not across a
 * network file system (keep DATA_DIR on a local disk).
 */

/**
 * Pages per step of the online backup: all that remain (better-sqlite3's largest value), so that the
 * copy is one read transaction, which a busy writer cannot make start over again and again.
 */
const ALL_PAGES = 0x7fffffff;

/** Something about a backup file or a database that the operator must act on. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** The tables whose rows a backup summary counts: what losing would hurt (README, "Backups worth taking"). */
const COUNTED = ['subscriptions', 'staff_accounts', 'staff_ibasho_dates', 'staff_notices', 'conversations'] as const;

export interface BackupSummary {
  bytes: number;
  /** Rows of the tables that matter, by table. */
  rows: Record<(typeof COUNTED)[number], number>;
}

/** Opens a file that must be one of our databases, complete and of a version this code knows. */
function checkedSummary(file: string): BackupSummary {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file}: cannot be opened as a database (${(error as Error).message})`);
  }
  try {
    return summaryOf(db, file);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file}: not a readable database (${(error as Error).message})`);
  } finally {
    db.close();
  }
}

function summaryOf(db: BetterSqlite3.Database, file: string): BackupSummary {
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw new BackupError(`${file}: the database is damaged (integrity_check: ${String(integrity)})`);
  const tables = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name));
  if (!tables.has('kysely_migration') || !COUNTED.every((t) => tables.has(t))) throw new BackupError(`${file}: not a database of this bot`);
  const applied = (db.prepare('select name from kysely_migration').all() as { name: string }[]).map((m) => m.name);
  const unknown = applied.filter((name) => !(name in migrations));
  if (unknown.length > 0) throw new BackupError(`${file}: made by a newer version of the bot (migrations ${unknown.join(', ')}); update the bot first`);
  const rows = Object.fromEntries(COUNTED.map((t) => [t, (db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n])) as BackupSummary['rows'];
  return { bytes: fs.statSync(file).size, rows };
}

export function describeSummary(summary: BackupSummary): string {
  return `${summary.bytes} bytes; ${Object.entries(summary.rows).map(([table, n]) => `${table} ${n}`).join(', ')}`;
}

/**
 * Copies the database at `source` to `destination` while the server may be writing, checks the copy
 * and only then puts it at `destination` (0600: it holds LINE user ids and staff password hashes).
 */
export async function backupSqlite(source: string, destination: string): Promise<BackupSummary> {
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source} (is DATA_DIR right?)`);
  if (path.resolve(source) === path.resolve(destination)) throw new BackupError('the backup file must not be the database itself');
  if (!fs.existsSync(path.dirname(path.resolve(destination)))) throw new BackupError(`the folder of ${destination} does not exist`);
  const partial = `${destination}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    fs.closeSync(fs.openSync(partial, 'w', 0o600));
    await db.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`backup of ${source} failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  try {
    const summary = checkedSummary(partial);
    fs.renameSync(partial, destination);
    return summary;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * Puts the backup `file` in place of the database at `target`, keeping the database it replaces
 * beside it as `<target>.before-restore-<time>`. Refuses while any process holds `target`.
 */
export async function restoreSqlite(file: string, target: string, now: Date): Promise<{ summary: BackupSummary; keptAs: string | null }> {
  const summary = checkedSummary(file);
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const incoming = `${target}.restoring`;
  fs.rmSync(incoming, { force: true });
  // A copy through SQLite rather than of the bytes: the backup file might have a -wal of its own.
  const from = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    fs.closeSync(fs.openSync(incoming, 'w', 0o600));
    await from.backup(incoming, { progress: () => ALL_PAGES });
  } finally {
    from.close();
  }

  let lock: BetterSqlite3.Database | null = null;
  let keptAs: string | null = null;
  try {
    if (fs.existsSync(target)) {
      lock = new BetterSqlite3(target, { fileMustExist: true });
      lock.pragma('busy_timeout = 0');
      try {
        // Leaving WAL mode needs SQLite's exclusive lock, which no other open connection allows; in
        // exclusive locking mode the lock is then kept until close, and the old file has no -wal.
        lock.pragma('locking_mode = EXCLUSIVE');
        lock.pragma('journal_mode = DELETE');
        lock.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') {
          throw new BackupError(`${target} is in use by a running server or command: stop it first (systemctl stop meguro-guide), then restore`);
        }
        throw error;
      }
      keptAs = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      fs.linkSync(target, keptAs);
    }
    // SQLite's shared-memory index belongs to the old file; the next opener builds a new one.
    fs.rmSync(`${target}-shm`, { force: true });
    fs.rmSync(`${target}-wal`, { force: true });
    fs.renameSync(incoming, target);
  } finally {
    lock?.close();
    fs.rmSync(incoming, { force: true });
  }
  return { summary, keptAs };
}
