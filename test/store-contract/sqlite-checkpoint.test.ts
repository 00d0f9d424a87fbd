/**
 * The embedded store's write-ahead log is copied into the database file by a worker thread, never
 * inside a commit on the server's event loop (src/store/sqlite-checkpointer.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqliteStore, type DatabaseStore } from '../../src/store/open-store';
import { startCheckpointer } from '../../src/store/sqlite-checkpointer';
import type { Reply } from '../../src/domain/reply';

const reply: Reply = { messages: [{ kind: 'text', text: 'こんにちは'.repeat(50) }], choices: [] };
let counter = 0;

async function recordTurns(store: DatabaseStore, n: number): Promise<string[]> {
  const users = Array.from({ length: n }, () => `U${String(++counter).padStart(32, '0')}`);
  await Promise.all(
    users.map((userId) =>
      store.recordTurn({
        eventId: `E${counter}-${userId}`,
        userId,
        channel: 'line',
        replyToken: 'r'.repeat(32),
        state: { flowVersion: 'guide@1', snapshot: { value: 'start', context: { lastQuestion: 'start' } } },
        expectedVersion: null,
        reply,
        crisis: false,
        at: new Date(),
        lastEventAt: Date.now(),
        leaseMs: 30_000,
      }),
    ),
  );
  return users;
}

/**
 * The conversations in the database file alone, as if the write-ahead log were lost. A copy taken
 * while the worker is writing the file can be torn (SQLITE_CORRUPT, SQLITE_NOTADB): then it is taken again.
 */
function usersInMainFile(dir: string): number {
  for (let attempt = 1; ; attempt++) {
    const copy = path.join(dir, `copy-${++counter}.db`);
    fs.copyFileSync(path.join(dir, 'guide.db'), copy);
    const db = new BetterSqlite3(copy, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n;
    } catch (error) {
      if (attempt >= 5 || !/^SQLITE_(CORRUPT|NOTADB)/.test(String((error as { code?: unknown }).code))) throw error;
    } finally {
      db.close();
    }
  }
}

describe('SQLite checkpoints', () => {
  let dir: string;
  let store: DatabaseStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-wal-'));
    store = await openSqliteStore(path.join(dir, 'guide.db'));
    // The tables themselves reach the file by a checkpoint too.
    await store.checkpointNow();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the server connection never checkpoints in a commit; the worker copies the log into the file', async () => {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(store.database);
    expect(rows[0]!.wal_autocheckpoint).toBe(0);
    await recordTurns(store, 300);
    expect(usersInMainFile(dir)).toBe(0);
    expect(await store.checkpointNow()).toBeGreaterThan(0);
    expect(usersInMainFile(dir)).toBe(300);
  });

  test('without being asked, within about a second', async () => {
    await recordTurns(store, 50);
    const deadline = Date.now() + 5_000;
    while (usersInMainFile(dir) < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(usersInMainFile(dir)).toBe(50);
  });

  test('turns keep being recorded while checkpoints run, and nothing is lost on close', async () => {
    for (let round = 0; round < 5; round++) {
      await Promise.all([recordTurns(store, 100), store.checkpointNow()]);
    }
    await store.close();
    expect(fs.existsSync(path.join(dir, 'guide.db-wal'))).toBe(false);
    expect(usersInMainFile(dir)).toBe(500);
    store = await openSqliteStore(path.join(dir, 'guide.db'));
  });

  test('a worker that dies hands checkpoints back: waiting callers get 0, the server is told, stop still returns', async () => {
    const errors: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (_: object, message: string) => void errors.push(message) };
    let stopped = 0;
    // A file the worker cannot open: it dies at once.
    const checkpointer = startCheckpointer(path.join(dir, 'no-such-folder', 'guide.db'), { intervalMs: 50, logger, onStopped: () => void stopped++ });
    await expect(checkpointer.now()).resolves.toBe(0);
    expect(stopped).toBe(1);
    expect(errors).toContain('SQLite checkpoint worker stopped; checkpoints run in commits again');
    await expect(checkpointer.now()).resolves.toBe(0);
    await checkpointer.stop();
    expect(stopped).toBe(1);
  });
});
