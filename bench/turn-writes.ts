/**
 * The store's turn path alone on SQLite, as the webhook runs it: read a person's context, record the
 * turn (event id, new state, the reply to send), then mark it replied (not waited for, as in the
 * webhook; every mark is awaited before the clock stops); for N turns over 10,000
 * people, with a real reply of the project's content (a family answer: cards and quick replies).
 * Run: `node scripts/start.mjs ../bench/turn-writes [N]`. Prints wall time and CPU per turn, one by
 * one and 50 at a time (group commit). No network, so it shows a store change where the full
 * benchmark's noise would hide it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { step } from '../src/domain/conversation';
import { openStore } from '../src/store/open-store';
import type { RecordTurn, Store } from '../src/usecases/ports';
import { loadDefinitions } from '../src/files/definitions-files';
import { projectRoot } from '../test/support/understanding-eval';

const PEOPLE = 10_000;
const root = projectRoot(__dirname);
const defs = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
const family = step(defs, null, { kind: 'text', text: '家族です' }, new Date());
const { reply } = step(defs, family.state, { kind: 'text', text: '息子が部屋から出てきません' }, new Date());

/** One turn as the webhook runs it; resolves with the replied mark, which the webhook does not wait for. */
async function oneTurn(store: Store, i: number, run: string): Promise<{ mark: Promise<void> }> {
  const userId = `U${run}${String(i % PEOPLE).padStart(30, '0')}`;
  const context = await store.loadTurnContext(userId);
  const turn: RecordTurn = {
    eventId: `E${run}${String(i).padStart(24, '0')}`,
    userId,
    channel: 'line',
    replyToken: 'r'.repeat(32),
    state: { flowVersion: 'guide@1', snapshot: { value: 'start', context: { lastQuestion: 'start' } } },
    expectedVersion: context.conversation?.version ?? null,
    reply,
    crisis: false,
    at: new Date(),
    lastEventAt: Date.now(),
    leaseMs: 25_000,
  };
  await store.recordTurn(turn);
  return { mark: store.markReplied(turn.eventId) };
}

async function measure(label: string, store: Store, turns: number, parallel: number, run: string): Promise<void> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const marks: Promise<void>[] = [];
  for (let i = 0; i < turns; i += parallel) {
    // Distinct people within a group, as concurrent turns of one person would conflict.
    marks.push(...(await Promise.all(Array.from({ length: Math.min(parallel, turns - i) }, (_, j) => oneTurn(store, i + j, run)))).map((t) => t.mark));
  }
  await Promise.all(marks);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / turns;
  process.stdout.write(`${label.padEnd(22)} ${turns} turns  ${(turns / (wallMs / 1000)).toFixed(0).padStart(6)} turns/s  ${((wallMs * 1000) / turns).toFixed(0).padStart(5)} µs wall/turn  ${cpuUs.toFixed(0).padStart(5)} µs CPU/turn\n`);
}

async function main(): Promise<void> {
  const turns = Number(process.argv[2] ?? 5000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-turn-bench-'));
  const store = await openStore({ dataDir: dir, databaseUrl: null });
  try {
    process.stdout.write(`reply: ${JSON.stringify(reply).length} characters of JSON\n`);
    await measure('warm-up', store, 500, 1, 'w');
    await measure('one at a time', store, turns, 1, 'a');
    await measure('50 at a time', store, turns, 50, 'b');
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`turn-writes: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
