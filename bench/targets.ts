/**
 * The servers under test, each started from compiled JS as its own process on loopback, and timed
 * from spawn to the first 200 of GET /healthz (cold start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { peakRssMb, preciseNow, sleep } from './measure';

export type TargetKind = 'bot' | 'echo' | 'floor';

export interface TargetSpec {
  /** Shown in the table: bot, bot-pg, echo, floor. */
  name: string;
  kind: TargetKind;
  /** PostgreSQL for the bot; otherwise the embedded store in a fresh DATA_DIR. */
  databaseUrl?: string;
}

export interface LineSettings {
  channelSecret: string;
  channelAccessToken: string;
  apiBaseUrl: string;
}

export interface RunningTarget {
  spec: TargetSpec;
  pid: number;
  url: string;
  coldStartMs: number;
  peakRssMb(): number;
  /** The last lines the process wrote (logs on stdout, notices on stderr), for when something fails. */
  outputTail(): string;
  stop(): Promise<void>;
}

const ENTRIES: Record<TargetKind, string[]> = {
  bot: ['dist', 'src', 'main.js'],
  echo: ['dist', 'bench', 'targets', 'echo-bot.js'],
  floor: ['dist', 'bench', 'targets', 'floor.js'],
};

const HEALTHZ_LINE = /http:\/\/localhost:(\d+)\/healthz/;

/**
 * The node flags that `npm start` runs the server with (package.json scripts.start), so that the bot
 * is measured as it runs in production: e.g. the old-space limit that keeps its RSS down.
 */
export function productionNodeFlags(root: string): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.start ?? '';
  const match = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+scripts\/start\.mjs$/.exec(start.trim());
  if (!match) throw new Error(`package.json scripts.start is not "node [--flags] scripts/start.mjs": ${start}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

export async function startTarget(root: string, spec: TargetSpec, line: LineSettings, options: { nodeArgs?: string[]; env?: Record<string, string>; log?: string } = {}): Promise<RunningTarget> {
  const entry = path.join(root, ...ENTRIES[spec.kind]);
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: compile first (npm run build)`);
  const dataDir = spec.kind === 'bot' ? fs.mkdtempSync(path.join(os.tmpdir(), 'guide-bench-')) : null;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: '0',
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.channelAccessToken,
    LINE_API_BASE_URL: line.apiBaseUrl,
    SIMULATOR: 'off',
    REMINDERS: 'off',
    // Empty rather than unset, so that a developer's .env cannot switch the store.
    DATABASE_URL: spec.databaseUrl ?? '',
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    ...options.env,
  };
  const started = preciseNow();
  const nodeFlags = spec.kind === 'bot' ? productionNodeFlags(root) : [];
  const child = spawn(process.execPath, [...nodeFlags, ...(options.nodeArgs ?? []), entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let port: number | null = null;
  const log = options.log ? fs.createWriteStream(options.log, { flags: 'a' }) : null;
  const keep = (chunk: string) => {
    log?.write(chunk);
    output.push(...chunk.split('\n').filter(Boolean).map((line) => line.slice(0, 400)));
    if (output.length > 200) output.splice(0, output.length - 20);
  };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', keep);
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    keep(chunk);
    port ??= Number(HEALTHZ_LINE.exec(chunk)?.[1] ?? NaN) || null;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (log) child.once('close', () => log.end());
  const tail = () => output.slice(-20).join('\n');

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const deadline = started + 30_000;
    while (port === null) {
      if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode} before listening:\n${tail()}`);
      if (preciseNow() > deadline) throw new Error(`${spec.name} did not print its /healthz address within 30 s:\n${tail()}`);
      await sleep(2);
    }
    const url = `http://127.0.0.1:${port}`;
    while (!(await healthy(url))) {
      if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode}:\n${tail()}`);
      if (preciseNow() > deadline) throw new Error(`${spec.name} /healthz did not answer 200 within 30 s:\n${tail()}`);
      await sleep(2);
    }
    const coldStartMs = preciseNow() - started;
    return { spec, pid: child.pid!, url, coldStartMs, peakRssMb: () => peakRssMb(child.pid!), outputTail: tail, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts a compiled script and resolves with its stdout once it exits 0. */
export function runNode(root: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')} exited with ${code}:\n${stderr.slice(-3000)}`))));
  });
  return { child, done };
}
