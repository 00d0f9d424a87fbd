/**
 * Several instances on one PostgreSQL: two real server processes behind no load balancer but the
 * test itself, signed webhooks sent to both, replies captured by one stand-in LINE API.
 */
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT, replyText } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { followEvent, signBody, textEvent, webhookBody, type WebhookEvent } from '../support/line-webhook';
import { contentWithIbasho } from '../support/content-fixture';
import { describeWithPostgres, freshDatabase, startTemporaryCluster, type TemporaryCluster } from '../support/postgres';
import { newUser } from '../support/fixtures';


type Instance = ServerProcess;
const startInstance = (env: Record<string, string>) => startServerProcess(env);
const stop = stopServerProcess;

async function send(instance: Instance, events: WebhookEvent[]): Promise<number> {
  const body = webhookBody(events);
  const response = await fetch(`${instance.url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) },
    body,
  });
  return response.status;
}

describeWithPostgres('two instances on one PostgreSQL', () => {
  let fake: FakeLineApi;
  let database: { url: string; drop(): Promise<void> };
  let a: Instance;
  let b: Instance;
  let contentDir: string;
  let fixture: ReturnType<typeof contentWithIbasho>;

  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    database = await freshDatabase();
    fixture = contentWithIbasho({ dates: [{ date: '2026-12-22', status: 'held' }] });
    contentDir = fixture.dir;
    const env = { DATABASE_URL: database.url, LINE_API_BASE_URL: fake.baseUrl, CONTENT_DIR: contentDir };
    a = await startInstance(env);
    b = await startInstance(env);
  });

  afterAll(async () => {
    await Promise.all([a && stop(a), b && stop(b)]);
    await fake.close();
    await database.drop();
    fixture.remove();
  });

  afterEach(() => {
    expect(fake.violations()).toEqual([]);
  });

  async function conversation(userId: string): Promise<{ version: number; snapshot: string } | undefined> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query('SELECT version, snapshot FROM conversations WHERE user_id = $1', [userId]);
      return result.rows[0];
    } finally {
      await client.end();
    }
  }

  test('the same event delivered to both instances at once is answered exactly once', async () => {
    const user = newUser();
    const event = followEvent(user);
    const statuses = await Promise.all([send(a, [event]), send(b, [{ ...event, deliveryContext: { isRedelivery: true } }])]);
    expect(statuses).toEqual([200, 200]);
    expect(fake.replies().filter((r) => r.replyToken === event.replyToken)).toHaveLength(1);
    expect((await conversation(user))?.version).toBe(1);
  });

  test('20 events of one user arriving at both instances at once: all applied, none lost', async () => {
    const user = newUser();
    expect(await send(a, [followEvent(user)])).toBe(200);
    const words = ['家族', '本人', 'いばしょ', '電話', 'メニュー'];
    const events = Array.from({ length: 20 }, (_, i) => textEvent(user, words[i % words.length]!));
    const statuses = await Promise.all(events.map((event, i) => send(i % 2 === 0 ? a : b, [event])));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const tokens = new Set(events.map((e) => e.replyToken));
    expect(fake.replies().filter((r) => tokens.has(r.replyToken))).toHaveLength(20);
    expect((await conversation(user))?.version).toBe(21);
  });

  test('two dispatchers on two instances at the same instant send each reminder once', async () => {
    const users = [newUser(), newUser(), newUser()];
    for (const user of users) {
      expect(await send(a, [followEvent(user)])).toBe(200);
      expect(await send(b, [textEvent(user, 'いばしょのお知らせを受け取る')])).toBe(200);
    }
    const cli = () =>
      promisify(execFile)(process.execPath, ['dist/src/cli/reminders.js', '--now', '2026-12-21T09:00:30Z'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: database.url, LINE_API_BASE_URL: fake.baseUrl, CONTENT_DIR: contentDir, LINE_CHANNEL_SECRET: CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN, LOG_LEVEL: 'warn' },
      });
    await Promise.all([cli(), cli()]);
    const reached = fake.multicasts().flatMap((m) => m.to).filter((to) => users.includes(to));
    expect(reached.sort()).toEqual([...users].sort());
  });
});

describeWithPostgres('the database goes away and comes back', () => {
  let fake: FakeLineApi;
  let cluster: TemporaryCluster;
  let instance: Instance;

  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    cluster = await startTemporaryCluster();
    instance = await startInstance({ DATABASE_URL: cluster.url, LINE_API_BASE_URL: fake.baseUrl });
  }, 60_000);

  afterAll(async () => {
    await stop(instance);
    cluster.destroy();
    await fake.close();
  });

  test('webhook 5xx and not ready while it is down; recovers without a restart; nothing half-written', async () => {
    const user = newUser();
    expect(await send(instance, [followEvent(user)])).toBe(200);
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);

    cluster.stop();
    const event = textEvent(user, '家族');
    expect(await send(instance, [event])).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);

    cluster.start();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await fetch(`${instance.url}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    expect(await send(instance, [{ ...event, deliveryContext: { isRedelivery: true } }])).toBe(200);
    const answer = fake.replies().filter((r) => r.replyToken === event.replyToken);
    expect(answer).toHaveLength(1);
    expect(replyText(answer[0]!.messages)).toContain('どんなことが');
  }, 60_000);

  test('a database that hangs (not refusing): the webhook fails fast and /readyz answers 503 within a second', async () => {
    const user = newUser();
    expect(await send(instance, [followEvent(user)])).toBe(200);
    const event = textEvent(user, '家族');
    cluster.freeze();
    try {
      let started = Date.now();
      expect(await send(instance, [event])).toBeGreaterThanOrEqual(500);
      // LINE waits 2 seconds for a webhook's answer.
      expect(Date.now() - started).toBeLessThan(2_000);
      started = Date.now();
      expect((await fetch(`${instance.url}/readyz`)).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
    } finally {
      cluster.thaw();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await send(instance, [{ ...event, deliveryContext: { isRedelivery: true } }]);
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(fake.replies().filter((r) => r.replyToken === event.replyToken)).toHaveLength(1);
  }, 60_000);
});
