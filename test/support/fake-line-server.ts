/**
 * The stand-in LINE API (./fake-line-api.ts) in a process of its own, for the benchmark and for
 * anything that must not share an event loop with it. Run from compiled JS:
 *
 *   node dist/test/support/fake-line-server.js [--port 0] [--control-port 0] [--token T]
 *        [--validation full|shallow] [--max-records 2000] [--channel-secret S] [--webhook-ca FILE.pem]
 *
 * It prints one JSON line on stdout, `{"baseUrl":…,"controlUrl":…}`, then serves until SIGTERM.
 * The control server (another port, so that nothing in LINE's URL space changes) answers:
 *   GET  /stats               counts since the last reset (replies, pushes, multicasts, violations)
 *   GET  /violations          the recorded violation messages (bounded by --max-records)
 *   GET  /multicasts          the recorded multicasts: to, retryKey
 *   GET  /webhook             the channel's webhook settings: {endpoint, active}
 *   GET  /clock               {now}: this process's clock (performance.timeOrigin + now(), ms)
 *   GET  /accepted/stream     NDJSON, one line per accepted reply or push, as it is accepted:
 *                             {kind, token | to, at, choices: [{type, data | text, label}]}
 *   POST /reset               forget everything recorded (as fake.reset())
 *   POST /validation?mode=…   'full' or 'shallow'
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startFakeLineApi, type AcceptedCall, type FakeLineApi, type ValidationMode } from './fake-line-api';
import { SPEC_PATH } from './line-openapi-validator';

export interface FakeLineStats {
  replies: number;
  pushes: number;
  multicasts: { calls: number; recipients: number; unique: number; largest: number };
  violations: number;
  validation: ValidationMode;
}

/** A quick reply item as the person sees it: what tapping it sends. */
export type OfferedChoice = { type: 'postback'; data: string; label: string } | { type: 'message'; text: string; label: string };

export interface AcceptedLine {
  kind: 'reply' | 'push';
  token?: string;
  to?: string;
  at: number;
  choices: OfferedChoice[];
}

/** The quick replies of the last message: the buttons a person could tap next. */
export function offeredChoices(messages: unknown): OfferedChoice[] {
  if (!Array.isArray(messages) || messages.length === 0) return [];
  const items = (messages[messages.length - 1] as { quickReply?: { items?: { action?: any }[] } })?.quickReply?.items ?? [];
  const choices: OfferedChoice[] = [];
  for (const { action } of items) {
    if (action?.type === 'postback' && typeof action.data === 'string') choices.push({ type: 'postback', data: action.data, label: String(action.label ?? '') });
    else if (action?.type === 'message' && typeof action.text === 'string') choices.push({ type: 'message', text: action.text, label: String(action.label ?? action.text) });
  }
  return choices;
}

/** Compiled JS is run from dist/, where tsc does not copy the vendored spec: link it there. */
function ensureSpecBesideCompiledCode(): void {
  if (fs.existsSync(SPEC_PATH)) return;
  const specDir = path.dirname(SPEC_PATH);
  const source = path.join(findRoot(__dirname), 'test', 'support', 'line-openapi');
  if (specDir === source || !fs.existsSync(source)) return;
  fs.rmSync(specDir, { recursive: true, force: true });
  fs.symlinkSync(path.relative(path.dirname(specDir), source), specDir, 'dir');
}

/** The project root: the nearest folder above `from` with a package.json. */
export function findRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: 'string', default: '0' },
      'control-port': { type: 'string', default: '0' },
      token: { type: 'string' },
      'channel-secret': { type: 'string' },
      'webhook-ca': { type: 'string' },
      validation: { type: 'string', default: 'full' },
      'max-records': { type: 'string', default: '2000' },
    },
  });
  let validation = parseValidation(values.validation ?? 'full');
  ensureSpecBesideCompiledCode();

  const streams = new Set<http.ServerResponse>();
  let stats = emptyCounts();
  let recipients = new Set<string>();
  const onAccepted = (call: AcceptedCall) => {
    if (call.kind === 'multicast') {
      const to: string[] = call.body.to;
      stats.multicasts.calls += 1;
      stats.multicasts.recipients += to.length;
      stats.multicasts.largest = Math.max(stats.multicasts.largest, to.length);
      for (const user of to) recipients.add(user);
      return;
    }
    if (call.kind === 'reply') stats.replies += 1;
    else stats.pushes += 1;
    if (streams.size === 0) return;
    const line: AcceptedLine =
      call.kind === 'reply'
        ? { kind: 'reply', token: call.body.replyToken, at: call.at, choices: offeredChoices(call.body.messages) }
        : { kind: 'push', to: call.body.to, at: call.at, choices: offeredChoices(call.body.messages) };
    const text = `${JSON.stringify(line)}\n`;
    for (const stream of streams) stream.write(text);
  };

  const fake = await startFakeLineApi({
    port: Number(values.port),
    ...(values.token ? { channelAccessToken: values.token } : {}),
    ...(values['channel-secret'] ? { channelSecret: values['channel-secret'] } : {}),
    ...(values['webhook-ca'] ? { webhookCa: fs.readFileSync(values['webhook-ca'], 'utf8') } : {}),
    validation,
    maxRecords: Number(values['max-records']),
    onAccepted,
  });

  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const route = `${req.method} ${url.pathname}`;
    req.resume();
    switch (route) {
      case 'GET /stats':
        return json(200, {
          ...stats,
          multicasts: { ...stats.multicasts, unique: recipients.size },
          violations: fake.violationCount(),
          validation,
        } satisfies FakeLineStats);
      case 'GET /violations':
        return json(200, fake.violations());
      case 'GET /multicasts':
        return json(200, fake.multicasts().map((m) => ({ to: m.to, retryKey: m.retryKey })));
      case 'GET /webhook':
        return json(200, fake.webhook());
      case 'GET /clock':
        return json(200, { now: performance.timeOrigin + performance.now() });
      case 'GET /accepted/stream':
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        res.flushHeaders();
        streams.add(res);
        res.on('close', () => streams.delete(res));
        return;
      case 'POST /reset':
        fake.reset();
        stats = emptyCounts();
        recipients = new Set();
        return json(200, { ok: true });
      case 'POST /validation':
        try {
          validation = parseValidation(url.searchParams.get('mode') ?? '');
          fake.setValidation(validation);
          return json(200, { ok: true });
        } catch (error) {
          return json(400, { message: (error as Error).message });
        }
      default:
        return json(404, { message: `no control endpoint ${route}` });
    }
  });
  await new Promise<void>((resolve) => control.listen(Number(values['control-port']), '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, controlUrl })}\n`);

  const stop = () => {
    for (const stream of streams) stream.end();
    control.closeAllConnections();
    control.close();
    void fake.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function emptyCounts() {
  return { replies: 0, pushes: 0, multicasts: { calls: 0, recipients: 0, unique: 0, largest: 0 } };
}

function parseValidation(mode: string): ValidationMode {
  if (mode === 'full' || mode === 'shallow') return mode;
  throw new Error(`validation must be "full" or "shallow", not "${mode}"`);
}

/** A running stand-in process and a client for its control endpoints. */
export interface FakeLineServer {
  baseUrl: string;
  controlUrl: string;
  process: ChildProcess;
  stats(): Promise<FakeLineStats>;
  violations(): Promise<string[]>;
  multicasts(): Promise<{ to: string[]; retryKey?: string }[]>;
  reset(): Promise<void>;
  setValidation(mode: ValidationMode): Promise<void>;
  close(): Promise<void>;
}

/** Starts the compiled stand-in (dist/test/support/fake-line-server.js) in its own process. */
export async function spawnFakeLineServer(options: { token?: string; validation?: ValidationMode; maxRecords?: number } = {}): Promise<FakeLineServer> {
  const root = findRoot(__dirname);
  const script = path.join(root, 'dist', 'test', 'support', 'fake-line-server.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: compile first (npm run build)`);
  const args = [script, '--validation', options.validation ?? 'full', '--max-records', String(options.maxRecords ?? 2000)];
  if (options.token) args.push('--token', options.token);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { baseUrl, controlUrl } = await new Promise<{ baseUrl: string; controlUrl: string }>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      child.stdout!.off('data', onData);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)));
      } catch (error) {
        reject(error as Error);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`fake LINE server exited with ${code} before listening`)));
  });
  child.stdout!.resume();
  const call = async <T>(method: string, pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${controlUrl}${pathAndQuery}`, { method });
    if (!response.ok) throw new Error(`fake LINE control ${method} ${pathAndQuery}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    baseUrl,
    controlUrl,
    process: child,
    stats: () => call('GET', '/stats'),
    violations: () => call('GET', '/violations'),
    multicasts: () => call('GET', '/multicasts'),
    reset: async () => void (await call('POST', '/reset')),
    setValidation: async (mode) => void (await call('POST', `/validation?mode=${mode}`)),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake LINE server: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
