/**
 * Simulator users live in a store of their own, so nothing that later sends to stored users through
 * LINE can reach them: LINE refuses a multicast with an id it does not know, which would cost every
 * LINE user in the same batch their reminder.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { LineMessenger } from '../../src/line/line-messenger';
import { createLogger } from '../../src/log/pino-logger';
import { dispatchReminders } from '../../src/usecases/dispatch-reminders';
import { CHANNEL_ACCESS_TOKEN, ROOT, startBot, type BotHarness } from '../support/bot-harness';
import { staffCookie } from '../support/staff-login';
import { followEvent, textEvent } from '../support/line-webhook';

let bot: BotHarness;
let contentDir: string;

beforeAll(async () => {
  // A confirmed いばしょ on Tuesday 2026-12-22, so the day-before reminder is due on 12-21 18:00 Tokyo.
  contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-sim-remind-'));
  fs.cpSync(path.join(ROOT, 'content'), contentDir, { recursive: true });
  const file = path.join(contentDir, 'ibasho.yaml');
  const ibasho = parse(fs.readFileSync(file, 'utf8'));
  ibasho.dates = [{ date: '2026-12-22', status: 'held', source: 'test', checked: '2026-11-25' }];
  fs.writeFileSync(file, stringify(ibasho));
  bot = await startBot({ now: '2026-12-01T01:00:00Z', env: { SIMULATOR: 'on', CONTENT_DIR: contentDir } });
});

afterAll(async () => {
  await bot.close();
  fs.rmSync(contentDir, { recursive: true, force: true });
});

async function simSay(userId: string, event: Record<string, unknown>): Promise<void> {
  const response = await bot.http().post('/simulator/api/events').set('content-type', 'application/json').set('cookie', await staffCookie(bot)).send(JSON.stringify({ userId, event }));
  expect(response.status).toBe(200);
}

test('a simulator user who subscribes to いばしょ reminders is never sent to LINE', async () => {
  const lineUser = `U${randomBytes(16).toString('hex')}`;
  await bot.send([followEvent(lineUser)]);
  await bot.send([textEvent(lineUser, 'いばしょのお知らせを受け取る')]);
  const { userId: simUser } = (await bot.http().post('/simulator/api/users').set('cookie', await staffCookie(bot))).body as { userId: string };
  await simSay(simUser, { kind: 'follow' });
  await simSay(simUser, { kind: 'text', text: 'いばしょのお知らせを受け取る' });

  const messenger = new LineMessenger({ channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: bot.fake.baseUrl });
  await dispatchReminders(
    { definitions: bot.composed.definitions, store: bot.composed.store as never, messenger, logger: createLogger('silent'), retry: { attempts: 1, baseDelayMs: 1 } },
    new Date('2026-12-21T09:00:30Z'),
  );

  expect((await bot.composed.store.loadTurnContext(simUser)).subscribed).toBe(false);
  expect((await bot.composed.simulatorStore!.loadTurnContext(simUser)).subscribed).toBe(true);
  const recipients = bot.fake.multicasts().flatMap((m) => m.to);
  expect(recipients).toContain(lineUser);
  expect(recipients.filter((to) => to.startsWith('sim-'))).toEqual([]);
  expect(JSON.stringify(bot.fake.requests.map((r) => r.body))).not.toContain(simUser);
});

test('run over the simulator’s own store, the dispatcher pushes nothing: subscriptions made there are on the simulator channel', async () => {
  const { userId: simUser } = (await bot.http().post('/simulator/api/users').set('cookie', await staffCookie(bot))).body as { userId: string };
  await simSay(simUser, { kind: 'follow' });
  await simSay(simUser, { kind: 'text', text: 'いばしょのお知らせを受け取る' });
  expect((await bot.composed.simulatorStore!.loadTurnContext(simUser)).subscribed).toBe(true);

  const before = bot.fake.requests.length;
  const messenger = new LineMessenger({ channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: bot.fake.baseUrl });
  const { summary } = await dispatchReminders(
    { definitions: bot.composed.definitions, store: bot.composed.simulatorStore as never, messenger, logger: createLogger('silent'), retry: { attempts: 1, baseDelayMs: 1 } },
    new Date('2026-12-21T09:00:30Z'),
  );
  expect(summary.recipients).toBe(0);
  expect(bot.fake.requests.slice(before).filter((r) => r.path.includes('multicast'))).toEqual([]);
});
