/**
 * `npm run line:setup` as a real process against the stand-in LINE API (every request checked against
 * LINE's OpenAPI spec): what it prints, what it sets, --dry-run, and the one-line errors. LINE's test
 * reaching the real bot through TLS is in recipe.test.ts, which follows the runbook.
 */
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET } from '../support/bot-harness';
import { runCli } from '../support/cli-process';
import { FAKE_BOT_INFO, startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { freePort } from '../support/server-process';

let fake: FakeLineApi;
beforeAll(async () => {
  fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN, channelSecret: CHANNEL_SECRET });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
/** What a test expects LINE to refuse (a wrong token); anything else is a bug. */
let refused: string[] = [];
afterEach(() => {
  expect(fake.violations()).toEqual(refused);
  refused = [];
});

const env = (overrides: Record<string, string> = {}) => ({
  LINE_CHANNEL_SECRET: CHANNEL_SECRET,
  LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
  LINE_API_BASE_URL: fake.baseUrl,
  PUBLIC_URL: 'https://guide.example.jp',
  ...overrides,
});

const calls = () => fake.requests.map((r) => `${r.method} ${r.path}`);

test('--dry-run reads the bot, the webhook URL and the quota, and changes nothing', async () => {
  fake.setQuota({ limit: 500, used: 120 });
  const result = await runCli('line-setup', ['--dry-run'], env());
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout).toContain(`bot: ${FAKE_BOT_INFO.displayName} (${FAKE_BOT_INFO.basicId}), chat off`);
  expect(result.stdout).toContain('webhook URL now: none');
  expect(result.stdout).toContain('would set the webhook URL to https://guide.example.jp/webhook');
  expect(result.stdout).toContain('messages pushed this month: 120 of 500');
  expect(result.stdout).toContain('応答メッセージ オフ');
  expect(result.stdout).toMatch(/dry run: nothing was changed\n$/);
  expect(calls().filter((c) => !c.startsWith('GET '))).toEqual([]);
  expect(fake.webhook().endpoint).toBeNull();
});

test('a first run sets PUBLIC_URL/webhook and runs LINE\'s test; the test failing is one line and exit 1', async () => {
  // Nothing answers at the address: LINE's test reports status 0.
  const publicUrl = `https://127.0.0.1:${await freePort()}`;
  const result = await runCli('line-setup', [], env({ PUBLIC_URL: publicUrl }));
  expect(result.code).toBe(1);
  expect(fake.webhook().endpoint).toBe(`${publicUrl}/webhook`);
  expect(result.stdout).toContain(`webhook URL: ${publicUrl}/webhook`);
  expect(result.stderr).toMatch(new RegExp(`^line:setup: LINE's test of ${publicUrl.replace(/[.]/g, '\\.')}/webhook failed: status 0, .*ECONNREFUSED.*\\n$`));
  const test = fake.requests.find((r) => r.path === '/v2/bot/channel/webhook/test');
  expect(test?.body).toEqual({ endpoint: `${publicUrl}/webhook` });
});

test('a URL already set is not set again; "Use webhook" off and chat on are warned about', async () => {
  const publicUrl = `https://127.0.0.1:${await freePort()}`;
  await runCli('line-setup', [], env({ PUBLIC_URL: publicUrl }));
  fake.setWebhookActive(false);
  fake.setBotInfo({ chatMode: 'chat', markAsReadMode: 'manual' });
  fake.requests.length = 0;
  const result = await runCli('line-setup', [], env({ PUBLIC_URL: publicUrl }));
  expect(calls()).not.toContain('PUT /v2/bot/channel/webhook/endpoint');
  expect(result.stdout).toContain(`webhook URL now: ${publicUrl}/webhook (Use webhook OFF)`);
  expect(result.stdout).toContain('WARNING: "Use webhook" is off');
  expect(result.stdout).toContain('chat is on');
});

describe('errors are one line that says what to do', () => {
  test.each([
    ['a wrong token (LINE answers 401)', { LINE_CHANNEL_ACCESS_TOKEN: 'not-the-token' }, 1, /^line:setup: LINE refused the channel access token \(401 on getBotInfo\): issue a long-lived token .*LINE_CHANNEL_ACCESS_TOKEN\n$/],
    ['PUBLIC_URL over http', { PUBLIC_URL: 'http://guide.example.jp' }, 2, /^line:setup: PUBLIC_URL must be the https:\/\/ address of this server, such as https:\/\/guide\.example\.jp, not "http:\/\/guide\.example\.jp"\n$/],
    ['no PUBLIC_URL', { PUBLIC_URL: '' }, 2, /^line:setup: set PUBLIC_URL to the https:\/\/ address of this server, such as https:\/\/guide\.example\.jp\n$/],
    ['no LINE credentials', { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' }, 2, /^line:setup: line:setup needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN\n$/],
  ])('%s', async (_name, overrides, code, stderr) => {
    if ('LINE_CHANNEL_ACCESS_TOKEN' in overrides && overrides.LINE_CHANNEL_ACCESS_TOKEN) refused = ['GET /v2/bot/info: Authorization: wrong channel access token'];
    const result = await runCli('line-setup', [], env(overrides));
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(stderr);
    expect(calls().filter((c) => !c.startsWith('GET '))).toEqual([]);
  });

  test('LINE unreachable', async () => {
    const base = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli('line-setup', [], env({ LINE_API_BASE_URL: base }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^line:setup: cannot reach LINE at ${base.replace(/[.]/g, '\\.')}: getBotInfo: LINE API unreachable: fetch failed \\(ECONNREFUSED: .*\\)\\n$`));
  });

  test('an unknown option prints the usage', async () => {
    const result = await runCli('line-setup', ['--apply'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run line:setup');
  });
});
