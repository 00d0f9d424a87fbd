/**
 * One rule for what needs a login: every route the app has (read from Express's own router stack,
 * so a new page cannot be forgotten) is asked for without a session, as written, in upper case and
 * with a trailing slash, over real HTTP against a real server process with the simulator and /stats
 * on and LINE credentials set. Only the public routes listed here may answer anything but the login.
 */
import type { Express } from 'express';
import { startBot, type BotHarness } from '../support/bot-harness';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { tempDirs } from '../support/temp-dirs';

const tempDir = tempDirs();
const ENV = { SIMULATOR: 'on', STATS_PAGE: 'on', TRUST_PROXY: 'on' };

/** What strangers may reach: LINE's webhook (its signature is its guard), health checks, the login form. */
const PUBLIC = ['GET /healthz', 'GET /readyz', 'POST /webhook', 'GET /admin/login', 'POST /admin/login', 'GET /admin/admin.css'];

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every route of a router stack with its full path; a mounted middleware (express.static) as a path under it. */
function walk(stack: Layer[], prefix = ''): string[] {
  const found: string[] = [];
  for (const layer of stack) {
    const own = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
    } else if (layer.handle.stack) {
      found.push(...walk(layer.handle.stack, prefix + own));
    } else if (own) {
      found.push(`GET ${prefix}${own}/chat.js`);
    }
  }
  return found;
}

const spellings = (path: string) => [...new Set([path, path.toUpperCase(), `${path}/`, `${path.toUpperCase()}/`])];

let bot: BotHarness;
let server: ServerProcess;

beforeAll(async () => {
  [bot, server] = await Promise.all([startBot({ env: ENV }), startServerProcess({ ...ENV, DATA_DIR: tempDir('guide-routes-') })]);
});
afterAll(async () => {
  await Promise.all([bot.close(), stopServerProcess(server)]);
});

test('the walk finds the staff pages and the console (so that it walks what is served)', () => {
  const routes = walk((bot.composed.handleRequest as Express & { router: { stack: Layer[] } }).router.stack);
  expect(routes).toEqual(expect.arrayContaining(['GET /', 'GET /flow', 'GET /flow.svg', 'GET /stats', 'POST /simulator/api/users', 'POST /simulator/api/events', 'GET /admin/ibasho', 'POST /admin/notices/add', ...PUBLIC]));
});

test('every other route, in every spelling Express accepts, leads a stranger to the login page', async () => {
  const routes = walk((bot.composed.handleRequest as Express & { router: { stack: Layer[] } }).router.stack).filter((r) => !PUBLIC.includes(r));
  const answers = await Promise.all(
    [...new Set(routes)].flatMap((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return spellings(path).map(async (spelling) => {
        const res = await fetch(`${server.url}${spelling}`, { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
        await res.arrayBuffer();
        return `${method} ${spelling} → ${res.status} ${res.headers.get('location') ?? ''}`;
      });
    }),
  );
  expect(answers.length).toBeGreaterThan(60);
  expect(answers.filter((a) => !a.endsWith('→ 303 /admin/login'))).toEqual([]);
});

test('a path no router serves leads to the login page too, and the health check stays open', async () => {
  for (const path of ['/Simulator/api/setup', '/nothing-here', '/flow.SVG/']) {
    const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/admin/login']);
  }
  expect((await fetch(`${server.url}/HEALTHZ/`)).status).toBe(200);
});
