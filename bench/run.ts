/**
 * `npm run bench [-- --quick] [options]`: how close the bot is to the limit, as ratios against two
 * baselines measured in the same run on the same machine (see BENCHMARKS.md).
 *
 * On loopback, each in its own process: the stand-in LINE API, the load generator, and in turn the
 * bot (compiled JS, production settings, embedded store; PostgreSQL too when DATABASE_URL is set),
 * an echo bot written like the SDK's examples, and a bare node:http floor. Rounds alternate the
 * targets; the table shows medians over rounds. Then the reminder fan-out through the real CLI.
 *
 * Options: --quick · --rounds N · --users N · --concurrency N · --saturation-seconds S · --rate R
 *          --rate-seconds S · --check-events N · --subscribers N (0: no fan-out) · --targets bot,echo,floor
 *          --json FILE · profiling: --bot-node-args="--cpu-prof --cpu-prof-dir=DIR" · --bot-env KEY=VALUE · --bot-log FILE (the bot's own output, e.g. with --trace-gc)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findRoot, spawnFakeLineServer, type FakeLineServer } from '../test/support/fake-line-server';
import { measureFanout, type FanoutResult } from './fanout';
import type { LoadPlan, LoadResult, PhasePlan } from './loadgen';
import { formatChecks, summarise, summaryFor, table, type BenchReport, type RoundResult } from './report';
import { runNode, startTarget, type LineSettings, type RunningTarget, type TargetSpec } from './targets';

export interface BenchOptions {
  rounds: number;
  users: number;
  concurrency: number;
  checkEvents: number;
  saturationSeconds: number;
  rate: number;
  rateSeconds: number;
  /** Reminder fan-out size; 0 skips it. */
  subscribers: number;
  targets: string[];
  databaseUrl?: string;
  botNodeArgs?: string[];
  /** Extra environment of the bot process (profiling: MEMORY_PROBE_FILE …). */
  botEnv?: Record<string, string>;
  /** Appends the bot's stdout and stderr to this file. */
  botLog?: string;
  /** Progress lines (stderr by default). */
  progress?: (line: string) => void;
}

export const FULL: BenchOptions = {
  rounds: 3,
  users: 10_000,
  concurrency: 32,
  checkEvents: 300,
  saturationSeconds: 10,
  rate: 300,
  rateSeconds: 10,
  subscribers: 20_000,
  targets: ['bot', 'echo', 'floor'],
};

export const QUICK: BenchOptions = { ...FULL, rounds: 1, users: 2_000, checkEvents: 100, saturationSeconds: 3, rateSeconds: 3 };

const LINE_SECRET = 'be2c4c4a22e15ec2e70123456789abcd';
/** Work by other processes above this (cores, during a saturation phase) is called out in the report. */
const OTHERS_WARNING_CORES = 0.25;
const LINE_TOKEN = 'bench-channel-access-token';

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const root = findRoot(__dirname);
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const specs: TargetSpec[] = [];
  for (const name of options.targets) {
    if (name === 'bot') specs.push({ name: 'bot', kind: 'bot' });
    else if (name === 'bot-pg') {
      if (!options.databaseUrl) throw new Error('the bot-pg target needs DATABASE_URL (a scratch PostgreSQL database: the benchmark writes to it)');
      specs.push({ name: 'bot-pg', kind: 'bot', databaseUrl: options.databaseUrl });
    } else if (name === 'echo') specs.push({ name: 'echo', kind: 'echo' });
    else if (name === 'floor') specs.push({ name: 'floor', kind: 'floor' });
    else throw new Error(`unknown target "${name}" (bot, bot-pg, echo, floor)`);
  }

  const fake = await spawnFakeLineServer({ token: LINE_TOKEN, validation: 'shallow' });
  const line: LineSettings = { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, apiBaseUrl: fake.baseUrl };
  const runId = Date.now().toString(36);
  const rounds: RoundResult[] = [];
  let fanout: FanoutResult | null = null;
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const spec of specs) {
        rounds.push(await measureTarget(root, fake, line, spec, round, `${runId}-r${round}`, options, progress));
      }
    }
    if (options.subscribers > 0) {
      progress(`reminder fan-out: ${options.subscribers} subscribers through the reminders CLI`);
      fanout = await measureFanout(root, fake, line, options.subscribers);
      progress(`  ${fanout.seconds.toFixed(2)} s, ${fanout.calls} calls, ${fanout.uniqueRecipients} reached; CLI: ${fanout.cliSummary}`);
    }
  } finally {
    await fake.close();
  }

  const targets = specs.map((spec) => summarise(spec.name, rounds.filter((r) => r.target === spec.name)));
  const echo = targets.find((t) => t.name === 'echo');
  const floor = targets.find((t) => t.name === 'floor');
  // The fan-out runs on the embedded store only, so it belongs to the bot's summary, not bot-pg's.
  const summaries = targets.filter((t) => t.name.startsWith('bot')).map((bot) => summaryFor(bot, echo, floor, bot.name === 'bot' ? fanout : null));
  return {
    settings: { ...options, progress: undefined, databaseUrl: options.databaseUrl ? '(set)' : undefined },
    machine: machineLine(),
    rounds,
    targets,
    fanout,
    summaries,
  };
}

async function measureTarget(
  root: string,
  fake: FakeLineServer,
  line: LineSettings,
  spec: TargetSpec,
  round: number,
  namespace: string,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<RoundResult> {
  await fake.reset();
  const target: RunningTarget = await startTarget(root, spec, line, spec.kind === 'bot' ? { nodeArgs: options.botNodeArgs ?? [], env: options.botEnv ?? {}, ...(options.botLog ? { log: options.botLog } : {}) } : {});
  try {
    const phases: PhasePlan[] = [
      { name: 'check', kind: 'check', events: options.checkEvents, concurrency: 4 },
      { name: 'follow', kind: 'follow', concurrency: options.concurrency },
      { name: 'saturation', kind: 'saturation', seconds: options.saturationSeconds, concurrency: options.concurrency },
      { name: 'rate', kind: 'rate', rate: options.rate, seconds: options.rateSeconds },
    ];
    const plan: LoadPlan = {
      webhookUrl: `${target.url}/webhook`,
      channelSecret: line.channelSecret,
      controlUrl: fake.controlUrl,
      users: options.users,
      namespace,
      seed: round,
      phases,
      watch: { target: target.pid, standin: fake.process.pid! },
    };
    const stdout = await runNode(root, [path.join(root, 'dist', 'bench', 'loadgen.js'), JSON.stringify(plan)]).done;
    const load = JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
    const result: RoundResult = { target: spec.name, round, coldStartMs: target.coldStartMs, peakRssMb: target.peakRssMb(), load };
    progress(describeRound(result));
    if (load.phases.some((p) => p.errors > 0)) progress(`  ${spec.name} output (last lines):\n${indent(target.outputTail())}`);
    return result;
  } finally {
    await target.stop();
  }
}

function describeRound(r: RoundResult): string {
  const by = (kind: string) => r.load.phases.find((p) => p.kind === kind);
  const sat = by('saturation');
  const rate = by('rate');
  const bad = r.load.phases.reduce((n, p) => n + p.errors + p.missing + (p.violations ?? 0), 0);
  return [
    `round ${r.round} ${r.target.padEnd(6)}`,
    `cold ${r.coldStartMs.toFixed(0)} ms`,
    `follow ${by('follow')?.throughput.toFixed(0)}/s`,
    `sat ${sat?.throughput.toFixed(0)}/s`,
    `@${rate ? (rate.sent / rate.seconds).toFixed(0) : '?'}/s e2e p99 ${rate?.e2e.p99.toFixed(2)} ms`,
    `rss ${r.peakRssMb.toFixed(1)} MB`,
    bad > 0 ? `PROBLEMS ${bad} (${r.load.phases.flatMap((p) => p.errorSamples).slice(0, 2).join('; ')})` : 'clean',
    `clock offset ${r.load.clock.offsetMs.toFixed(3)} ms`,
  ].join(' · ');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function formatReport(report: BenchReport): string {
  const rate = Number(report.settings.rate);
  const parts = [
    `Machine: ${report.machine}`,
    `Medians of ${report.targets[0]?.rounds ?? 0} round(s); ${report.settings.users} users, ${report.settings.concurrency} in flight at saturation, fixed rate ${rate}/s.`,
    '',
    table(report.targets, rate),
    '',
  ];
  const disturbed = report.targets.filter((t) => (t.saturationCores.others ?? 0) > OTHERS_WARNING_CORES);
  if (disturbed.length > 0) {
    parts.push(
      `WARNING: other processes on this machine used ${disturbed.map((t) => `${(t.saturationCores.others ?? 0).toFixed(2)} cores during ${t.name}'s saturation`).join(', ')} ` +
        '(median over rounds): those figures are disturbed; compare CPU ms/event, or run again on a quiet machine.',
      '',
    );
  }
  if (report.fanout) {
    const f = report.fanout;
    parts.push(
      `Reminder fan-out: ${f.subscribers} subscribers, ${f.seconds.toFixed(2)} s (CLI process, spawn to exit), ${f.calls} multicast calls (expected ${f.expectedCalls}, largest ${f.largestBatch}), ` +
        `${f.uniqueRecipients} reached, ${f.recipients - f.uniqueRecipients} duplicates, ${f.notReached} not reached, second pass ${f.repeatCalls} calls. CLI: ${f.cliSummary}`,
      '',
    );
  }
  for (const summary of report.summaries) parts.push(`Targets (${summary.target}):`, formatChecks(summary.checks), '');
  for (const summary of report.summaries) parts.push(summary.line);
  return parts.join('\n');
}

export function optionsFromArgv(argv: string[]): BenchOptions & { json?: string } {
  // scripts/start.mjs may or may not leave its entry argument in argv; ours all start with "--".
  const args = argv[0] && !argv[0].startsWith('-') ? argv.slice(1) : argv;
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      users: { type: 'string' },
      concurrency: { type: 'string' },
      'check-events': { type: 'string' },
      'saturation-seconds': { type: 'string' },
      rate: { type: 'string' },
      'rate-seconds': { type: 'string' },
      subscribers: { type: 'string' },
      targets: { type: 'string' },
      json: { type: 'string' },
      'bot-node-args': { type: 'string' },
      'bot-env': { type: 'string', multiple: true },
      'bot-log': { type: 'string' },
    },
  });
  const base = values.quick ? QUICK : FULL;
  const number = (value: string | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, not "${value}"`);
    return n;
  };
  const databaseUrl = process.env.DATABASE_URL?.trim();
  return {
    rounds: Math.max(1, number(values.rounds, base.rounds, 'rounds')),
    users: Math.max(1, number(values.users, base.users, 'users')),
    concurrency: Math.max(1, number(values.concurrency, base.concurrency, 'concurrency')),
    checkEvents: number(values['check-events'], base.checkEvents, 'check-events'),
    saturationSeconds: number(values['saturation-seconds'], base.saturationSeconds, 'saturation-seconds'),
    rate: Math.max(1, number(values.rate, base.rate, 'rate')),
    rateSeconds: number(values['rate-seconds'], base.rateSeconds, 'rate-seconds'),
    subscribers: number(values.subscribers, base.subscribers, 'subscribers'),
    // With DATABASE_URL, the bot on PostgreSQL runs beside the one on the embedded store.
    targets: values.targets ? values.targets.split(',').map((t) => t.trim()) : databaseUrl ? ['bot', 'bot-pg', 'echo', 'floor'] : base.targets,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(values['bot-node-args'] ? { botNodeArgs: values['bot-node-args'].split(/\s+/).filter(Boolean) } : {}),
    ...(values['bot-log'] ? { botLog: values['bot-log'] } : {}),
    ...(values['bot-env'] ? { botEnv: Object.fromEntries(values['bot-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) } : {}),
    ...(values.json ? { json: values.json } : {}),
  };
}

/** The `npm run bench` command: options from argv, progress on stderr, the report on stdout. */
export async function main(argv: string[]): Promise<void> {
  const options = optionsFromArgv(argv);
  const started = Date.now();
  const report = await runBench(options);
  process.stdout.write(`\n${formatReport(report)}\n`);
  process.stderr.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
}
