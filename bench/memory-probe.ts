/**
 * Preload for profiling memory: `node -r ./dist/bench/memory-probe.js …` with MEMORY_PROBE_FILE set.
 * Samples process.memoryUsage() and V8's heap spaces every 50 ms and writes the peak of each, as
 * JSON, to MEMORY_PROBE_FILE when the process exits: which part of the RSS grew under load.
 * With MEMORY_PROBE_SNAPSHOT=1 it also writes a heap snapshot beside it on SIGTERM, before the
 * server shuts down (what is still reachable after the load, for Chrome DevTools' Memory tab).
 */
import fs from 'node:fs';
import v8 from 'node:v8';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  const peaks: Record<string, number> = {};
  const keep = (key: string, bytes: number) => {
    peaks[key] = Math.max(peaks[key] ?? 0, Math.round(bytes / 2 ** 20));
  };
  const sample = () => {
    const usage = process.memoryUsage();
    for (const [key, value] of Object.entries(usage)) keep(key, value);
    for (const space of v8.getHeapSpaceStatistics()) keep(`space:${space.space_name}`, space.space_size);
  };
  sample();
  const start = { ...peaks };
  setInterval(sample, 50).unref();
  if (process.env.MEMORY_PROBE_SNAPSHOT === '1') {
    process.prependListener('SIGTERM', () => {
      sample();
      peaks.heapUsedBeforeSnapshot = peaks.heapUsed ?? 0;
      v8.writeHeapSnapshot(file.replace(/\.json$/, '') + '.heapsnapshot');
      keep('heapUsedAfterSnapshotGc', process.memoryUsage().heapUsed);
    });
  }
  process.on('exit', () => {
    sample();
    fs.writeFileSync(file, `${JSON.stringify({ atStartMb: start, peakMb: peaks }, null, 2)}\n`);
  });
}
