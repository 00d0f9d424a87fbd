/**
 * The body of the SQLite checkpoint worker thread (started by sqlite-checkpointer.ts): a connection
 * of its own that copies the write-ahead log into the database file every `intervalMs`, and once
 * more whenever asked ('now'), until told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

export type CheckpointMessage = { asked: boolean; checkpointed: number } | { asked: boolean; error: string };

if (parentPort) {
  const port = parentPort;
  const { file, intervalMs } = workerData as CheckpointWorkerData;
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 1000');
  const checkpoint = (asked: boolean, mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE') => {
    let message: CheckpointMessage;
    try {
      // PASSIVE never waits for readers or the writer: what cannot be copied now is copied next time.
      // TRUNCATE (asked for after a person's data is deleted) waits for them, copies everything and
      // empties the log file, so that the deleted rows' old pages do not stay readable in it.
      const [result] = db.pragma(`wal_checkpoint(${mode})`) as { checkpointed: number }[];
      message = { asked, checkpointed: result ? result.checkpointed : 0 };
    } catch (error) {
      message = { asked, error: String((error as Error)?.message) };
    }
    port.postMessage(message);
  };
  const timer = setInterval(() => checkpoint(false), intervalMs);
  port.on('message', (message: 'now' | 'truncate' | 'stop') => {
    if (message === 'now') return checkpoint(true);
    if (message === 'truncate') return checkpoint(true, 'TRUNCATE');
    clearInterval(timer);
    db.close();
    port.close();
  });
}
