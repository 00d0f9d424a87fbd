/**
 * Backups that restore, as the runbook does them: `npm run backup` during a burst of signed webhooks
 * to a running server, `npm run restore` refused while that server holds the file, restored into a
 * fresh data folder, and a server started on it with everything that matters: subscriptions, staff
 * accounts, published dates, notices, and conversations that go on where they were.
 * Real server processes, real SQLite files, the real CLIs.
 */
import BetterSqlite3 from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CHANNEL_ACCESS_TOKEN, quickReplies } from '../support/bot-harness';
import { runCli } from '../support/cli-process';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { followEvent, postbackEvent, textEvent, type WebhookEvent } from '../support/line-webhook';
import { sendSigned, startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { describeWithPostgres, freshDatabase } from '../support/postgres';
import { signIn } from '../support/staff-login';
import { tempDirs } from '../support/temp-dirs';

const tempDir = tempDirs();
const PASSWORD = 'restore test password 123';
const NOTICE = '年末年始は12月29日から1月3日までお休みです(テスト)';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A date some weeks ahead, as Tokyo's YYYY-MM-DD. */
function tokyoDate(ms: number): string {
  return new Date(ms + 9 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

let fake: FakeLineApi;
const servers: ServerProcess[] = [];
beforeAll(async () => {
  fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
});
afterAll(async () => {
  await Promise.all(servers.map(stopServerProcess));
  await fake.close();
});

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir, LINE_API_BASE_URL: fake.baseUrl });
  servers.push(server);
  return server;
}

/** Sends one event to a server and returns the messages of the reply LINE received for it. */
async function say(server: ServerProcess, event: WebhookEvent): Promise<any[]> {
  const token = (event as { replyToken?: string }).replyToken;
  expect(await sendSigned(server.url, [event])).toBe(200);
  const reply = fake.replies().find((r) => r.replyToken === token);
  expect(reply).toBeDefined();
  return reply!.messages;
}

async function subscribe(server: ServerProcess, user: string): Promise<void> {
  await say(server, followEvent(user));
  const offer = quickReplies(await say(server, textEvent(user, 'いばしょ'))).find((q) => q.label.includes('お知らせ') || q.label.includes('リマインド'));
  await say(server, postbackEvent(user, offer!.data));
}

async function addNotice(url: string, cookie: string): Promise<void> {
  const page = await fetch(`${url}/admin/notices`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const today = tokyoDate(Date.now());
  const response = await fetch(`${url}/admin/notices/add`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, text: NOTICE, startsOn: today, endsOn: tokyoDate(Date.now() + 30 * DAY_MS) }).toString(),
  });
  expect(response.status).toBe(303);
}

function conversationRow(dataDir: string, user: string): { version: number; snapshot: string } | undefined {
  const db = new BetterSqlite3(path.join(dataDir, 'guide.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select version, snapshot from conversations where user_id = ?').get(user) as { version: number; snapshot: string } | undefined;
  } finally {
    db.close();
  }
}

test('a backup taken during a burst restores into a fresh folder with everything that matters, and is refused over a running server', async () => {
  const dirA = tempDir('guide-a-');
  const a = await start(dirA);
  const subscribers = ['U' + 'a1'.repeat(16), 'U' + 'a2'.repeat(16), 'U' + 'a3'.repeat(16)];
  for (const user of subscribers) await subscribe(a, user);
  // Someone part-way through the tree: at the 本人 question.
  const walker = 'U' + 'b1'.repeat(16);
  await say(a, followEvent(walker));
  await say(a, postbackEvent(walker, 'go=self'));
  const date = tokyoDate(Date.now() + 40 * DAY_MS);
  const staffEnv = { DATA_DIR: dirA };
  expect((await runCli('staff', ['add', 'tanaka', '--password-stdin'], staffEnv, { input: `${PASSWORD}\n` })).code).toBe(0);
  expect((await runCli('ibasho', ['add', date, '--note', '本館5階'], staffEnv)).code).toBe(0);
  await addNotice(a.url, (await signIn(a.url, 'tanaka', PASSWORD)).cookie);

  // The burst: 20 people sending until the backup has finished (at most 40 events each).
  const backupFile = path.join(tempDir('guide-backups-'), 'guide-backup.db');
  let backupDone = false;
  const burst = Array.from({ length: 20 }, (_, i) => `U${i.toString(16).padStart(2, '0').repeat(16)}`).map(async (user) => {
    const statuses = [await sendSigned(a.url, [followEvent(user)])];
    for (let n = 0; !backupDone && n < 40; n++) statuses.push(await sendSigned(a.url, [textEvent(user, n % 2 ? 'いばしょ' : '電話番号の一覧')]));
    return statuses;
  });
  const backingUp = runCli('backup', [backupFile], { DATA_DIR: dirA }).finally(() => (backupDone = true));
  const [backup, statuses] = await Promise.all([backingUp, Promise.all(burst)]);
  expect(backup.stderr).toBe('');
  expect(statuses.flat().every((s) => s === 200)).toBe(true);
  expect(statuses.flat().length).toBeGreaterThan(40);
  expect(backup.code).toBe(0);
  expect(backup.stdout).toMatch(/^backup: wrote .*guide-backup\.db \(\d+ bytes; subscriptions 3, staff_accounts 1, staff_ibasho_dates 1, staff_notices 1, conversations \d+\)\n$/);
  expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);

  // Over the running server: refused, and its database is left as it was.
  const refused = await runCli('restore', [backupFile], { DATA_DIR: dirA });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^restore: .*guide\.db is in use by a running server or command: stop it first .*\n$/);
  expect(fs.readdirSync(dirA).filter((f) => f.includes('restor'))).toEqual([]);
  expect(await sendSigned(a.url, [textEvent(walker, 'いばしょ')])).toBe(200);

  const dirB = tempDir('guide-b-');
  const restored = await runCli('restore', [backupFile], { DATA_DIR: dirB });
  expect(restored).toMatchObject({ code: 0, stderr: '' });
  expect(restored.stdout).toContain('subscriptions 3, staff_accounts 1, staff_ibasho_dates 1, staff_notices 1');
  const before = conversationRow(dirB, walker);
  expect(JSON.parse(before!.snapshot).value).toBe('self');

  const b = await start(dirB);
  // Subscriptions and the published date: the day-before reminder would go to the three.
  const dayBefore = new Date(Date.parse(`${date}T18:00:00+09:00`) - DAY_MS).toISOString();
  const reminders = await runCli('reminders', ['--now', dayBefore, '--dry-run'], { DATA_DIR: dirB, LINE_CHANNEL_SECRET: '7e57c4a22e15ec2e70123456789abcde', LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL: fake.baseUrl });
  expect(reminders.stdout).toMatch(new RegExp(`would send \\S*${date}\\S* to 3 people`));
  // The staff account and the notice.
  const { cookie } = await signIn(b.url, 'tanaka', PASSWORD);
  expect(await (await fetch(`${b.url}/admin/notices`, { headers: { cookie } })).text()).toContain(NOTICE);
  // The conversation goes on from its row: the next turn is one more version of it.
  await say(b, textEvent(walker, 'いばしょ'));
  expect(conversationRow(dirB, walker)!.version).toBe(before!.version + 1);
  expect(fake.violations()).toEqual([]);
});

test('a file that is not a backup of this bot is refused before anything is touched', async () => {
  const dir = tempDir('guide-c-');
  const junk = path.join(dir, 'junk.db');
  fs.writeFileSync(junk, 'not a database');
  const result = await runCli('restore', [junk], { DATA_DIR: dir });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^restore: .*junk\.db: (cannot be opened as a database|not a readable database).*\n$/);
  expect(fs.existsSync(path.join(dir, 'guide.db'))).toBe(false);
});

test('backup and restore refuse PostgreSQL and point to pg_dump', async () => {
  const result = await runCli('backup', ['x.db'], { DATABASE_URL: 'postgres://guide@127.0.0.1:5432/guide' });
  expect(result).toMatchObject({ code: 2 });
  expect(result.stderr).toMatch(/^backup: DATABASE_URL is set: .*pg_dump and pg_restore \(docs\/operations\.md\)\n$/);
});

describeWithPostgres('PostgreSQL: the runbook\'s pg_dump and pg_restore lines', () => {
  test('a dump restored into an empty database serves the same subscriptions and staff account', async () => {
    const [source, target] = [await freshDatabase(), await freshDatabase()];
    try {
      const a = await startServerProcess({ DATABASE_URL: source.url, LINE_API_BASE_URL: fake.baseUrl });
      servers.push(a);
      const user = 'U' + 'f6'.repeat(16);
      await subscribe(a, user);
      expect((await runCli('staff', ['add', 'sato', '--password-stdin'], { DATABASE_URL: source.url }, { input: `${PASSWORD}\n` })).code).toBe(0);
      const dump = path.join(tempDir('guide-pgdump-'), 'guide.dump');
      const dumped = spawnSync('pg_dump', ['--format=custom', `--file=${dump}`, source.url], { encoding: 'utf8' });
      expect({ status: dumped.status, stderr: dumped.stderr }).toEqual({ status: 0, stderr: '' });
      const restored = spawnSync('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${target.url}`, dump], { encoding: 'utf8' });
      expect({ status: restored.status, stderr: restored.stderr }).toEqual({ status: 0, stderr: '' });
      await stopServerProcess(a);

      const b = await startServerProcess({ DATABASE_URL: target.url, LINE_API_BASE_URL: fake.baseUrl });
      servers.push(b);
      await signIn(b.url, 'sato', PASSWORD);
      // Subscribed already: the settings answer offers to stop, not to start.
      const settings = await say(b, postbackEvent(user, 'do=reminder-settings'));
      expect(quickReplies(settings).some((q) => q.data === 'do=unsubscribe')).toBe(true);
      expect(fake.violations()).toEqual([]);
    } finally {
      await Promise.all(servers.map(stopServerProcess));
      await source.drop();
      await target.drop();
    }
  }, 30_000);
});
