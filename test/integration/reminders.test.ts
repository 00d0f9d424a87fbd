/**
 * いばしょ reminders end to end: subscribe through signed webhooks, run the dispatcher at chosen
 * instants (in-process and as the real CLI process), and check with the stand-in LINE API who got
 * what, exactly once.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT, botPerTest, quickReplies, replyText } from '../support/bot-harness';
import { storeRows } from '../support/stores';
import { followEvent, postbackEvent, textEvent, unfollowEvent } from '../support/line-webhook';
import { dispatchReminders } from '../../src/usecases/dispatch-reminders';
import { contentWithIbasho } from '../support/content-fixture';
import { projectDefinitions } from '../support/fixtures';
import { LineMessenger } from '../../src/line/line-messenger';
import { createLogger } from '../../src/log/pino-logger';

const run = promisify(execFile);
const newUser = () => `U${randomBytes(16).toString('hex')}`;

/** Tokyo wall time → instant. */
const tokyo = (local: string) => new Date(`${local}+09:00`);

let contentDir: string;

let fixture: ReturnType<typeof contentWithIbasho>;

beforeAll(() => {
  fixture = contentWithIbasho({
    dates: [
      { date: '2026-12-22', status: 'held' },
      { date: '2027-01-24', status: 'cancelled' },
      { date: '2027-02-23', status: 'moved', movedTo: '2027-02-25' },
    ],
  });
  contentDir = fixture.dir;
});

afterAll(() => fixture.remove());

const each = botPerTest(() => ({ now: tokyo('2026-12-01T10:00:00'), env: { CONTENT_DIR: contentDir } }));
const say = each.say;

async function subscribe(user: string): Promise<any[]> {
  await say(followEvent(user));
  const answer = await say(textEvent(user, 'いばしょ'));
  const item = quickReplies(answer).find((q) => q.label.includes('お知らせ') || q.label.includes('リマインド'));
  expect(item).toBeDefined();
  return say(postbackEvent(user, item!.data));
}

const fastRetry = { attempts: 3, baseDelayMs: 1 };
function dispatcher() {
  const messenger = new LineMessenger({ channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: each.bot.fake.baseUrl });
  return (now: Date) =>
    dispatchReminders({ definitions: each.bot.composed.definitions, store: each.bot.composed.store, messenger, logger: createLogger('silent'), retry: fastRetry }, now);
}

const recipients = () => each.bot.fake.multicasts().flatMap((m) => m.to);

describe('subscribing in the conversation', () => {
  test('いばしょ offers the reminder; tapping subscribes and says what comes and how to stop', async () => {
    const user = newUser();
    const confirmation = replyText(await subscribe(user));
    expect(confirmation).toContain('お知らせの登録をしました');
    expect(confirmation).toContain('前日 18:00と当日 9:00');
    expect(confirmation).toContain('リマインド停止');
  });

  test('tapping again does not subscribe twice and says so', async () => {
    const user = newUser();
    await subscribe(user);
    const again = replyText(await say(textEvent(user, 'リマインド')));
    expect(again).toContain('すでに');
    await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(recipients().filter((to) => to === user)).toHaveLength(1);
  });

  test('リマインド停止 stops at once and confirms; no reminder is sent', async () => {
    const user = newUser();
    await subscribe(user);
    expect(replyText(await say(textEvent(user, 'リマインド停止')))).toContain('お知らせを止めました');
    await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(recipients()).not.toContain(user);
  });

  test('blocking the bot deletes the subscription with the rest', async () => {
    const user = newUser();
    await subscribe(user);
    expect((await each.bot.send([unfollowEvent(user)])).status).toBe(200);
    expect(await storeRows(each.bot.composed.store, 'SELECT user_id FROM subscriptions WHERE user_id = ?', user)).toEqual([]);
    await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(recipients()).not.toContain(user);
  });
});

describe('sending', () => {
  test('the day before at 18:00 and the morning at 9:00, each exactly once, with a neutral first line', async () => {
    const a = newUser();
    const b = newUser();
    await subscribe(a);
    await subscribe(b);
    const pass = dispatcher();
    expect((await pass(tokyo('2026-12-21T17:59:00'))).summary.due).toBe(0);
    const first = await pass(tokyo('2026-12-21T18:00:30'));
    expect(first.summary).toEqual({ due: 1, sent: 1, recipients: 2, skipped: 0, missed: 0, failed: 0, held: 0 });
    await pass(tokyo('2026-12-21T18:01:30'));
    await pass(tokyo('2026-12-21T20:00:00'));
    expect(each.bot.fake.multicasts()).toHaveLength(1);
    await pass(tokyo('2026-12-22T09:00:30'));
    await pass(tokyo('2026-12-22T09:01:30'));
    expect(each.bot.fake.multicasts()).toHaveLength(2);
    expect(recipients().sort()).toEqual([a, a, b, b].sort());

    const message = each.bot.fake.multicasts()[0]!.messages[0];
    const defs = projectDefinitions();
    const ibasho = defs.windowsById.get(defs.ibasho.window)!;
    expect(message.text.split('\n')[0]).toBe(defs.content.phrases.reminder.preview);
    expect(message.text).not.toMatch(/ひきこもり|生きづらさ/);
    expect(message.text).toContain('12月22日(火) 13:30〜16:30');
    expect(message.text).toContain(ibasho.place!.value);
    expect(message.text).toContain(ibasho.access!.value);
    expect(message.text).toContain('無料');
    expect(message.text).toContain('ニックネーム');
    expect(message.text).toContain('途中');
    expect(quickReplies([message]).map((q) => q.label)).toEqual(['リマインド停止', 'ほかの相談を見る']);
    expect(each.bot.fake.multicasts()[0]!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the stop button of a reminder works', async () => {
    const user = newUser();
    await subscribe(user);
    await dispatcher()(tokyo('2026-12-21T18:00:30'));
    const stop = quickReplies(each.bot.fake.multicasts()[0]!.messages).find((q) => q.label === 'リマインド停止')!;
    expect(replyText(await say(postbackEvent(user, stop.data)))).toContain('お知らせを止めました');
  });

  test('two dispatchers at the same instant send each reminder once', async () => {
    const users = [newUser(), newUser(), newUser()];
    for (const user of users) await subscribe(user);
    const now = tokyo('2026-12-21T18:00:30');
    const [one, two] = await Promise.all([dispatcher()(now), dispatcher()(now)]);
    expect(one.summary.recipients + two.summary.recipients).toBe(3);
    expect(recipients().sort()).toEqual([...users].sort());
  });

  test('LINE accepted but answered 500: the retry with the same key gets 409 and counts as sent', async () => {
    const user = newUser();
    await subscribe(user);
    each.bot.fake.script('POST', '/v2/bot/message/multicast', [{ status: 500, accept: true }]);
    const { summary } = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(summary).toMatchObject({ sent: 1, recipients: 1, failed: 0 });
    const calls = each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/multicast');
    expect(calls.map((c) => c.status)).toEqual([500, 409]);
    expect(calls[0]!.headers['x-line-retry-key']).toBe(calls[1]!.headers['x-line-retry-key']);
    expect(each.bot.fake.multicasts()).toHaveLength(1);
  });

  test('a 429 is retried with backoff', async () => {
    const user = newUser();
    await subscribe(user);
    each.bot.fake.script('POST', '/v2/bot/message/multicast', [{ status: 429, body: { message: 'Too many requests' } }]);
    const { summary } = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(summary).toMatchObject({ sent: 1, recipients: 1 });
    expect(each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/multicast').map((r) => r.status)).toEqual([429, 200]);
  });

  test('persistent 5xx: not sent this pass, counted as failed, sent by a later pass with the same key', async () => {
    const user = newUser();
    await subscribe(user);
    each.bot.fake.script('POST', '/v2/bot/message/multicast', [{ status: 503 }, { status: 503 }, { status: 503 }]);
    const first = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(first.summary).toMatchObject({ sent: 0, failed: 1 });
    const second = await dispatcher()(tokyo('2026-12-21T18:01:30'));
    expect(second.summary).toMatchObject({ sent: 1, recipients: 1 });
    const keys = new Set(each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/multicast').map((r) => r.headers['x-line-retry-key']));
    expect(keys.size).toBe(1);
  });

  test('another 4xx is logged and not retried', async () => {
    await subscribe(newUser());
    each.bot.fake.script('POST', '/v2/bot/message/multicast', [{ status: 403, body: { message: 'forbidden' } }]);
    const first = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(first.summary).toMatchObject({ sent: 0, failed: 1 });
    await dispatcher()(tokyo('2026-12-21T18:05:00'));
    expect(each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/multicast')).toHaveLength(1);
  });

  test('a reminder that would exceed the month quota sends none of it and says so; it goes once topped up', async () => {
    const users = [newUser(), newUser()];
    for (const user of users) await subscribe(user);
    each.bot.fake.setQuota({ limit: 100, used: 99 });
    const blocked = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(blocked.summary).toMatchObject({ sent: 0, skipped: 2 });
    expect(each.bot.fake.multicasts()).toHaveLength(0);
    each.bot.fake.setQuota({ limit: 1000, used: 99 });
    const after = await dispatcher()(tokyo('2026-12-21T18:10:00'));
    expect(after.summary).toMatchObject({ sent: 1, recipients: 2 });
  });

  test('no reminder for a cancelled date', async () => {
    await subscribe(newUser());
    const { summary } = await dispatcher()(tokyo('2027-01-23T18:00:30'));
    expect(summary.due).toBe(0);
    expect(each.bot.fake.multicasts()).toHaveLength(0);
  });

  test('a moved date is announced with the new date', async () => {
    await subscribe(newUser());
    await dispatcher()(tokyo('2027-02-24T18:00:30'));
    const text = each.bot.fake.multicasts()[0]!.messages[0].text as string;
    expect(text).toContain('日程が変わりました(2月23日(火) → 2月25日(木))');
    expect(text).toContain('2月25日(木) 13:30〜16:30');
  });

  test('a late run still sends while the event has not started (only the latest of its reminders); after it starts they are missed', async () => {
    const early = newUser();
    await subscribe(early);
    const late = await dispatcher()(tokyo('2026-12-22T13:00:00'));
    expect(late.summary).toMatchObject({ due: 2, sent: 1, recipients: 1, missed: 1 });
    expect(each.bot.fake.multicasts()).toHaveLength(1);

    await subscribe(newUser());
    each.bot.fake.reset();
    const after = await dispatcher()(tokyo('2026-12-22T13:31:00'));
    expect(after.summary).toMatchObject({ due: 0, sent: 0, missed: 2 });
    expect(each.bot.fake.multicasts()).toHaveLength(0);
  });

  test('subscribers who were due but not sent before the start are counted as missed, once', async () => {
    each.bot.setNow(tokyo('2026-12-20T10:00:00'));
    await subscribe(newUser());
    const first = await dispatcher()(tokyo('2026-12-22T14:00:00'));
    expect(first.summary).toMatchObject({ sent: 0, missed: 2 });
    const second = await dispatcher()(tokyo('2026-12-22T14:05:00'));
    expect(second.summary.missed).toBe(0);
    expect(each.bot.fake.multicasts()).toHaveLength(0);
  });
});

describe('npm run reminders (a real process)', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['scripts/start.mjs', 'cli/reminders', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        LINE_CHANNEL_SECRET: CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
        LINE_API_BASE_URL: each.bot.fake.baseUrl,
        DATA_DIR: each.bot.dataDir,
        CONTENT_DIR: contentDir,
        LOG_LEVEL: 'warn',
      },
    });

  test('--dry-run prints the plan and the quota, and sends nothing', async () => {
    await subscribe(newUser());
    each.bot.fake.setQuota({ limit: 500, used: 12 });
    const { stdout } = await cli('--now', '2026-12-21T09:00:30Z', '--dry-run');
    expect(stdout).toContain('would send 2026-12-22:day-before to 1 people');
    expect(stdout).toContain('quota limit=500 used=12');
    expect(each.bot.fake.multicasts()).toHaveLength(0);
  });

  test('one pass prints a one-line summary; two processes at the same instant send once', async () => {
    const users = [newUser(), newUser()];
    for (const user of users) await subscribe(user);
    const [one, two] = await Promise.all([cli('--now', '2026-12-21T09:00:30Z'), cli('--now', '2026-12-21T09:00:30Z')]);
    const lines = [one.stdout, two.stdout].map((out) => out.split('\n')[0]!);
    for (const line of lines) expect(line).toMatch(/^due=1 sent=\d recipients=\d skipped=0 missed=0 failed=0 held=\d$/);
    // One run sends; the other finds nothing left, or says that the batch is being sent by the first.
    expect(lines.filter((line) => line.includes('sent=1 recipients=2'))).toHaveLength(1);
    expect(recipients().sort()).toEqual([...users].sort());
  });

  test('a run killed while LINE accepts its batch: a rerun says the batch is held and until when; after the lease it is sent once', async () => {
    const users = [newUser(), newUser()];
    for (const user of users) await subscribe(user);
    // LINE accepts the multicast at once but answers late; the CLI is killed while it waits.
    each.bot.fake.script('POST', '/v2/bot/message/multicast', [{ status: 200, body: {}, accept: true, delayMs: 10_000 }]);
    const { spawn } = await import('node:child_process');
    const env = { ...process.env, LINE_CHANNEL_SECRET: CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL: each.bot.fake.baseUrl, DATA_DIR: each.bot.dataDir, CONTENT_DIR: contentDir, LOG_LEVEL: 'warn' };
    const doomed = spawn(process.execPath, ['dist/src/cli/reminders.js', '--now', '2026-12-21T09:00:30Z'], { cwd: ROOT, env });
    const exited = new Promise((resolve) => doomed.on('exit', resolve));
    const deadline = Date.now() + 15_000;
    while (!each.bot.fake.requests.some((r) => r.path === '/v2/bot/message/multicast') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    doomed.kill('SIGKILL');
    await exited;
    expect(each.bot.fake.multicasts().flatMap((m) => m.to).sort()).toEqual([...users].sort());

    const rerun = await cli('--now', '2026-12-21T09:00:40Z');
    expect(rerun.stdout).toMatch(/held=2$/m);
    expect(rerun.stdout).toContain('held by another run until 2026-12-21T09:00:55.000Z: 2026-12-22:day-before (2 people)');

    const afterLease = await cli('--now', '2026-12-21T09:01:00Z');
    expect(afterLease.stdout).toMatch(/^due=1 sent=1 recipients=2 skipped=0 missed=0 failed=0 held=0$/m);
    // The retry key of the first call: LINE answered 409, and nobody got the reminder twice.
    expect(each.bot.fake.multicasts().flatMap((m) => m.to).sort()).toEqual([...users].sort());
    const keys = each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/multicast').map((r) => r.headers['x-line-retry-key']);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
  });

  test('a bad --now is a clear error', async () => {
    await expect(cli('--now', 'tomorrow')).rejects.toMatchObject({ stderr: expect.stringContaining('--now must be an ISO-8601 instant') });
  });
});

describe('the server itself', () => {
  test('runs the dispatcher on its own (at start, then every minute) and sends a due reminder', async () => {
    // The server reads the real clock. A confirmed いばしょ today (before 13:00 in Tokyo) or tomorrow, with a
    // reminder the day before at 08:00: its send time has always passed and the event has not started.
    const now = new Date();
    const tokyoMs = now.getTime() + 9 * 3600_000;
    const eventDay = new Date(tokyoMs % 86_400_000 < 13 * 3600_000 ? tokyoMs : tokyoMs + 86_400_000).toISOString().slice(0, 10);
    const serverContent = contentWithIbasho({
      dates: [{ date: eventDay, status: 'held' }],
      reminderTimes: [{ kind: 'day-before', daysBefore: 1, at: '08:00' }],
    });
    const user = newUser();
    await storeRows(each.bot.composed.store, 'INSERT INTO subscriptions (user_id, created_at) VALUES (?, ?)', user, now.getTime() - 7 * 86_400_000);

    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', SIMULATOR: 'off', DATA_DIR: each.bot.dataDir, CONTENT_DIR: serverContent.dir, LINE_CHANNEL_SECRET: CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL: each.bot.fake.baseUrl },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (each.bot.fake.multicasts().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(each.bot.fake.multicasts().flatMap((m) => m.to)).toEqual([user]);
    } finally {
      child.kill('SIGTERM');
      serverContent.remove();
    }
  });
});

describe('fan-out', () => {
  test('20,000 subscribers are reached in ceil(20000/500) = 40 multicasts, each exactly once', async () => {
    const users = Array.from({ length: 20_000 }, () => newUser());
    const createdAt = tokyo('2026-12-01T00:00:00').getTime();
    for (let i = 0; i < users.length; i += 1000) {
      await each.bot.composed.store.database.insertInto('subscriptions').values(users.slice(i, i + 1000).map((user_id) => ({ user_id, created_at: createdAt }))).execute();
    }
    const { summary } = await dispatcher()(tokyo('2026-12-21T18:00:30'));
    expect(summary).toMatchObject({ sent: 40, recipients: 20_000, failed: 0 });
    expect(each.bot.fake.multicasts()).toHaveLength(40);
    const all = recipients();
    expect(all).toHaveLength(20_000);
    expect(new Set(all).size).toBe(20_000);
    expect(new Set(each.bot.fake.multicasts().map((m) => m.retryKey)).size).toBe(40);
  }, 60_000);
});
