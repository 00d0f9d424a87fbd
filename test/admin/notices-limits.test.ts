/**
 * Notices within LINE's limits. Staff can leave any number of notices running: 26 of them added
 * through the console of a real server process must leave every answer and the phone list within
 * LINE's limits (the stand-in LINE checks each reply against the OpenAPI spec and the documented
 * limits, and answers 400 as LINE would). A notice is measured as LINE measures, in UTF-16 units;
 * and when LINE does refuse a reply, the person still gets the answer, without the notices.
 */
import path from 'node:path';
import { encodePostback } from '../../src/domain/postback';
import { hashPassword } from '../../src/staff/passwords';
import { openSqliteStore, type DatabaseStore } from '../../src/store/open-store';
import { StaffStore } from '../../src/store/staff-store';
import { CHANNEL_SECRET, replyText, startBot } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { projectDefinitions } from '../support/fixtures';
import { followEvent, postbackEvent, signBody, textEvent, webhookBody, type WebhookEvent } from '../support/line-webhook';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { openLoginForm, postLogin } from '../support/staff-login';
import { tempDirs } from '../support/temp-dirs';
import { newUser } from '../support/fixtures';

const tempDir = tempDirs();
const PASSWORD = 'plum blossom window seat';
const LABEL = projectDefinitions().content.phrases.noticeLabel;
const flowNodes = projectDefinitions().flow.flow.nodes;
/** Every answer and directory node, with a question that offers it (a button names where it was offered). */
const ANSWERS = Object.entries(flowNodes).flatMap(([from, node]) =>
  node.kind === 'question' ? node.options.filter((o) => flowNodes[o.next]!.kind !== 'question').map((o) => ({ node: o.next, from })) : [],
);

let fake: FakeLineApi;
let server: ServerProcess;
let store: DatabaseStore;
let session: { cookie: string; csrf: string };

const noticeCount = (text: string) => text.split(LABEL).length - 1;
const today = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const later = (days: number) => new Date(Date.now() + 9 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

async function send(event: WebhookEvent): Promise<any[]> {
  const before = fake.replies().length;
  const body = webhookBody([event]);
  const res = await fetch(`${server.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) }, body });
  expect(res.status).toBe(200);
  return fake.replies()[before]!.messages;
}

function addNotice(text: string, endsOn = later(30)): Promise<Response> {
  return fetch(`${server.url}/admin/notices/add`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
    body: new URLSearchParams({ _csrf: session.csrf, text, startsOn: today(), endsOn }).toString(),
  });
}

beforeAll(async () => {
  const dataDir = tempDir('guide-notices-');
  fake = await startFakeLineApi({ channelAccessToken: 'test-channel-access-token' });
  server = await startServerProcess({ DATA_DIR: dataDir, LINE_API_BASE_URL: fake.baseUrl });
  store = await openSqliteStore(path.join(dataDir, 'guide.db'));
  await new StaffStore(store.database).access.addAccount('tanaka', await hashPassword(PASSWORD), 'test', Date.now());
  const login = await postLogin(server.url, await openLoginForm(server.url), 'tanaka', PASSWORD);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await fetch(`${server.url}/admin/notices`, { headers: { cookie } })).text();
  session = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
});
afterAll(async () => {
  await stopServerProcess(server);
  await store.close();
  await fake.close();
});

test('a notice is measured in UTF-16 units, as LINE counts: 101 emoji are 202 and refused, saying why', async () => {
  const res = await addNotice('🌸'.repeat(101));
  expect(res.status).toBe(400);
  const page = await res.text();
  expect(page).toContain('200文字までにしてください');
  expect(page).toContain('202文字');
});

test('26 running notices: every answer and the phone list stay within the limits of LINE, with the two newest and 「ほかのお知らせ」', async () => {
  for (let i = 0; i < 26; i++) {
    const res = await addNotice(`お知らせ${String(i).padStart(2, '0')}: ${'年末年始は窓口の受付時間が変わります。'.repeat(9)}`.slice(0, 190));
    expect(res.status).toBe(303);
  }
  const user = newUser();
  await send(followEvent(user));
  // The server sees staff changes within a few seconds: wait for the notices, polling.
  let first: any[] = [];
  for (let waited = 0; noticeCount(replyText(first)) === 0 && waited < 5_000; waited += 200) {
    first = await send(textEvent(user, 'いばしょ'));
    if (noticeCount(replyText(first)) === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(first[0].text).toContain('お知らせ25');
  expect(first[0].text).toContain('お知らせ24');
  expect(first[0].text).toContain('ほかのお知らせが あと24件');
  const replies = [first];
  for (const { node, from } of ANSWERS) replies.push(await send(postbackEvent(user, encodePostback({ kind: 'go', node, from }))));
  expect(new Set(ANSWERS.map((a) => flowNodes[a.node]!.kind))).toEqual(new Set(['answer', 'directory']));
  for (const messages of replies) expect(noticeCount(messages[0].text)).toBe(2);
  expect(replies.length).toBe(ANSWERS.length + 1);
  expect(fake.violations()).toEqual([]);
});

test('LINE refusing a reply with notices (400): logged as a content error, and the person gets the answer without them', async () => {
  const bot = await startBot({ now: '2026-12-01T01:00:00Z' });
  try {
    await bot.composed.staff.content.addNotice({ text: '年末年始はお休みです', startsOn: '2026-12-01', endsOn: '2026-12-31', windows: [], by: 'tanaka', at: Date.now() });
    await bot.composed.live.refresh();
    const user = newUser();
    await bot.send([followEvent(user)]);
    const error = { message: 'The request body has 1 error(s)', details: [{ message: 'Length must be between 0 and 5000', property: 'messages[0].text' }] };
    bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 400, body: error }]);
    const before = bot.fake.replies().length;
    expect((await bot.send([textEvent(user, 'いばしょ')])).status).toBe(200);
    const replies = bot.fake.replies().slice(before);
    expect(replies).toHaveLength(1);
    expect(replyText(replies[0]!.messages)).not.toContain(LABEL);
    expect(replyText(replies[0]!.messages)).toContain('いばしょ');
    const logged = bot.logs.find((l) => l.contentError === true);
    expect(logged).toMatchObject({ level: 50, msg: expect.stringContaining('content error') });
    expect(bot.logText()).not.toContain(user);
  } finally {
    await bot.close();
  }
});
