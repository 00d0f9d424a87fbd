/**
 * The benchmark's machinery on a tiny load, so that `npm run bench` cannot rot: every process
 * starts (stand-in LINE API, bot, echo bot, floor, load generator, reminders CLI), people walk the
 * tree through the quick replies the bot offered, the stand-in validates the replies in full during
 * the check phase, and the report has its summary line. Nothing here is about timing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatReport, runBench } from '../../bench/run';
import { summaryFor, type TargetSummary } from '../../bench/report';
import { productionNodeFlags } from '../../bench/targets';
import { ROOT } from '../support/bot-harness';
import { distribution, median } from '../../bench/measure';
import { offeredChoices } from '../support/fake-line-server';

jest.setTimeout(60_000);

test('a tiny run of every target gives a clean report with the summary line', async () => {
  const progress: string[] = [];
  const report = await runBench({
    rounds: 1,
    users: 40,
    concurrency: 4,
    checkEvents: 40,
    saturationSeconds: 0.5,
    rate: 40,
    rateSeconds: 0.5,
    subscribers: 1_200,
    targets: ['bot', 'echo', 'floor'],
    progress: (line) => progress.push(line),
  });

  expect(report.targets.map((t) => t.name)).toEqual(['bot', 'echo', 'floor']);
  for (const target of report.targets) {
    expect({ name: target.name, errors: target.errors, missing: target.missing, violations: target.violations }).toEqual({
      name: target.name,
      errors: 0,
      missing: 0,
      violations: 0,
    });
    expect(target.saturationPerSec).toBeGreaterThan(0);
    expect(target.coldStartMs).toBeGreaterThan(0);
    expect(target.peakRssMb).toBeGreaterThan(0);
  }

  const bot = report.rounds.find((r) => r.target === 'bot')!.load;
  const check = bot.phases.find((p) => p.kind === 'check')!;
  expect(check.ok).toBe(40);
  expect(check.e2e.count).toBe(40);
  expect(check.violations).toBe(0);
  // People tapped what the bot offered them, and everyone followed.
  const taps = bot.phases.reduce((n, p) => n + (p.kinds.tap ?? 0), 0);
  expect(taps).toBeGreaterThan(0);
  expect(bot.phases.find((p) => p.kind === 'follow')!.ok + (check.kinds.follow ?? 0)).toBeGreaterThanOrEqual(40);

  expect(report.fanout).toMatchObject({
    subscribers: 1_200,
    calls: 3,
    expectedCalls: 3,
    largestBatch: 500,
    recipients: 1_200,
    uniqueRecipients: 1_200,
    notReached: 0,
    strangers: 0,
    repeatCalls: 0,
    violations: 0,
  });

  const text = formatReport(report);
  expect(text).toMatch(
    /^bench\(bot\): throughput_vs_echo=\d+\.\d\d throughput_vs_floor=\d+\.\d\d p99_e2e_ms=\d+\.\d\d p99_minus_echo_ms=-?\d+\.\d\d rss_mb=\d+\.\d cold_start_ms=\d+ cpu_ms_per_event=\d+\.\d\d\d reminder_fanout_1k_s=\d+\.\d\d reminder_api_calls=3$/m,
  );
  expect(text).toContain('| bot |');
  expect(progress.some((line) => line.startsWith('round 1 floor'))).toBe(true);
});

test('percentiles are nearest-rank and medians ignore missing values', () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  expect(distribution(samples)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
  expect(distribution([])).toMatchObject({ count: 0 });
  expect(median([3, NaN, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
});

test('the choices a person can tap are the quick replies of the last message', () => {
  const messages = [
    { type: 'text', text: 'a' },
    {
      type: 'text',
      text: 'b',
      quickReply: {
        items: [
          { type: 'action', action: { type: 'postback', label: '本人です', data: 'go=self&from=start', displayText: '本人です' } },
          { type: 'action', action: { type: 'message', label: 'いばしょ', text: 'いばしょ' } },
          { type: 'action', action: { type: 'uri', label: 'web', uri: 'https://example.com' } },
        ],
      },
    },
  ];
  expect(offeredChoices(messages)).toEqual([
    { type: 'postback', data: 'go=self&from=start', label: '本人です' },
    { type: 'message', text: 'いばしょ', label: 'いばしょ' },
  ]);
  expect(offeredChoices([])).toEqual([]);
});

test('the bot is measured with the node flags that npm start uses', () => {
  const flags = productionNodeFlags(ROOT);
  // The old-space limit is what keeps the server's RSS near its live heap (BENCHMARKS.md).
  expect(flags.some((flag) => flag.startsWith('--max-old-space-size='))).toBe(true);
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  expect(start).toBe(`node ${flags.join(' ')} scripts/start.mjs`);
});

test('the throughput check shows the ratio of each round beside the ratio of the medians', () => {
  const summary = (name: string, saturationByRound: number[]): TargetSummary => ({
    name,
    rounds: saturationByRound.length,
    coldStartMs: 500,
    followPerSec: 1000,
    saturationPerSec: median(saturationByRound),
    saturationByRound,
    saturationAckP99: 50,
    rateDrainSeconds: 0,
    ackP50: 1,
    ackP99: 5,
    e2eP50: 1,
    e2eP99: 5,
    peakRssMb: 100,
    errors: 0,
    missing: 0,
    violations: 0,
    cpuMsPerEvent: 1,
    saturationCores: {},
    errorSamples: [],
  });
  const throughput = (bot: TargetSummary, echo: TargetSummary) => summaryFor(bot, echo, undefined, null).checks.find((c) => c.label.startsWith('throughput'))!;

  const noisy = throughput(summary('bot', [900, 800, 600]), summary('echo', [1000, 1100, 1200]));
  expect(noisy.detail).toMatch(/^800 vs 1100 ev\/s = 0\.73× \(rounds: 0\.90 \/ 0\.73 \/ 0\.50\); CPU/);
  expect(noisy.met).toBe(true);
  const single = throughput(summary('bot', [600]), summary('echo', [1000]));
  expect(single.detail).toMatch(/^600 vs 1000 ev\/s = 0\.60×; CPU/);
  expect(single.met).toBe(false);
});
