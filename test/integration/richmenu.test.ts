/**
 * `npm run richmenu` as a real process against the stand-in LINE API: every call and its order,
 * the picture LINE receives, replacing our menu without touching others, --dry-run, a refused
 * upload, and every area's postback answered by the real bot.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT, replyText, startBot } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi, type RecordedRequest } from '../support/fake-line-api';
import { followEvent, postbackEvent } from '../support/line-webhook';

const NAME = 'meguro-guide-main';
const MAX_BYTES = 1_000_000;
const phrases = parseYaml(fs.readFileSync(path.join(ROOT, 'content', 'phrases.yaml'), 'utf8'));

/** The requirement, in reading order: label from content/phrases.yaml and the postback the engine decodes. */
const EXPECTED_AREAS = [
  { label: phrases.richMenu.self, data: 'go=self' },
  { label: phrases.richMenu.family, data: 'go=family' },
  { label: phrases.richMenu.ibasho, data: 'go=ibasho' },
  { label: phrases.richMenu.phones, data: 'go=phones' },
  { label: phrases.richMenu.reminders, data: 'do=reminder-settings' },
  { label: phrases.richMenu.restart, data: 'go=start' },
];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI (jest's globalSetup built dist/) and resolves with its exit code and output. */
function richmenu(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join('dist', 'src', 'cli', 'richmenu.js'), ...args],
      // Empty values are "set" for loadDotEnv, so a developer's .env cannot point the CLI elsewhere.
      { cwd: ROOT, env: { ...process.env, LINE_API_DATA_BASE_URL: '', LOG_LEVEL: 'warn', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const lineEnv = (fake: FakeLineApi) => ({
  LINE_CHANNEL_SECRET: CHANNEL_SECRET,
  LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
  LINE_API_BASE_URL: fake.baseUrl,
});

async function lineApi(fake: FakeLineApi, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${fake.baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${CHANNEL_ACCESS_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** What the channel looks like now, asked the way anyone would ask LINE. */
async function channel(fake: FakeLineApi): Promise<{ menus: { richMenuId: string; name: string }[]; defaultId: string | null }> {
  const list = await lineApi(fake, 'GET', '/v2/bot/richmenu/list');
  const current = await lineApi(fake, 'GET', '/v2/bot/user/all/richmenu');
  return {
    menus: list.body.richmenus.map((m: any) => ({ richMenuId: m.richMenuId, name: m.name })),
    defaultId: current.status === 200 ? current.body.richMenuId : null,
  };
}

/** A menu made by someone else (say, in the LINE console for a campaign): must survive. */
async function createOtherMenu(fake: FakeLineApi, name = 'campaign-2026'): Promise<string> {
  const { status, body } = await lineApi(fake, 'POST', '/v2/bot/richmenu', {
    size: { width: 2500, height: 843 },
    selected: false,
    name,
    chatBarText: 'おしらせ',
    areas: [{ bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'uri', label: '区のサイト', uri: 'https://www.city.meguro.tokyo.jp/' } }],
  });
  expect(status).toBe(200);
  return body.richMenuId;
}

/** "METHOD path" of each request from index `from` on, with rich menu ids replaced by the given names. */
function calls(fake: FakeLineApi, from: number, names: Record<string, string> = {}): string[] {
  return fake.requests.slice(from).map((r) => {
    let p = r.path;
    for (const [id, name] of Object.entries(names)) p = p.split(id).join(name);
    return `${r.method} ${p}`;
  });
}

const createRequests = (fake: FakeLineApi, from = 0): RecordedRequest[] =>
  fake.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/v2/bot/richmenu');
const uploadRequests = (fake: FakeLineApi, from = 0): RecordedRequest[] =>
  fake.requests.slice(from).filter((r) => r.method === 'POST' && /^\/v2\/bot\/richmenu\/[^/]+\/content$/.test(r.path));
const lastCreatedId = (fake: FakeLineApi): string => {
  const id = /\/v2\/bot\/user\/all\/richmenu\/([^/]+)$/.exec(fake.requests.filter((r) => r.path.startsWith('/v2/bot/user/all/richmenu/')).at(-1)!.path)?.[1];
  return id!;
};

/** Width and height from a PNG's IHDR chunk (which must come first, right after the signature). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let fake: FakeLineApi;

beforeEach(async () => {
  fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
});

afterEach(async () => {
  expect(fake.violations()).toEqual([]);
  await fake.close();
});

describe('npm run richmenu -- --apply', () => {
  test('on a channel without menus: lists, validates, creates, uploads the picture, then makes it the default', async () => {
    const result = await richmenu(['--apply'], lineEnv(fake));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const id = lastCreatedId(fake);
    expect(calls(fake, 0, { [id]: 'NEW' })).toEqual([
      'GET /v2/bot/richmenu/list',
      'POST /v2/bot/richmenu/validate',
      'POST /v2/bot/richmenu',
      'POST /v2/bot/richmenu/NEW/content',
      'POST /v2/bot/user/all/richmenu/NEW',
    ]);
    expect(await channel(fake)).toEqual({ menus: [{ richMenuId: id, name: NAME }], defaultId: id });
    expect(result.stdout).toContain(`done: ${id} is the default; deleted 0 previous; left 0 other menu(s) alone`);
  });

  test('the menu: our name, the chat bar text and six postbacks from content, each showing its label in the chat', async () => {
    await richmenu(['--apply'], lineEnv(fake));
    const [create] = createRequests(fake);
    const menu = create!.body;
    expect(menu).toMatchObject({ name: NAME, chatBarText: phrases.richMenu.chatBar, size: { width: 2500, height: 1686 }, selected: true });
    expect(menu.areas.map((a: any) => ({ label: a.action.label, data: a.action.data }))).toEqual(EXPECTED_AREAS);
    for (const area of menu.areas) {
      expect(area.action).toMatchObject({ type: 'postback', displayText: area.action.label });
    }
  });

  test('the picture LINE receives is a PNG of exactly the menu size, under 1 MB, sent as image/png', async () => {
    await richmenu(['--apply'], lineEnv(fake));
    const [create] = createRequests(fake);
    const [upload] = uploadRequests(fake);
    expect(upload!.headers['content-type']).toBe('image/png');
    const bytes = upload!.body as Buffer;
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.length).toBeLessThan(MAX_BYTES);
    expect(pngSize(bytes)).toEqual(create!.body.size);
  });

  test('the six areas cover the whole picture, each inside it, none overlapping', async () => {
    await richmenu(['--apply'], lineEnv(fake));
    const { size, areas } = createRequests(fake)[0]!.body;
    const boxes = areas.map((a: any) => a.bounds as { x: number; y: number; width: number; height: number });
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(size.width);
      expect(b.y + b.height).toBeLessThanOrEqual(size.height);
    }
    boxes.forEach((a: any, i: number) =>
      boxes.slice(i + 1).forEach((b: any) => {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }),
    );
    // Inside and disjoint, so covering means the areas add up to the whole.
    expect(boxes.reduce((sum: number, b: any) => sum + b.width * b.height, 0)).toBe(size.width * size.height);
  });

  test('run again: replaces ours (also a stray one a crashed run left) after the new one is the default, and leaves another menu alone', async () => {
    const other = await createOtherMenu(fake);
    await richmenu(['--apply'], lineEnv(fake));
    const old = lastCreatedId(fake);
    // Made but never finished, as a run stopped between create and upload would leave it.
    const stray = await createOtherMenu(fake, NAME);

    const from = fake.requests.length;
    const result = await richmenu(['--apply'], lineEnv(fake));
    expect(result.code).toBe(0);
    const created = lastCreatedId(fake);
    expect(created).not.toBe(old);

    expect(calls(fake, from, { [created]: 'NEW', [old]: 'OLD', [stray]: 'STRAY' })).toEqual([
      'GET /v2/bot/richmenu/list',
      'POST /v2/bot/richmenu/validate',
      'POST /v2/bot/richmenu',
      'POST /v2/bot/richmenu/NEW/content',
      'POST /v2/bot/user/all/richmenu/NEW',
      'DELETE /v2/bot/richmenu/OLD',
      'DELETE /v2/bot/richmenu/STRAY',
    ]);
    const now = await channel(fake);
    expect(now.defaultId).toBe(created);
    expect(now.menus.map((m) => m.richMenuId).sort()).toEqual([other, created].sort());
    expect(result.stdout).toContain(`done: ${created} is the default; deleted 2 previous; left 1 other menu(s) alone`);
  });

  test('when LINE refuses the upload, the new menu is deleted again and the previous one stays the default', async () => {
    await richmenu(['--apply'], lineEnv(fake));
    const old = lastCreatedId(fake);
    const from = fake.requests.length;
    // Scripts match by path prefix: the first answers the validate call as LINE would, the second the upload.
    fake.script('POST', '/v2/bot/richmenu/', [
      { status: 200, body: {} },
      { status: 500, body: { message: 'An error occurred.' } },
    ]);

    const result = await richmenu(['--apply'], lineEnv(fake));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('setRichMenuImage: LINE API 500');
    const created = uploadRequests(fake, from)[0]!.path.split('/')[4]!;
    expect(calls(fake, from, { [created]: 'NEW', [old]: 'OLD' })).toEqual([
      'GET /v2/bot/richmenu/list',
      'POST /v2/bot/richmenu/validate',
      'POST /v2/bot/richmenu',
      'POST /v2/bot/richmenu/NEW/content',
      'DELETE /v2/bot/richmenu/NEW',
    ]);
    expect(await channel(fake)).toEqual({ menus: [{ richMenuId: old, name: NAME }], defaultId: old });
  });

  test('the picture goes to LINE_API_DATA_BASE_URL (api-data.line.me in production) when it is set', async () => {
    const dataHost = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    try {
      const result = await richmenu(['--apply'], { ...lineEnv(fake), LINE_API_DATA_BASE_URL: dataHost.baseUrl });
      expect(result.code).toBe(0);
      expect(uploadRequests(fake)).toHaveLength(0);
      expect(uploadRequests(dataHost)).toHaveLength(1);
      expect(calls(dataHost, 0)).toEqual([`POST /v2/bot/richmenu/${lastCreatedId(fake)}/content`]);
      expect(dataHost.violations()).toEqual([]);
    } finally {
      await dataHost.close();
    }
  });
});

describe('npm run richmenu -- --dry-run', () => {
  test('prints the areas, labels, postbacks, the picture and what it would delete, and only reads', async () => {
    const other = await createOtherMenu(fake);
    await richmenu(['--apply'], lineEnv(fake));
    const ours = lastCreatedId(fake);
    const from = fake.requests.length;

    const result = await richmenu(['--dry-run'], lineEnv(fake));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    // Reading calls only (validate checks the object and stores nothing).
    for (const call of calls(fake, from)) {
      expect(call).toMatch(/^(GET \/v2\/bot\/richmenu\/list|GET \/v2\/bot\/user\/all\/richmenu|POST \/v2\/bot\/richmenu\/validate)$/);
    }
    expect(await channel(fake)).toEqual({
      menus: expect.arrayContaining([
        { richMenuId: other, name: 'campaign-2026' },
        { richMenuId: ours, name: NAME },
      ]),
      defaultId: ours,
    });

    const out = result.stdout;
    for (const area of EXPECTED_AREAS) expect(out).toContain(`${area.label}  at `);
    for (const area of EXPECTED_AREAS) expect(out).toContain(`postback ${area.data} (the chat shows "${area.label}")`);
    expect(out).toContain('area 1: 本人として相談  at x=0 y=0 833×843');
    expect(out).toMatch(/image: image\/png 2500×1686, \d+ bytes \(LINE's limit: 1000000\)/);
    expect(out).toContain(`would delete after the new one is the default: ${ours} (the default now)`);
    expect(out).toContain(`would leave alone: ${other} "campaign-2026"`);
    expect(out).toContain('dry run: nothing was changed');
  });

  test('without LINE credentials it still prints the plan, and says it could not list the menus', async () => {
    const result = await richmenu(['--dry-run'], { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '', LINE_API_BASE_URL: fake.baseUrl });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('postback go=self');
    expect(result.stdout).toContain('not listed (no LINE_CHANNEL_ACCESS_TOKEN)');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('npm run richmenu: arguments and the committed picture', () => {
  test('no mode, both modes, or an unknown option is a usage error (exit 2) that calls nothing', async () => {
    for (const args of [[], ['--apply', '--dry-run'], ['--bogus']]) {
      const result = await richmenu(args, lineEnv(fake));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage: npm run richmenu');
    }
    expect(fake.requests).toHaveLength(0);
  });

  test('an area whose target is not a command of the flow (so would not work from anywhere) is refused, naming the command', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'richmenu-flow-'));
    try {
      const flow = parseYaml(fs.readFileSync(path.join(ROOT, 'flows', 'guide.yaml'), 'utf8'));
      flow.commands = flow.commands.filter((c: { id: string }) => c.id !== 'family');
      fs.writeFileSync(path.join(dir, 'guide.yaml'), stringifyYaml(flow));
      const result = await richmenu(['--apply'], { ...lineEnv(fake), FLOWS_DIR: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the rich menu area "family" needs a command "family"');
      expect(fake.requests).toHaveLength(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without the Japanese font it refuses (exit 2) before calling LINE, rather than send boxes for letters', async () => {
    // A stand-in fc-list that knows no fonts, first on PATH.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'richmenu-nofont-'));
    try {
      fs.writeFileSync(path.join(dir, 'fc-list'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const result = await richmenu(['--apply'], { ...lineEnv(fake), PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the font "Noto Sans CJK JP" (bold) is not installed; install Debian\'s fonts-noto-cjk');
      expect(fake.requests).toHaveLength(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--image writes the picture; docs/richmenu.png is that picture, so the one under review is the one LINE gets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'richmenu-'));
    try {
      const file = path.join(dir, `menu-${randomBytes(4).toString('hex')}.png`);
      const result = await richmenu(['--image', file], { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' });
      expect(result.code).toBe(0);
      const written = fs.readFileSync(file);
      expect(pngSize(written)).toEqual({ width: 2500, height: 1686 });
      expect(written.length).toBeLessThan(MAX_BYTES);
      const committed = fs.readFileSync(path.join(ROOT, 'docs', 'richmenu.png'));
      // Labels changed in content/phrases.yaml? Regenerate: npm run richmenu -- --image docs/richmenu.png
      // Compared by pixels, not bytes: another build of libvips or of the font may anti-alias edges a
      // little differently, while a changed label changes whole glyphs.
      const [a, b] = await Promise.all([committed, written].map((png) => sharp(png).ensureAlpha().raw().toBuffer()));
      expect(a!.length).toBe(b!.length);
      let differing = 0;
      for (let i = 0; i < a!.length; i++) if (Math.abs(a![i]! - b![i]!) > 64) differing++;
      expect(differing / a!.length).toBeLessThan(0.0003);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the bot understands every area', () => {
  test("each area's postback, as a signed webhook, gets a real answer (not the stale-button restart), fresh or mid-conversation", async () => {
    await richmenu(['--apply'], lineEnv(fake));
    const areas: { action: { data: string; label: string } }[] = createRequests(fake)[0]!.body.areas;
    expect(areas).toHaveLength(6);

    const bot = await startBot();
    try {
      for (const area of areas) {
        for (const midConversation of [false, true]) {
          const user = `U${randomBytes(16).toString('hex')}`;
          if (midConversation) {
            // Somewhere deep in the flow: the family branch, then the phone list.
            expect((await bot.send([followEvent(user)])).status).toBe(200);
            expect((await bot.send([postbackEvent(user, 'go=family')])).status).toBe(200);
            expect((await bot.send([postbackEvent(user, 'go=phones')])).status).toBe(200);
          }
          const before = bot.fake.replies().length;
          expect((await bot.send([postbackEvent(user, area.action.data)])).status).toBe(200);
          const replies = bot.fake.replies();
          expect(replies).toHaveLength(before + 1);
          const text = replyText(replies.at(-1)!.messages);
          expect({ area: area.action.label, midConversation, stale: text.includes(phrases.staleButton) }).toEqual({
            area: area.action.label,
            midConversation,
            stale: false,
          });
        }
      }
      expect(bot.fake.violations()).toEqual([]);
    } finally {
      await bot.close();
    }
  });
});
