/**
 * `npm run staff` and `npm run ibasho` as operators run them: real processes on the store of a running
 * bot. A date published through the CLI reaches the bot's answers within seconds and the next
 * `npm run reminders` pass sends its reminder.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT, quickReplies, replyText, startBot, type BotHarness } from '../support/bot-harness';
import { followEvent, postbackEvent, textEvent } from '../support/line-webhook';
import { newUser } from '../support/fixtures';

const run = promisify(execFile);
const tokyo = (local: string) => new Date(`${local}+09:00`);

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBot({ now: tokyo('2026-12-01T10:00:00') });
});
afterAll(async () => {
  expect(bot.fake.violations()).toEqual([]);
  await bot.close();
});

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LINE_CHANNEL_SECRET: CHANNEL_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
    LINE_API_BASE_URL: bot.fake.baseUrl,
    DATA_DIR: bot.dataDir,
    LOG_LEVEL: 'warn',
  };
}

/** Runs `npm run <cli> -- args` (through the same start script) and returns its exit code and output. */
async function cli(name: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['scripts/start.mjs', `cli/${name}`, ...args], { cwd: ROOT, env: env() }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}

async function say(event: Parameters<BotHarness['send']>[0][number]): Promise<any[]> {
  const before = bot.fake.replies().length;
  expect((await bot.send([event])).status).toBe(200);
  return bot.fake.replies()[before]!.messages;
}

describe('npm run staff', () => {
  test('add, list, disable, reset, enable; passwords from stdin only, at least 12 characters, not guessable, never printed', async () => {
    const short = await cli('staff', ['add', 'tanaka', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('12文字以上');
    // Twelve spaces, the account's own name, a common password: each refused, saying why.
    const refused = await Promise.all(['            ', 'tanaka-2026-desk', 'password1234'].map((weak) => cli('staff', ['add', 'tanaka', '--password-stdin'], `${weak}\n`)));
    expect(refused.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(refused[0]!.stderr).toContain('くり返し');
    expect(refused[1]!.stderr).toContain('ユーザー名を入れないで');
    expect(refused[2]!.stderr).toContain('よく使われているパスワード');
    expect(await bot.composed.staff.access.account('tanaka')).toBeNull();

    const added = await cli('staff', ['add', 'tanaka', '--password-stdin'], 'correct horse battery\n');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('tanaka') });
    const again = await cli('staff', ['add', 'tanaka', '--password-stdin'], 'another long password\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('すでにあります');

    const account = await bot.composed.staff.access.account('tanaka');
    expect(account!.passwordHash).toMatch(/^\$argon2id\$/);

    expect((await cli('staff', ['disable', 'tanaka'])).code).toBe(0);
    expect((await cli('staff', ['list'])).stdout).toMatch(/^tanaka\t停止中/m);
    const reset = await cli('staff', ['reset', 'tanaka', '--password-stdin'], 'a brand new passphrase\n');
    expect(reset).toMatchObject({ code: 0, stdout: expect.stringContaining('停止中のまま') });
    // A new password does not quietly bring a disabled account back.
    expect((await cli('staff', ['list'])).stdout).toMatch(/^tanaka\t停止中/m);
    expect((await cli('staff', ['enable', 'tanaka'])).code).toBe(0);
    expect((await cli('staff', ['list'])).stdout).toMatch(/^tanaka\t有効/m);
    expect((await bot.composed.staff.content.auditLog()).map((e) => e.action)).toEqual(expect.arrayContaining(['account.add', 'account.disable', 'account.reset', 'account.enable']));
    expect((await cli('staff', ['disable', 'nobody'])).code).toBe(1);
    expect((await cli('staff', ['add', 'tanaka2'])).code).toBe(2);

    const everything = JSON.stringify(await bot.composed.staff.content.auditLog()) + bot.logText();
    for (const secret of ['correct horse battery', 'a brand new passphrase', '$argon2id']) expect(everything).not.toContain(secret);
  });
});

describe('npm run ibasho while the server runs', () => {
  const NOW = ['--now', tokyo('2026-12-01T10:00:00').toISOString()];

  test('bad dates get a clear Japanese error and exit 1', async () => {
    const past = await cli('ibasho', ['add', '2026-11-24', ...NOW]);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('もう過ぎています');
    const malformed = await cli('ibasho', ['add', '12/22', ...NOW]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('YYYY-MM-DD');
    const usage = await cli('ibasho', ['move', '2026-12-22']);
    expect(usage.code).toBe(2);
  });

  test('a published date reaches the bot within 5 seconds, and the next reminders pass sends it', async () => {
    const user = newUser();
    await say(followEvent(user));
    const before = replyText(await say(textEvent(user, 'いばしょ')));
    expect(before).toContain('予定');
    const subscribe = quickReplies(await say(textEvent(user, 'いばしょ'))).find((q) => q.label.includes('お知らせ'));
    await say(postbackEvent(user, subscribe!.data));

    const published = await cli('ibasho', ['add', '2026-12-22', '--note', '本館5階 会議室', ...NOW]);
    expect(published).toMatchObject({ code: 0, stdout: expect.stringContaining('2026-12-22 13:30〜16:30') });
    const duplicate = await cli('ibasho', ['add', '2026-12-22', ...NOW]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('すでに開催日');

    // The promise is "within 5 seconds": a turn that starts 5 seconds after the change must show it.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const answer = replyText(await say(textEvent(user, 'いばしょ')));
    expect(answer).toContain('次回は 12月22日(火) 13:30〜16:30 です');
    expect(answer).toContain('本館5階 会議室');
    expect(answer).not.toContain('予定');

    const list = await cli('ibasho', ['list', ...NOW]);
    expect(list.stdout).toMatch(/^2026-12 .*2026-12-22 開催 13:30〜16:30 本館5階 会議室\(管理画面\)/m);
    expect(list.stdout.split('\n').filter(Boolean)).toHaveLength(12);

    const pass = await run(process.execPath, ['scripts/start.mjs', 'cli/reminders', '--now', tokyo('2026-12-22T12:00:00').toISOString()], { cwd: ROOT, env: env() });
    expect(pass.stdout).toMatch(/sent=1 recipients=1/);
    const multicasts = bot.fake.multicasts();
    expect(multicasts).toHaveLength(1);
    expect(multicasts[0]!.to).toEqual([user]);
    expect(replyText(multicasts[0]!.messages)).toContain('12月22日');
  });

  test('cancel and move', async () => {
    expect((await cli('ibasho', ['move', '2027-01-24', '--to', '2027-01-26', ...NOW])).code).toBe(0);
    expect((await cli('ibasho', ['cancel', '2027-02-23', ...NOW])).code).toBe(0);
    const again = await cli('ibasho', ['cancel', '2027-02-23', ...NOW]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('すでに中止');
    const list = (await cli('ibasho', ['list', ...NOW])).stdout;
    expect(list).toContain('2027-01-24 → 2027-01-26 変更');
    expect(list).toContain('2027-02-23 中止');
    const actions = (await bot.composed.staff.content.auditLog()).filter((e) => e.subject.startsWith('ibasho:')).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['ibasho.publish', 'ibasho.move', 'ibasho.cancel']));
  });
});
