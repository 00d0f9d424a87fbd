/**
 * Reminder fan-out: N subscribers in the bot's SQLite file, one explicit held date in a copy of
 * content/, and the real CLI (`node scripts/start.mjs cli/reminders --now <day before, 18:00:30>`)
 * against the stand-in LINE API. Measures the CLI's wall time, the multicast calls, and who was
 * reached; then runs the same pass again, which must send nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import type { FakeLineServer } from '../test/support/fake-line-server';
import { preciseNow } from './measure';
import { runNode, type LineSettings } from './targets';
import { userId } from './traffic';

export const MULTICAST_LIMIT = 500;

export interface FanoutResult {
  subscribers: number;
  /** Wall time of the CLI process, spawn to exit. */
  seconds: number;
  /** Multicast calls LINE accepted. */
  calls: number;
  expectedCalls: number;
  largestBatch: number;
  recipients: number;
  uniqueRecipients: number;
  /** Subscribers nobody sent to, and ids sent to that were not subscribers. */
  notReached: number;
  strangers: number;
  /** Multicast calls of a second pass at the same instant (must be 0). */
  repeatCalls: number;
  violations: number;
  cliSummary: string;
}

const DAY_MS = 86_400_000;
const TOKYO_OFFSET_MS = 9 * 3_600_000;

export async function measureFanout(root: string, fake: FakeLineServer, line: LineSettings, subscribers: number): Promise<FanoutResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-bench-fanout-'));
  try {
    // A held date three weeks ahead (Tokyo calendar), and the instant just after its day-before reminder.
    const todayTokyo = Math.floor((Date.now() + TOKYO_OFFSET_MS) / DAY_MS) * DAY_MS;
    const held = new Date(todayTokyo + 21 * DAY_MS).toISOString().slice(0, 10);
    const dueAt = new Date(Date.parse(`${held}T18:00:30+09:00`) - DAY_MS).toISOString();
    const before = new Date(Date.parse(dueAt) - 2 * DAY_MS).toISOString();

    const contentDir = path.join(work, 'content');
    fs.cpSync(path.join(root, 'content'), contentDir, { recursive: true });
    const ibashoFile = path.join(contentDir, 'ibasho.yaml');
    const ibasho = parse(fs.readFileSync(ibashoFile, 'utf8'));
    ibasho.dates = [{ date: held, status: 'held', source: 'benchmark fixture', checked: new Date().toISOString().slice(0, 10) }];
    fs.writeFileSync(ibashoFile, stringify(ibasho));

    const dataDir = path.join(work, 'data');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LINE_CHANNEL_SECRET: line.channelSecret,
      LINE_CHANNEL_ACCESS_TOKEN: line.channelAccessToken,
      LINE_API_BASE_URL: line.apiBaseUrl,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      CONTENT_DIR: contentDir,
    };
    const cli = (now: string, ...extra: string[]) => runNode(root, [path.join(root, 'scripts', 'start.mjs'), 'cli/reminders', '--now', now, ...extra], env).done;

    // A pass with nothing due creates the database with the bot's own migrations.
    await cli(before, '--dry-run');
    const ids = Array.from({ length: subscribers }, (_, i) => userId('fanout', i));
    const db = new BetterSqlite3(path.join(dataDir, 'guide.db'));
    const insert = db.prepare('INSERT INTO subscriptions (user_id, created_at) VALUES (?, ?)');
    const subscribedAt = Date.parse(before);
    db.transaction(() => ids.forEach((id) => insert.run(id, subscribedAt)))();
    db.close();

    await fake.reset();
    await fake.setValidation('full');
    const started = preciseNow();
    const output = await cli(dueAt);
    const seconds = (preciseNow() - started) / 1000;
    const stats = await fake.stats();
    const reached = (await fake.multicasts()).flatMap((m) => m.to);
    const subscribed = new Set(ids);
    const reachedSet = new Set(reached);

    await cli(dueAt);
    const repeat = await fake.stats();
    await fake.setValidation('shallow');

    return {
      subscribers,
      seconds,
      calls: stats.multicasts.calls,
      expectedCalls: Math.ceil(subscribers / MULTICAST_LIMIT),
      largestBatch: stats.multicasts.largest,
      recipients: stats.multicasts.recipients,
      uniqueRecipients: stats.multicasts.unique,
      notReached: ids.filter((id) => !reachedSet.has(id)).length,
      strangers: [...reachedSet].filter((id) => !subscribed.has(id)).length,
      repeatCalls: repeat.multicasts.calls - stats.multicasts.calls,
      violations: repeat.violations,
      cliSummary: output.trim(),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
