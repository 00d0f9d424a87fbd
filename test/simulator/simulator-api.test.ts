/**
 * The simulator's JSON API over HTTP (supertest on the app): one more adapter in front of the same use case, so for
 * the same inputs it answers with exactly the LINE messages the webhook sends to LINE.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { startBot, quickReplies, replyText, type BotHarness } from '../support/bot-harness';
import { storeRows } from '../support/stores';
import { staffCookie } from '../support/staff-login';
import { followEvent, postbackEvent, stickerEvent, textEvent } from '../support/line-webhook';

/** startBot's env with the LINE credentials taken away: how `npm start` runs on a laptop. */
const WITHOUT_LINE = { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' };
const lineUser = () => `U${randomBytes(16).toString('hex')}`;

async function api(bot: BotHarness, route: string, body: unknown): Promise<{ status: number; body: any }> {
  // With LINE credentials the simulator is behind the staff login.
  const response = await bot.http().post(`/simulator/api/${route}`).set('content-type', 'application/json').set('cookie', await staffCookie(bot)).send(JSON.stringify(body));
  return { status: response.status, body: response.body };
}

async function newSimUser(bot: BotHarness): Promise<string> {
  const { status, body } = await api(bot, 'users', {});
  expect(status).toBe(201);
  return body.userId;
}

/** Sends one simulator event; returns the LINE messages of the reply. */
async function simSay(bot: BotHarness, userId: string, event: Record<string, unknown>): Promise<any[]> {
  const { status, body } = await api(bot, 'events', { userId, event });
  expect(status).toBe(200);
  return body.messages;
}

/** Rows of the production database file. */
function productionRows(bot: BotHarness, query: string, ...params: unknown[]): Promise<any[]> {
  return storeRows(bot.composed.store, query, ...params);
}

/** Rows of the simulator's own store (in memory, in the server). */
const rows = (bot: BotHarness, query: string, ...params: unknown[]) => storeRows(bot.composed.simulatorStore!, query, ...params);

describe('the simulator and the webhook give the same LINE messages', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    // Both adapters on one server (LINE credentials and SIMULATOR=on), on one clock: Wed 10:00 Tokyo.
    bot = await startBot({ now: '2026-11-25T01:00:00Z', env: { SIMULATOR: 'on' } });
  });
  afterAll(async () => {
    expect(bot.fake.violations()).toEqual([]);
    await bot.close();
  });

  async function webhookSay(event: Parameters<BotHarness['send']>[0][number]): Promise<any[]> {
    const before = bot.fake.replies().length;
    expect((await bot.send([event])).status).toBe(200);
    const replies = bot.fake.replies();
    expect(replies.length).toBe(before + 1);
    return replies[replies.length - 1]!.messages;
  }

  test('follow, taps, typed words, a crisis word and a sticker: turn by turn, equal messages', async () => {
    const line = lineUser();
    const sim = await newSimUser(bot);
    const tapData = (messages: any[], label: string) => {
      const item = quickReplies(messages).find((q) => q.label.includes(label));
      if (!item) throw new Error(`no quick reply "${label}"`);
      return item.data;
    };

    const turns: { line: (previous: any[]) => any; sim: (previous: any[]) => Record<string, unknown> }[] = [
      { line: () => followEvent(line), sim: () => ({ kind: 'follow' }) },
      { line: (p) => postbackEvent(line, tapData(p, '家族')), sim: (p) => ({ kind: 'postback', data: tapData(p, '家族') }) },
      { line: (p) => postbackEvent(line, tapData(p, '家族会')), sim: (p) => ({ kind: 'postback', data: tapData(p, '家族会') }) },
      { line: () => textEvent(line, '死にたい'), sim: () => ({ kind: 'text', text: '死にたい' }) },
      { line: () => stickerEvent(line), sim: () => ({ kind: 'sticker', packageId: '446', stickerId: '1988' }) },
      { line: () => textEvent(line, '電話番号'), sim: () => ({ kind: 'text', text: '電話番号' }) },
      { line: () => textEvent(line, 'いばしょ'), sim: () => ({ kind: 'text', text: 'いばしょ' }) },
      { line: (p) => postbackEvent(line, tapData(p, 'ほかの相談')), sim: (p) => ({ kind: 'postback', data: tapData(p, 'ほかの相談') }) },
      { line: () => textEvent(line, 'なんだろう'), sim: () => ({ kind: 'text', text: 'なんだろう' }) },
    ];

    let previous: any[] = [];
    for (const turn of turns) {
      const fromLine = await webhookSay(turn.line(previous));
      const fromSim = await simSay(bot, sim, turn.sim(previous));
      expect(fromSim).toEqual(fromLine);
      previous = fromSim;
    }
    // The simulator's turns never reached LINE: only the webhook's replies did.
    expect(bot.fake.replies()).toHaveLength(turns.length);
    expect(JSON.stringify(bot.fake.requests)).not.toContain('sim-');
  });

  test('the family-groups answer in the simulator carries the 社会福祉協議会 tel: button', async () => {
    const sim = await newSimUser(bot);
    await simSay(bot, sim, { kind: 'follow' });
    await simSay(bot, sim, { kind: 'text', text: '家族' });
    const answer = await simSay(bot, sim, { kind: 'text', text: '家族会' });
    expect(replyText(answer)).toContain('目黒区社会福祉協議会');
    expect(JSON.stringify(answer)).toContain('"uri":"tel:0337198909"');
  });
});

describe('simulator users are kept apart from LINE users', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await startBot({ env: WITHOUT_LINE });
  });
  afterEach(async () => {
    await bot.close();
  });

  test('ids are minted by the server as sim-<uuid>, fresh each time', async () => {
    const a = await newSimUser(bot);
    const b = await newSimUser(bot);
    expect(a).toMatch(/^sim-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  const refused: [string, unknown][] = [
    ['a LINE user id', { userId: lineUser(), event: { kind: 'follow' } }],
    ['a LINE group id', { userId: `C${randomBytes(16).toString('hex')}`, event: { kind: 'follow' } }],
    ['no user id', { event: { kind: 'follow' } }],
    ['a short sim id', { userId: 'sim-1', event: { kind: 'follow' } }],
    ['a sim id with more after it', { userId: 'sim-00000000-0000-4000-8000-000000000000U1234', event: { kind: 'follow' } }],
    ['an unknown event kind', { userId: 'sim-00000000-0000-4000-8000-000000000000', event: { kind: 'image' } }],
    ['no event', { userId: 'sim-00000000-0000-4000-8000-000000000000' }],
    ['empty text', { userId: 'sim-00000000-0000-4000-8000-000000000000', event: { kind: 'text', text: '' } }],
    ['text longer than LINE allows', { userId: 'sim-00000000-0000-4000-8000-000000000000', event: { kind: 'text', text: 'あ'.repeat(5001) } }],
    ['a sticker without ids', { userId: 'sim-00000000-0000-4000-8000-000000000000', event: { kind: 'sticker' } }],
  ];
  test.each(refused)('%s → 400 with a reason, nothing stored', async (_name, body) => {
    const { status, body: answer } = await api(bot, 'events', body);
    expect(status).toBe(400);
    expect(typeof answer.message).toBe('string');
    expect(await rows(bot, 'SELECT user_id FROM conversations')).toEqual([]);
    expect(await rows(bot, 'SELECT event_id FROM webhook_events')).toEqual([]);
  });

  test('a well-formed sim id this server never issued → 400, nothing stored', async () => {
    const made = 'sim-0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b';
    const { status, body } = await api(bot, 'events', { userId: made, event: { kind: 'follow' } });
    expect(status).toBe(400);
    expect(body.message).toContain('not issued by this server');
    expect(await rows(bot, 'SELECT user_id FROM conversations')).toEqual([]);
  });

  test('rate-limited per address: a script sending hundreds of events a minute gets 429', async () => {
    const sim = await newSimUser(bot);
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) statuses.push((await api(bot, 'events', { userId: sim, event: { kind: 'text', text: 'メニュー' } })).status);
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(120).every((s) => s === 429)).toBe(true);
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) ids.push((await api(bot, 'users', {})).status);
    expect(ids.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  test('a body that is not JSON → 400', async () => {
    const response = await bot.http().post('/simulator/api/events').set('content-type', 'application/json').set('cookie', await staffCookie(bot)).send('{"userId":');
    expect(response.status).toBe(400);
  });

  test('one sim user cannot see or move another one: each conversation is its own, and nothing lists or reads them', async () => {
    const a = await newSimUser(bot);
    const b = await newSimUser(bot);
    await simSay(bot, a, { kind: 'follow' });
    await simSay(bot, a, { kind: 'text', text: '家族' });

    // B has not been anywhere: at the top, 仕事 does not say who is asking, so B is asked (A is in the
    // family branch and gets the family answer at once): B is not answered from A's place.
    const forB = await simSay(bot, b, { kind: 'text', text: '仕事' });
    expect(replyText(forB)).toContain('ご本人ですか、ご家族ですか');
    expect(replyText(forB)).not.toContain('めぐろ くらしの相談窓口');
    const forA = await simSay(bot, a, { kind: 'text', text: '仕事' });
    expect(replyText(forA)).toContain('めぐろ くらしの相談窓口');

    for (const [method, route] of [
      ['GET', `/simulator/api/users/${a}`],
      ['GET', '/simulator/api/users'],
      ['GET', '/simulator/api/events'],
      ['GET', `/simulator/api/events?userId=${a}`],
    ] as const) {
      const response = await bot.http()[method === 'GET' ? 'get' : 'post'](route).set('cookie', await staffCookie(bot));
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('family');
    }
  });

  test('stored rows of simulator users all carry sim- ids; LINE is never called', async () => {
    const sim = await newSimUser(bot);
    await simSay(bot, sim, { kind: 'follow' });
    await simSay(bot, sim, { kind: 'text', text: '本人' });
    const users = (await rows(bot, 'SELECT user_id FROM conversations')).map((r) => r.user_id);
    expect(users).toEqual([sim]);
    // A replied event keeps no user id; one still pending names the simulator user.
    const eventUsers = (await rows(bot, 'SELECT user_id FROM webhook_events')).map((r) => r.user_id);
    expect(eventUsers.length).toBeGreaterThan(0);
    expect(eventUsers.every((u) => u === sim || u === '')).toBe(true);
    expect((await rows(bot, 'SELECT event_id FROM webhook_events')).every((r) => r.event_id.startsWith('sim-'))).toBe(true);
    expect(bot.fake.requests).toEqual([]);
    // Never in the production tables.
    for (const table of ['conversations', 'webhook_events', 'subscriptions']) expect(await productionRows(bot, `SELECT * FROM ${table}`)).toEqual([]);
  });

  test('simulator turns are not counted in the usage figures; a subscription made there is on the simulator channel', async () => {
    const sim = await newSimUser(bot);
    await simSay(bot, sim, { kind: 'follow' });
    await simSay(bot, sim, { kind: 'text', text: 'いばしょのお知らせを受け取る' });
    expect(await rows(bot, 'SELECT channel FROM subscriptions WHERE user_id = ?', sim)).toEqual([{ channel: 'simulator' }]);
    expect(await bot.composed.simulatorStore!.usage('2000-01-01', '2100-12-31')).toEqual([]);
  });

  test('会話を消す (an unfollow) deletes everything about the sim user, as blocking on LINE does', async () => {
    const sim = await newSimUser(bot);
    await simSay(bot, sim, { kind: 'follow' });
    await simSay(bot, sim, { kind: 'text', text: '家族' });
    expect(await rows(bot, 'SELECT * FROM conversations WHERE user_id = ?', sim)).toHaveLength(1);

    const { status, body } = await api(bot, 'events', { userId: sim, event: { kind: 'unfollow' } });
    expect(status).toBe(200);
    expect(body).toEqual({ result: 'deleted', messages: [] });
    expect(await rows(bot, 'SELECT * FROM conversations WHERE user_id = ?', sim)).toEqual([]);
    expect(await rows(bot, 'SELECT * FROM webhook_events WHERE user_id = ?', sim)).toEqual([]);

    // The id is forgotten with it: the page asks for a new one, and starts fresh, as after blocking and unblocking.
    expect((await api(bot, 'events', { userId: sim, event: { kind: 'text', text: '仕事' } })).status).toBe(400);
    const again = await simSay(bot, await newSimUser(bot), { kind: 'text', text: '仕事' });
    expect(replyText(again)).toContain('ご本人ですか、ご家族ですか');
    expect(replyText(again)).not.toContain('めぐろ くらしの相談窓口');
  });

  test('logs say channel simulator, with a hashed user id and never the words typed', async () => {
    const sim = await newSimUser(bot);
    await simSay(bot, sim, { kind: 'follow' });
    await simSay(bot, sim, { kind: 'text', text: '死にたい' });
    const turns = bot.logs.filter((l) => l.msg === 'turn handled');
    expect(turns.map((l) => [l.channel, l.outcome])).toEqual([
      ['simulator', 'greeted'],
      ['simulator', 'crisis'],
    ]);
    expect(turns.every((l) => typeof l.user === 'string' && /^[0-9a-f]{16}$/.test(l.user as string))).toBe(true);
    expect(bot.logText()).not.toContain(sim);
    expect(bot.logText()).not.toContain('死にたい');
  });
});

describe('when the simulator is served', () => {
  const pages = ['/', '/flow', '/flow.svg', '/simulator/assets/chat.js'];

  test('without LINE credentials: on, and /webhook answers 503', async () => {
    const bot = await startBot({ env: WITHOUT_LINE });
    try {
      for (const page of pages) expect([page, (await bot.http().get(page)).status]).toEqual([page, 200]);
      expect((await bot.http().post('/webhook').send('{}')).status).toBe(503);
      expect(bot.composed.simulator).toBe(true);
    } finally {
      await bot.close();
    }
  });

  test('with LINE credentials: off unless SIMULATOR=on', async () => {
    const bot = await startBot();
    try {
      for (const page of pages) expect([page, (await bot.http().get(page)).status]).toEqual([page, 404]);
      expect((await bot.http().post('/simulator/api/users')).status).toBe(404);
      expect(bot.composed.simulator).toBe(false);
    } finally {
      await bot.close();
    }
  });

  test('without LINE credentials and SIMULATOR=off: off', async () => {
    const bot = await startBot({ env: { ...WITHOUT_LINE, SIMULATOR: 'off' } });
    try {
      expect((await bot.http().get('/')).status).toBe(404);
    } finally {
      await bot.close();
    }
  });
});

describe('the simulator clock: ?at= per request and SIMULATOR_NOW for the whole server', () => {
  test('`at` answers as if it were then; other requests keep the server clock; a bad `at` is a 400', async () => {
    const bot = await startBot({ now: '2026-11-25T01:00:00Z', env: WITHOUT_LINE }); // Wednesday 10:00
    try {
      const user = await newSimUser(bot);
      const night = await api(bot, 'events', { userId: user, event: { kind: 'text', text: '死にたい' }, at: '2026-11-26T02:00' });
      expect(night.status).toBe(200);
      expect(JSON.stringify(night.body.messages)).toContain('tel:0570087478'); // open 12:00〜翌5:30
      const morning = await simSay(bot, user, { kind: 'text', text: '死にたい' });
      expect(JSON.stringify(morning)).not.toContain('tel:0570087478');
      const bad = await api(bot, 'events', { userId: user, event: { kind: 'text', text: 'こんにちは' }, at: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('at must be');
      const setup = (await (await fetch(`${bot.url}/simulator/api/setup`)).json()) as any;
      expect(setup.fixedNow).toBeNull();
      expect(setup.richMenu.areas.map((a: any) => a.label)).toEqual(['本人として相談', '家族として相談', 'いばしょの日程', '電話番号の一覧', 'お知らせ設定', '最初から']);
    } finally {
      await bot.close();
    }
  });

  test('SIMULATOR_NOW fixes the simulator clock and the page is told so', async () => {
    const bot = await startBot({ now: '2026-11-25T01:00:00Z', env: { ...WITHOUT_LINE, SIMULATOR_NOW: '2026-11-25T19:30:00+09:00' } });
    try {
      const setup = (await (await fetch(`${bot.url}/simulator/api/setup`)).json()) as any;
      expect(setup.fixedNow).toBe('2026-11-25T10:30:00.000Z');
      const user = await newSimUser(bot);
      const messages = await simSay(bot, user, { kind: 'text', text: '死にたい' });
      expect(JSON.stringify(messages)).toContain('https://line.me/R/ti/p/%40373suajs'); // open 15:00〜22:30
    } finally {
      await bot.close();
    }
  });
});
