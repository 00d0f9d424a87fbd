/**
 * GET /metrics: off unless asked for, refused without the bearer token, and counting what operators
 * watch (webhook statuses, event outcomes, LINE failures, store failures, reminder passes) with no
 * user id or text in any label. The real app over HTTP, signed webhooks, a real SQLite file.
 */
import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import { quickReplies, say, startBot, type BotHarness } from '../support/bot-harness';
import { contentWithIbasho } from '../support/content-fixture';
import { followEvent, postbackEvent, stickerEvent, textEvent, unfollowEvent } from '../support/line-webhook';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

/** The value of one sample line (`name{labels} value`), or 0 when the series is absent. */
function sample(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(bot: BotHarness): Promise<string> {
  const response = await bot.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  return response.text;
}

describe('without METRICS_TOKEN or METRICS_PORT', () => {
  test('/metrics is not served at all', async () => {
    const bot = await startBot();
    try {
      const response = await bot.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
      expect(response.status).toBe(404);
      expect(bot.composed.metricsListener).toBeNull();
    } finally {
      await bot.close();
    }
  });
});

describe('with METRICS_TOKEN', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterEach(async () => {
    expect(bot.fake.violations()).toEqual([]);
    await bot.close();
  });

  test.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['a token one character short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token as Basic credentials', `Basic ${TOKEN}`],
  ])('%s → 401 with WWW-Authenticate, and no metric in the body', async (_name, authorization) => {
    const request = bot.http().get('/metrics');
    const response = await (authorization ? request.set('authorization', authorization) : request);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.text).not.toContain('guide_');
  });

  test('the right token → Prometheus text with the process metrics', async () => {
    const response = await bot.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(response.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(response.text).toContain('# TYPE guide_event_duration_seconds histogram');
  });

  test('events are counted by outcome, each timed once, and no user id or text reaches a label', async () => {
    const user = 'U' + 'a1'.repeat(16);
    const follow = followEvent(user);
    const typed = 'ほげほげふがふが';
    const events = [follow, textEvent(user, '死にたい'), textEvent(user, typed), stickerEvent(user), postbackEvent(user, 'go=no-such-node')];
    for (const event of events) expect((await bot.send([event])).status).toBe(200);
    // LINE redelivers the follow: answered once, counted as a duplicate.
    expect((await bot.send([{ ...follow, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    expect((await bot.send([unfollowEvent(user)])).status).toBe(200);
    expect((await bot.send([textEvent(user, 'x')], { signature: 'AAAA' })).status).toBe(401);

    const text = await scrape(bot);
    for (const [outcome, count] of Object.entries({ answered: 1, crisis: 1, not_understood: 1, non_text: 1, stale: 1, duplicate: 1, unfollowed: 1 })) {
      expect([outcome, sample(text, `guide_events_total{outcome="${outcome}"}`)]).toEqual([outcome, count]);
    }
    expect(sample(text, 'guide_event_duration_seconds_count')).toBe(7);
    expect(sample(text, 'guide_webhook_requests_total{status="200"}')).toBe(7);
    expect(sample(text, 'guide_webhook_requests_total{status="401"}')).toBe(1);
    expect(sample(text, 'guide_line_api_call_duration_seconds_count{call="reply"}')).toBe(bot.fake.replies().length);
    expect(text).not.toContain(user);
    expect(text).not.toContain(typed);
    expect(text).not.toContain('死にたい');
  });

  test('a reply LINE refuses with 500 → the event failed, LINE error counted by kind, webhook 500', async () => {
    bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500, body: { message: 'Internal error' } }]);
    expect((await bot.send([followEvent('U' + 'b2'.repeat(16))])).status).toBe(500);
    const text = await scrape(bot);
    expect(sample(text, 'guide_line_api_errors_total{call="reply",kind="retryable"}')).toBe(1);
    expect(sample(text, 'guide_events_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'guide_webhook_requests_total{status="500"}')).toBe(1);
  });

  test('a database that stays locked → the store error is counted by operation', async () => {
    // Another connection holds SQLite's write lock longer than the store's busy timeout (1.5 s).
    const other = new BetterSqlite3(path.join(bot.dataDir, 'guide.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect((await bot.send([followEvent('U' + 'c3'.repeat(16))])).status).toBe(500);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const text = await scrape(bot);
    expect(sample(text, 'guide_store_errors_total{operation="recordTurn"}')).toBe(1);
    expect(sample(text, 'guide_events_total{outcome="failed"}')).toBe(1);
  });

});

describe('with METRICS_TOKEN and a いばしょ date with subscribers', () => {
  test('a reminder pass counts its multicasts and recipients; a dry run counts nothing', async () => {
    const fixture = contentWithIbasho({ dates: [{ date: '2026-12-22', status: 'held' }] });
    const bot = await startBot({ now: '2026-12-01T01:00:00Z', env: { METRICS_TOKEN: TOKEN, CONTENT_DIR: fixture.dir } });
    try {
      const user = 'U' + 'd4'.repeat(16);
      await say(bot, followEvent(user));
      const answer = await say(bot, textEvent(user, 'いばしょ'));
      const offer = quickReplies(answer).find((q) => q.label.includes('お知らせ') || q.label.includes('リマインド'));
      await say(bot, postbackEvent(user, offer!.data));
      // The day before, at 18:00 in Tokyo (content/ibasho.yaml's reminder times).
      const dueAt = new Date('2026-12-21T18:00:00+09:00');
      await bot.composed.runReminders!(dueAt, { dryRun: true });
      expect(sample(await scrape(bot), 'guide_reminder_passes_total')).toBe(0);
      await bot.composed.runReminders!(dueAt);
      const text = await scrape(bot);
      expect(bot.fake.multicasts().map((m) => m.to)).toEqual([[user]]);
      expect(sample(text, 'guide_reminder_passes_total')).toBe(1);
      expect(sample(text, 'guide_reminder_batches_sent_total')).toBe(1);
      expect(sample(text, 'guide_reminder_recipients_total{result="sent"}')).toBe(1);
      expect(sample(text, 'guide_line_api_call_duration_seconds_count{call="multicast"}')).toBe(1);
      expect(text).not.toContain(user);
      expect(bot.fake.violations()).toEqual([]);
    } finally {
      await bot.close();
      fixture.remove();
    }
  });
});
