import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../usecases/ports';
import type { CheckpointMessage, CheckpointWorkerData } from './sqlite-checkpoint-worker';

/**
 * The worker's compiled file. The server runs from dist/, where it sits beside this module; under jest
 * this module runs from its TypeScript source, and the worker comes from dist/ (test/support/global-setup.js
 * compiles the project before any suite, as scripts/start.mjs does before `npm start`). A worker thread
 * runs JavaScript files only.
 */
function workerFile(): string {
  const beside = path.join(__dirname, 'sqlite-checkpoint-worker.js');
  if (fs.existsSync(beside)) return beside;
  return path.resolve(__dirname, '..', '..', 'dist', 'src', 'store', 'sqlite-checkpoint-worker.js');
}

export interface Checkpointer {
  /** Runs one checkpoint at once; resolves with how many WAL frames it copied. `truncate` also empties the log file. */
  now(mode?: 'passive' | 'truncate'): Promise<number>;
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
export function startCheckpointer(
  file: string,
  options: { intervalMs: number; logger?: Logger | undefined; /** The worker died: the caller checkpoints in its commits again. */ onStopped?: () => void },
): Checkpointer {
  const workerData: CheckpointWorkerData = { file, intervalMs: options.intervalMs };
  const worker = new Worker(workerFile(), { workerData });
  worker.unref();
  const waiting: ((frames: number) => void)[] = [];
  let failures = 0;
  worker.on('message', (message: CheckpointMessage) => {
    if ('error' in message) {
      // Logged once in a while: a checkpoint that cannot run now (the database is busy) runs next time.
      if (failures++ % 60 === 0) options.logger?.warn({ err: { message: message.error } }, 'SQLite checkpoint failed; retrying');
    } else {
      failures = 0;
    }
    if (message.asked) waiting.shift()?.('checkpointed' in message ? message.checkpointed : 0);
  });
  let stopping = false;
  let alive = true;
  worker.on('error', (error) => options.logger?.error({ err: { message: error.message } }, 'SQLite checkpoint worker failed'));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      alive = false;
      // Nobody waits for a checkpoint that will never come; a death nobody asked for hands checkpoints
      // back to the server's connection, so the write-ahead log cannot grow without bound.
      for (const settle of waiting.splice(0)) settle(0);
      if (!stopping) {
        options.logger?.error({}, 'SQLite checkpoint worker stopped; checkpoints run in commits again');
        options.onStopped?.();
      }
      resolve();
    }),
  );
  return {
    now(mode = 'passive') {
      if (!alive) return Promise.resolve(0);
      worker.ref();
      return new Promise((resolve) => {
        waiting.push((frames) => {
          if (waiting.length === 0) worker.unref();
          resolve(frames);
        });
        worker.postMessage(mode === 'truncate' ? 'truncate' : 'now');
      });
    },
    async stop() {
      // Unreferenced so that it never keeps a process alive, but waited for here: ref it, or a
      // process with nothing else to do would exit while waiting.
      stopping = true;
      if (!alive) return;
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
