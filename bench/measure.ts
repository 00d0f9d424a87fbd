/** Small measuring helpers shared by the benchmark's processes. */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of a sample (ms). Empty samples give NaN. */
export function distribution(samples: number[]): Distribution {
  if (samples.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1]! };
}

/** The median of the finite values; NaN when there is none. */
export function median(values: number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Peak resident set size (VmHWM) of a live process, in MB; NaN when it cannot be read (not Linux, gone). */
export function peakRssMb(pid: number): number {
  return statusField(pid, 'VmHWM');
}

export function currentRssMb(pid: number): number {
  return statusField(pid, 'VmRSS');
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far; NaN when it cannot be read. */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at ") ": utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** CPU seconds all processes of the machine used so far (busy time summed over cores, from /proc/stat). */
export function machineCpuSeconds(): number {
  try {
    const fields = /^cpu\s+(.*)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))![1]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
    return busy / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on Linux for every architecture Node supports. */
const CLOCK_TICKS = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small seeded PRNG (mulberry32), so every target gets the same sequence of choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
