/**
 * Faults as an operator meets them, with real processes: a server killed with SIGKILL while LINE has
 * accepted replies it has not yet answered, restarted on the same data (SQLite) or beside a second
 * instance (PostgreSQL), and LINE redelivering every event that got no 200 (at once, then every second). Per person: every event answered exactly once
 * (a crisis reply may come twice, never zero times), every event applied once, and the conversation
 * where the person last saw it.
 */
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { followEvent, signBody, textEvent, webhookBody, type WebhookEvent } from '../support/line-webhook';
import { retryKeyFor } from '../../src/usecases/handle-webhook-event';
import { describeWithPostgres, freshDatabase } from '../support/postgres';
import pg from 'pg';

const newUser = () => `U${randomBytes(16).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Server = ServerProcess;
const startServer = (store: Record<string, string>, lineBaseUrl: string) => startServerProcess({ ...store, LINE_API_BASE_URL: lineBaseUrl });

/** LINE's side: delivers an event to whichever server is up, and redelivers until it gets a 200. */
class LinePlatform {
  /** Where LINE sends: null while no server is up. With several, events of one person go to any of them. */
  servers: Server[] = [];
  readonly unanswered = new Set<WebhookEvent>();

  async deliver(event: WebhookEvent): Promise<boolean> {
    const server = this.servers[Math.floor(Math.random() * this.servers.length)];
    if (!server) {
      this.unanswered.add(event);
      return false;
    }
    const redelivery = this.unanswered.has(event);
    const body = webhookBody([redelivery ? { ...event, deliveryContext: { isRedelivery: true } } : event]);
    try {
      const response = await fetch(`${server.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      if (response.status === 200) {
        this.unanswered.delete(event);
        return true;
      }
    } catch {
      // The server died under the request.
    }
    this.unanswered.add(event);
    return false;
  }

  async redeliverUntilAnswered(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.unanswered.size > 0 && Date.now() < deadline) {
      await Promise.all([...this.unanswered].map((event) => this.deliver(event)));
      if (this.unanswered.size > 0) await sleep(1_000);
    }
  }
}

interface Scenario {
  /** What the servers are started with (the store). */
  store(): Record<string, string>;
  /** How many instances run at once. */
  instances: number;
  /** Reads a person's conversation row. */
  conversation(user: string): Promise<{ version: number; snapshot: string }>;
}

async function crashRun(scenario: Scenario, fake: FakeLineApi, started: Server[]): Promise<void> {
  const line = new LinePlatform();
  const start = async () => {
    const server = await startServer(scenario.store(), fake.baseUrl);
    started.push(server);
    return server;
  };
  for (let i = 0; i < scenario.instances; i++) line.servers.push(await start());

  const people = Array.from({ length: 16 }, (_, i) => {
    const user = newUser();
    const words = i % 4 === 0 ? ['家族', 'もう死にたい', '家族会', 'メニュー', '本人'] : ['家族', '家族会', 'メニュー', 'いばしょ', '本人'];
    return { user, events: [followEvent(user), ...words.map((word) => textEvent(user, word))] as WebhookEvent[] };
  });
  const crisisEvents = new Set(people.flatMap((p) => p.events.filter((e) => e.type === 'message' && (e.message as { text?: string }).text === 'もう死にたい')));

  const step = (index: number) => Promise.all(people.map((p) => line.deliver(p.events[index]!)));
  await step(0);
  await step(1);

  // LINE accepts the next replies at once but answers only after 5 s; the first server dies meanwhile.
  fake.script('POST', '/v2/bot/message/reply', Array.from({ length: 8 }, () => ({ status: 200, body: { sentMessages: [] }, accept: true, delayMs: 5_000 })));
  // This burst reaches the first instance (the one that dies), so that it dies with events in flight.
  const [victim, ...others] = line.servers;
  line.servers = [victim!];
  const inFlight = step(2);
  await sleep(800);
  victim!.process.kill('SIGKILL');
  line.servers = others;
  await inFlight;
  expect(line.unanswered.size).toBeGreaterThan(0);

  line.servers.push(await start());
  // Redelivery at once after the restart, then every second until everything is answered (a held
  // event is taken over when the dead process's lease runs out).
  await line.redeliverUntilAnswered(60_000);
  expect(line.unanswered.size).toBe(0);
  for (let index = 3; index < 6; index++) await step(index);
  expect(line.unanswered.size).toBe(0);

  for (const person of people) {
    for (const event of person.events) {
      const token = (event as { replyToken: string }).replyToken;
      const replies = fake.replies().filter((r) => r.replyToken === token).length;
      const pushes = fake.pushes().filter((p) => p.retryKey === retryKeyFor(event.webhookEventId)).length;
      if (crisisEvents.has(event)) expect([event.webhookEventId, replies + pushes >= 1]).toEqual([event.webhookEventId, true]);
      else expect([event.webhookEventId, replies + pushes]).toEqual([event.webhookEventId, 1]);
    }
    const row = await scenario.conversation(person.user);
    expect(row.version).toBe(person.events.length);
    expect(JSON.parse(row.snapshot).value).toBe('self');
  }
  expect(fake.violations()).toEqual([]);
}

const CLAIM = 'every person: 0 lost, 0 duplicated (crisis replies at least once), each event applied once, the conversation where they last saw it';

describe('SQLite: the server killed with SIGKILL between "LINE accepted" and "we recorded it", restarted on the same file', () => {
  let fake: FakeLineApi;
  let dataDir: string;
  const started: Server[] = [];

  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-fault-'));
  });

  afterAll(async () => {
    for (const server of started) server.process.kill('SIGKILL');
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test(CLAIM, async () => {
    await crashRun(
      {
        instances: 1,
        store: () => ({ DATA_DIR: dataDir }),
        async conversation(user) {
          const db = new BetterSqlite3(path.join(dataDir, 'guide.db'), { readonly: true });
          try {
            return db.prepare('SELECT version, snapshot FROM conversations WHERE user_id = ?').get(user) as { version: number; snapshot: string };
          } finally {
            db.close();
          }
        },
      },
      fake,
      started,
    );
  }, 120_000);
});

describeWithPostgres('PostgreSQL: one of two instances killed with SIGKILL; LINE redelivers to either', () => {
  let fake: FakeLineApi;
  let database: { url: string; drop(): Promise<void> };
  const started: Server[] = [];

  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    database = await freshDatabase();
  });

  afterAll(async () => {
    for (const server of started) server.process.kill('SIGKILL');
    await fake.close();
    await database.drop();
  });

  test(CLAIM, async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await crashRun(
        {
          instances: 2,
          store: () => ({ DATABASE_URL: database.url }),
          async conversation(user) {
            const { rows } = await client.query('SELECT version, snapshot FROM conversations WHERE user_id = $1', [user]);
            return rows[0] as { version: number; snapshot: string };
          },
        },
        fake,
        started,
      );
    } finally {
      await client.end();
    }
  }, 120_000);
});
