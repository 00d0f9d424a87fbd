/**
 * Usage counts end to end: people talk to the real server through signed webhooks over two Tokyo
 * days, then `npm run stats` runs as its own process on the server's data folder (compiled by jest's
 * globalSetup), and /stats is read from the running server.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { quickReplies, ROOT, startBot, type BotHarness } from '../support/bot-harness';
import { staffCookie } from '../support/staff-login';
import { followEvent, postbackEvent, textEvent, type WebhookEvent } from '../support/line-webhook';
import { newUser } from '../support/fixtures';

const run = promisify(execFile);
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'stats.js');

let bot: BotHarness;
let workDir: string;
const users: string[] = [];

async function say(event: WebhookEvent): Promise<any[]> {
  const before = bot.fake.replies().length;
  expect((await bot.send([event])).status).toBe(200);
  const replies = bot.fake.replies();
  expect(replies.length).toBe(before + 1);
  return replies[replies.length - 1]!.messages;
}

async function walk(user: string, ...labels: string[]): Promise<any[]> {
  let messages = await say(followEvent(user));
  for (const label of labels) {
    const item = quickReplies(messages).find((q) => q.label === label);
    if (!item) throw new Error(`no quick reply "${label}" in ${JSON.stringify(quickReplies(messages))}`);
    messages = await say(postbackEvent(user, item.data));
  }
  return messages;
}

function stats(args: string[], cwd = workDir) {
  return run(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: bot.dataDir, DATABASE_URL: '', LOG_LEVEL: 'error' },
    encoding: 'utf8',
  });
}

/** The cells of the printed table's row for a node id (columns are separated by two or more spaces). */
function tableRow(stdout: string, node: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${node} `));
  if (!line) throw new Error(`no row for ${node} in:\n${stdout}`);
  return line.trim().split(/\s{2,}/);
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-stats-'));
  // Tuesday 2026-11-24, 10:00 in Tokyo.
  bot = await startBot({ now: '2026-11-24T01:00:00Z', env: { STATS_PAGE: 'on' } });
  // Six family members reach 家族です on the 24th and go on to 家族会・親の会 the next day.
  const family = Array.from({ length: 6 }, newUser);
  const shown = new Map<string, any[]>();
  for (const user of family) shown.set(user, await walk(user, '家族です'));
  bot.setNow('2026-11-25T01:00:00Z');
  for (const user of family) {
    const item = quickReplies(shown.get(user)!).find((q) => q.label === '家族会・親の会')!;
    await say(postbackEvent(user, item.data));
  }
  // One person asks about work as 本人, and one writes 死にたい right after the greeting.
  const self = newUser();
  await walk(self, '本人です', '仕事・お金・くらし');
  const crisis = newUser();
  await walk(crisis);
  await say(textEvent(crisis, '死にたい'));
  users.push(...family, self, crisis);
  // The server writes its counts about once a second; the CLI reads the file, so do it now.
  await bot.composed.store.writePendingCounts();
}, 60_000);

afterAll(async () => {
  await bot?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('npm run stats', () => {
  let stdout: string;
  let csv: string;

  beforeAll(async () => {
    ({ stdout } = await stats(['--from', '2026-11-24', '--to', '2026-11-25']));
    csv = fs.readFileSync(path.join(workDir, 'stats-2026-11-24_2026-11-25.csv'), 'utf8');
  }, 30_000);

  test('prints one row per node with its label and totals; 1 to 4 show as <5', () => {
    expect(tableRow(stdout, 'family-groups')).toEqual(['family-groups', '家族です › 家族会・親の会', '6', '6', '0', '0', '0', '0']);
    expect(tableRow(stdout, 'family')).toEqual(['family', '家族です', '6', '0', '0', '0', '0', '0']);
    expect(tableRow(stdout, 'self-living')).toEqual(['self-living', '本人です › 仕事・お金・くらし', '<5', '<5', '0', '0', '0', '0']);
    // 6 + 1 greetings and the crisis reply were at the start; only the crisis writer stopped there.
    expect(tableRow(stdout, 'start')).toEqual(['start', 'ご本人ですか、ご家族ですか?', '9', '<5', '<5', '0', '0', '0']);
    expect(tableRow(stdout, 'family-care')).toEqual(['family-care', '家族です › 親のわたしが高齢で心配', '0', '0', '0', '0', '0', '0']);
    expect(tableRow(stdout, '合計')).toEqual(['合計', '23', '8', '<5', '0', '0', '0']);
    expect(stdout).toMatch(/ノード\s+場所\s+表示された\s+ここで終了\s+つらい気持ち\s+文章で伝わった\s+伝わらず\s+文字以外/);
  });

  test('writes the CSV in the current directory by default and says where', () => {
    expect(stdout).toContain('Wrote stats-2026-11-24_2026-11-25.csv (6 rows');
  });

  test('the CSV has one row per day and node, under the same <5 rule', () => {
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toEqual([
      'day,node,label,reached,stopped,crisis,understood_from_text,unrecognized,non_text',
      '2026-11-24,start,ご本人ですか、ご家族ですか?,6,0,0,0,0,0',
      '2026-11-24,family,家族です,6,0,0,0,0,0',
      '2026-11-25,start,ご本人ですか、ご家族ですか?,<5,<5,<5,0,0,0',
      '2026-11-25,self,本人です,<5,0,0,0,0,0',
      '2026-11-25,self-living,本人です › 仕事・お金・くらし,<5,<5,0,0,0,0',
      '2026-11-25,family-groups,家族です › 家族会・親の会,6,6,0,0,0,0',
      '',
    ]);
  });

  test('no user id, no text anyone wrote, no time of day anywhere in the output', () => {
    for (const output of [csv, stdout]) {
      for (const user of users) expect(output).not.toContain(user);
      expect(output).not.toContain('死にたい');
      expect(output).not.toMatch(/\d{2}:\d{2}/);
    }
  });

  test('--csv chooses the file', async () => {
    const file = path.join(workDir, 'out', 'november.csv');
    const { stdout: out } = await stats(['--from', '2026-11-01', '--to', '2026-11-30', '--csv', file]);
    expect(out).toContain(`Wrote ${path.join('out', 'november.csv')}`);
    expect(fs.readFileSync(file, 'utf8')).toContain('2026-11-25,family-groups,家族です › 家族会・親の会,6,6,0,0,0,0');
  });

  test('a day with nothing gives a table of zeros and a CSV with only its header', async () => {
    const { stdout: out } = await stats(['--from', '2026-11-01', '--to', '2026-11-01']);
    expect(tableRow(out, 'family-groups')).toEqual(['family-groups', '家族です › 家族会・親の会', '0', '0', '0', '0', '0', '0']);
    expect(fs.readFileSync(path.join(workDir, 'stats-2026-11-01_2026-11-01.csv'), 'utf8')).toBe(
      '\uFEFFday,node,label,reached,stopped,crisis,understood_from_text,unrecognized,non_text\r\n',
    );
  });

  test.each([
    [['--from', '2026-11-31', '--to', '2026-12-01'], '--from must be a real date written YYYY-MM-DD'],
    [['--from', '2026-11-01', '--to', '11/30'], '--to must be a real date written YYYY-MM-DD'],
    [['--from', '2026-11-30', '--to', '2026-11-01'], '--from must not be after --to'],
    [['--since', '2026-11-01'], "Unknown option '--since'"],
    [['--from'], "Option '--from <value>' argument missing"],
  ])('%j → exit 2 with a clear message and the usage, nothing written', async (args, message) => {
    const before = fs.readdirSync(workDir).sort();
    const failure = await stats(args).then(
      () => null,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(message);
    expect(failure?.stderr).toContain('usage: npm run stats');
    expect(failure?.stdout).toBe('');
    expect(fs.readdirSync(workDir).sort()).toEqual(before);
  });

  test('a data folder without a database → exit 2 naming it (nothing is created there)', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-stats-empty-'));
    const failure = await run(process.execPath, [CLI, '--from', '2026-11-01', '--to', '2026-11-02'], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: empty, DATABASE_URL: '' },
      encoding: 'utf8',
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(`no database at ${path.join(empty, 'guide.db')}`);
    expect(fs.readdirSync(empty)).toEqual([]);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});

describe('/stats on the running server', () => {
  test('shows the same figures, with the chart and its table', async () => {
    // With LINE credentials /stats is behind the staff login.
    const anonymous = await bot.http().get('/stats?from=2026-11-24&to=2026-11-25').redirects(0);
    expect([anonymous.status, anonymous.headers.location]).toEqual([303, '/admin/login']);
    const response = await bot.http().get('/stats?from=2026-11-24&to=2026-11-25').set('cookie', await staffCookie(bot));
    expect(response.status).toBe(200);
    const page = response.text;
    expect(page).toMatch(/<svg class="chart"/);
    expect(page).toMatch(/<tr data-node="family-groups">.*<td data-column="reached">6<\/td><td data-column="stopped">6<\/td>/);
    expect(page).toMatch(/<tr data-node="self-living">.*<td data-column="reached">&lt;5<\/td><td data-column="stopped">&lt;5<\/td>/);
    for (const user of users) expect(page).not.toContain(user);
    expect(page).not.toContain('死にたい');
  });

  test('is not there unless STATS_PAGE=on', async () => {
    const off = await startBot({ now: '2026-11-25T01:00:00Z' });
    try {
      expect((await off.http().get('/stats')).status).toBe(404);
      expect((await off.http().get('/stats/assets/stats.css')).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
