import { Worker } from 'node:worker_threads';
import type { Logger } from '../usecases/ports';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = (asked) => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ asked, checkpointed: result ? result.checkpointed : 0 });
  } catch (error) {
    parentPort.postMessage({ asked, error: String(error && error.message) });
  }
};
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'now') return checkpoint(true);
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Runs one checkpoint at once; resolves with how many WAL frames it copied. */
  now(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * SQLite copies the write-ahead log back into the database file (a checkpoint, with an fsync) in
 * whichever commit crosses 1,000 pages, and better-sqlite3 runs that commit on the event loop: every
 * few seconds under load, replies waited several milliseconds for it, which set the p99 latency.
 * The server's connection therefore does not checkpoint (wal_autocheckpoint = 0); this worker
 * thread, with a connection of its own, does so every `intervalMs` in PASSIVE mode, which never
 * waits for readers or the writer.
 */
export function startCheckpointer(file: string, options: { intervalMs: number; logger?: Logger | undefined }): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3'), intervalMs: options.intervalMs } });
  worker.unref();
  const waiting: ((frames: number) => void)[] = [];
  let failures = 0;
  worker.on('message', (message: { asked: boolean; checkpointed?: number; error?: string }) => {
    if (message.error !== undefined) {
      // Logged once in a while: a checkpoint that cannot run now (the database is busy) runs next time.
      if (failures++ % 60 === 0) options.logger?.warn({ err: { message: message.error } }, 'SQLite checkpoint failed; retrying');
    } else {
      failures = 0;
    }
    if (message.asked) waiting.shift()?.(message.checkpointed ?? 0);
  });
  worker.on('error', (error) => options.logger?.error({ err: { message: error.message } }, 'SQLite checkpoint worker stopped'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    now() {
      worker.ref();
      return new Promise((resolve) => {
        waiting.push((frames) => {
          if (waiting.length === 0) worker.unref();
          resolve(frames);
        });
        worker.postMessage('now');
      });
    },
    async stop() {
      // Unreferenced so that it never keeps a process alive, but waited for here: ref it, or a
      // process with nothing else to do would exit while waiting.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
