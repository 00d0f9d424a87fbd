/** /flow, /flow.svg and `npm run flow:export`: the whole tree from flows/ and content/, with any problem on it. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Definitions } from '../../src/domain/definitions';
import { reachingNumber } from '../../src/domain/render-reply';
import { flowPicture } from '../../src/simulator/flow-picture';
import { renderFlowSvg, wrapText } from '../../src/simulator/flow-svg';
import { startBot, type BotHarness } from '../support/bot-harness';
import { projectDefinitions, ROOT } from '../support/fixtures';

const WITHOUT_LINE = { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' };
const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const definitions: Definitions = projectDefinitions();

/** Everything a reviewer must find on the picture: prompts, option labels, window names and numbers. */
function mustShow(defs: Definitions): string[] {
  const wanted: string[] = [];
  for (const node of Object.values(defs.flow.flow.nodes)) {
    if (node.kind === 'question') wanted.push(node.prompt, ...node.options.map((o) => o.label));
    if (node.kind === 'answer') {
      for (const id of node.windows) {
        const window = defs.windowsById.get(id)!;
        wanted.push(window.name, reachingNumber(defs, window).number);
      }
    }
  }
  for (const window of defs.content.windows) if ('value' in window.phone) wanted.push(window.phone.value);
  for (const line of defs.content.crisis.lines) wanted.push(line.name, line.phone);
  return [...new Set(wanted)];
}

/** Text content of markup, tags dropped and entities decoded. */
const textOf = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

const squash = (text: string) => text.replace(/\s+/g, '');

function copyContent(): string {
  const dir = tempDir('guide-flow-content-');
  fs.cpSync(path.join(ROOT, 'content'), dir, { recursive: true });
  return dir;
}

describe('/flow', () => {
  let bot: BotHarness;
  let contentDir: string;
  beforeAll(async () => {
    contentDir = copyContent();
    bot = await startBot({ env: { ...WITHOUT_LINE, CONTENT_DIR: contentDir } });
  });
  afterAll(async () => {
    await bot.close();
  });

  const get = async (route: string) => {
    const response = await bot.http().get(route).buffer(true);
    const headers = new Headers(response.headers as Record<string, string>);
    return { status: response.status, type: headers.get('content-type') ?? '', body: response.text ?? String(response.body), headers };
  };

  test('shows every question, option, and answer with each window name and phone number, as tel: links', async () => {
    const page = await get('/flow');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const text = textOf(page.body);
    for (const item of mustShow(definitions)) expect([item, text.includes(item)]).toEqual([item, true]);
    expect(page.body).toContain('href="tel:0337198909"');
    expect(page.body).toContain('<html lang="ja">');
    expect(page.body).not.toContain('class="problems"');
  });

  test('uses only the app own assets (no CDN), under a strict Content-Security-Policy', async () => {
    for (const route of ['/', '/flow']) {
      const page = await get(route);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    for (const asset of ['chat.js', 'chat.css', 'flow.css', 'icon.svg']) expect((await get(`/simulator/assets/${asset}`)).status).toBe(200);
    expect((await get('/simulator/assets/nope.js')).status).toBe(404);
  });

  test('/flow.svg is a standalone SVG with the same facts', async () => {
    const svg = await get('/flow.svg');
    expect(svg.type).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.body).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
    // SVG has no wrapping: long lines are split into several <text> elements, so compare without spaces.
    const text = squash(textOf(svg.body));
    for (const item of mustShow(definitions)) expect([item, text.includes(squash(item))]).toEqual([item, true]);
  });

  test('a content problem made while the server runs shows in a red box, over the tree the server runs with; fixing it clears it', async () => {
    const file = path.join(contentDir, 'windows.yaml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('value: 03-5722-9370', 'value: 03-5722'));
    try {
      const page = await get('/flow');
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<section class="problems" role="alert"/);
      expect(textOf(page.body)).toMatch(/windows\.yaml: windows\[\d+\]\.phone(\.value)?: not a Japanese phone number/);
      expect(textOf(page.body)).toContain('03-3719-8909');
      const svg = await get('/flow.svg');
      expect(svg.body).toContain('not a Japanese phone number');
      expect(svg.body).toContain('stroke="#b00020"');
    } finally {
      fs.writeFileSync(file, original);
    }
    expect((await get('/flow')).body).not.toContain('class="problems"');
  });

  test('the files are read and checked again only when one changes (size or time), not on every request', async () => {
    const file = path.join(contentDir, 'windows.yaml');
    const original = fs.readFileSync(file, 'utf8');
    // A whole-millisecond time, which utimes can set back exactly.
    const then = new Date(Date.now() - 60_000);
    fs.utimesSync(file, then, then);
    expect((await get('/flow')).body).not.toContain('class="problems"');
    // A broken file of the same size with the old modification time: the page keeps what it read.
    const broken = original.replace('value: 03-5722-9370', 'value: 03-5722-XXXX');
    expect(Buffer.byteLength(broken)).toBe(Buffer.byteLength(original));
    try {
      fs.writeFileSync(file, broken);
      fs.utimesSync(file, then, then);
      expect((await get('/flow')).body).not.toContain('class="problems"');
      // Touched: read again, and the problem shows.
      fs.utimesSync(file, new Date(), new Date());
      expect((await get('/flow')).body).toContain('class="problems"');
    } finally {
      fs.writeFileSync(file, original);
    }
    expect((await get('/flow')).body).not.toContain('class="problems"');
  });

  test('an edit that is valid shows at once, with a note that the chat needs a restart to use it', async () => {
    const file = path.join(contentDir, 'windows.yaml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('name: めぐろ くらしの相談窓口', 'name: めぐろ くらしの相談まどぐち'));
    try {
      const page = await get('/flow');
      expect(page.body).toContain('めぐろ くらしの相談まどぐち');
      expect(page.body).toContain('class="notice"');
    } finally {
      fs.writeFileSync(file, original);
    }
    expect((await get('/flow')).body).not.toContain('class="notice"');
  });
});

describe('the SVG picture', () => {
  test('escapes what staff write, so any text makes a valid document', () => {
    const picture = flowPicture(definitions);
    const root = picture.root as Extract<typeof picture.root, { kind: 'question' }>;
    root.prompt = 'A & B <script>"\'';
    const svg = renderFlowSvg(picture, ['x.yaml: a <problem> & more']);
    expect(svg).toContain('A &amp; B &lt;script&gt;&quot;&#39;');
    expect(svg).toContain('a &lt;problem&gt; &amp; more');
  });

  test('wraps long Japanese lines to the box width, never starting a line with 、 or 。', () => {
    const lines = wrapText('どんなことが 気になっていますか? 近いものを えらんでください。'.repeat(3), 200, 16);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).not.toMatch(/^[、。]/);
    expect(lines.join('')).toBe('どんなことが 気になっていますか? 近いものを えらんでください。'.repeat(3));
  });
});

describe('npm run flow:export', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['scripts/start.mjs', 'cli/flow-export', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

  test('writes the tree as an SVG file with every window number', () => {
    const out = path.join(tempDir('guide-flow-export-'), 'flow.svg');
    const result = run(['--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Wrote');
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    const text = squash(textOf(svg));
    for (const item of mustShow(definitions)) expect([item, text.includes(squash(item))]).toEqual([item, true]);
  });

  test('with a content problem: prints it, writes nothing, exits non-zero', () => {
    const contentDir = copyContent();
    const file = path.join(contentDir, 'windows.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('value: 03-5722-9370', 'value: 03-5722'));
    const out = path.join(tempDir('guide-flow-export-'), 'flow.svg');
    const result = run([`--out=${out}`], { CONTENT_DIR: contentDir });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/windows\.yaml: windows\[\d+\]\.phone(\.value)?: not a Japanese phone number/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
