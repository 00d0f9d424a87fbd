/**
 * The runbook (docs/operations.md), followed here: the env file of deploy/ filled in, the server
 * started with the unit's own command line, Caddy (Debian's package) with deploy/'s Caddyfile and its
 * internal CA in place of Let's Encrypt, `meguro-guide line:setup` (LINE's test really crosses TLS to
 * the bot), then signed webhooks through HTTPS, the staff console's cookies, HSTS, the body limit and
 * /metrics. The unit is checked with systemd-analyze. Real processes, real TLS, a real SQLite file.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { LOGIN_PER_ADDRESS } from '../../src/admin/login-page';

const MAX_FAILURES_PER_IP = LOGIN_PER_ADDRESS.free;
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { followEvent, textEvent } from '../support/line-webhook';
import { freePort, sendSigned, startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { signIn } from '../support/staff-login';
import { tempDirs } from '../support/temp-dirs';

const DEPLOY = path.join(ROOT, 'deploy');
const tempDir = tempDirs();
const caddyInstalled = spawnSync('caddy', ['version']).status === 0;

/** deploy/meguro-guide.env as an operator fills it in (runbook step 4): only the values change. */
function fillEnvFile(values: Record<string, string>): { text: string; env: Record<string, string> } {
  const lines = fs.readFileSync(path.join(DEPLOY, 'meguro-guide.env'), 'utf8').split('\n');
  const seen = new Set<string>();
  const filled = lines.map((line) => {
    const key = /^#?\s*([A-Z_]+)=/.exec(line)?.[1];
    if (!key || !(key in values)) return line;
    seen.add(key);
    return `${key}=${values[key]}`;
  });
  // Settings the example leaves to their defaults (LINE's real API): only the test changes them.
  for (const [key, value] of Object.entries(values)) if (!seen.has(key)) filled.push(`${key}=${value}`);
  const text = filled.join('\n');
  const env = Object.fromEntries(text.split('\n').flatMap((line) => {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }));
  return { text, env };
}

/** The unit's ExecStart: the node binary, its flags, the entry point. */
function unitCommand(): { node: string; flags: string[]; entry: string } {
  const unit = fs.readFileSync(path.join(DEPLOY, 'meguro-guide.service'), 'utf8');
  const words = /^ExecStart=(.+)$/m.exec(unit)![1]!.trim().split(/\s+/);
  return { node: words[0]!, flags: words.slice(1, -1), entry: words[words.length - 1]! };
}

/**
 * deploy/Caddyfile for this machine: the test's host and ports, and Caddy's internal CA instead of
 * an ACME account (the global options' e-mail); every other line as deployed.
 */
function testCaddyfile(options: { httpsPort: number; httpPort: number; botPort: number; storage: string }): string {
  const deployed = fs.readFileSync(path.join(DEPLOY, 'Caddyfile'), 'utf8');
  const withoutEmail = deployed.replace(/^\temail .*\n/m, '');
  const site = withoutEmail.replace(/^guide\.example\.jp \{$/m, `localhost:${options.httpsPort} {`).replace('reverse_proxy 127.0.0.1:3000', `reverse_proxy 127.0.0.1:${options.botPort}`);
  const global = `{\n\tlocal_certs\n\tskip_install_trust\n\tadmin off\n\thttp_port ${options.httpPort}\n\tstorage file_system ${options.storage}\n`;
  const caddyfile = site.replace(/^\{\n/m, global);
  expect(caddyfile).toContain(`reverse_proxy 127.0.0.1:${options.botPort}`);
  expect(caddyfile).toContain(`localhost:${options.httpsPort} {`);
  return caddyfile;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => null);
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

describe('systemd unit', () => {
  test('ExecStart runs the compiled server with the three Node flags of `npm start`', () => {
    const start = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const { node, flags, entry } = unitCommand();
    expect(node).toBe('/usr/bin/node');
    expect(flags).toEqual(start.split(/\s+/).slice(1, -1));
    expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
  });

  test('systemd-analyze verify finds nothing to say about it', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const message = 'systemd-analyze is not installed: the unit was not verified. Run `npm run test:setup` (Debian\'s systemd package).';
      if (process.env.CI) throw new Error(message);
      process.stderr.write(`\n${message}\n`);
      return;
    }
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', path.join(DEPLOY, 'meguro-guide.service')], { encoding: 'utf8' });
    if (/Failed to (initialize|create|connect)|System has not been booted with systemd/.test(result.stderr)) {
      // The tool runs, but not here (no systemd as PID 1 for it to ask): say so loudly.
      process.stderr.write(`\nsystemd-analyze verify cannot run in this container, the unit was not verified: ${result.stderr.trim()}\n`);
      return;
    }
    expect({ status: result.status, out: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, out: '' });
  });
});

(caddyInstalled || process.env.CI ? describe : describe.skip)('Caddyfile', () => {
  test('deploy/Caddyfile, as deployed, passes step 5\'s caddy validate, without warnings, in caddy fmt\'s layout', () => {
    const file = path.join(DEPLOY, 'Caddyfile');
    const home = tempDir('guide-caddy-validate-');
    const validated = spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home } });
    expect({ status: validated.status, warnings: validated.stderr.split('\n').filter((l) => /"level":"(warn|error)"/.test(l)) }).toEqual({ status: 0, warnings: [] });
    expect(spawnSync('caddy', ['fmt', file], { encoding: 'utf8' }).stdout).toBe(fs.readFileSync(file, 'utf8'));
  });
});

(caddyInstalled || process.env.CI ? describe : describe.skip)('the runbook on this machine: Caddy with TLS in front of the bot', () => {
  let fake: FakeLineApi;
  let bot: ServerProcess;
  let caddy: ChildProcess;
  let publicUrl: string;
  let metricsUrl: string;
  let envFile: string;
  let stateDir: string;
  let tlsFetch: typeof fetch;
  let rootCa: string;
  const metricsToken = randomBytes(32).toString('hex');
  let caddyLog = '';

  beforeAll(async () => {
    if (!caddyInstalled) throw new Error('caddy is not installed: run `npm run test:setup` (Debian\'s caddy package)');
    const [botPort, httpsPort, httpPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    publicUrl = `https://localhost:${httpsPort}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const dir = tempDir('guide-recipe-');

    // Step 5: Caddy, with the Caddyfile of deploy/.
    const caddyfile = path.join(dir, 'Caddyfile');
    fs.writeFileSync(caddyfile, testCaddyfile({ httpsPort, httpPort, botPort, storage: path.join(dir, 'caddy') }));
    caddy = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], { cwd: dir, env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir } });
    caddy.stderr!.on('data', (chunk) => (caddyLog += String(chunk)));
    rootCa = await waitFor('Caddy\'s internal CA', () => {
      const file = path.join(dir, 'caddy', 'pki', 'authorities', 'local', 'root.crt');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    });
    const agent = new Agent({ connect: { ca: rootCa } });
    tlsFetch = ((url: string, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;

    // The stand-in LINE API trusts the same CA when it verifies the webhook (as LINE trusts public ones).
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN, channelSecret: CHANNEL_SECRET, webhookCa: rootCa });

    // Step 4: the env file, filled in.
    const { text, env } = fillEnvFile({
      LINE_CHANNEL_SECRET: CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
      PUBLIC_URL: publicUrl,
      PORT: String(botPort),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN: metricsToken,
      METRICS_PORT: String(metricsPort),
      LINE_API_BASE_URL: fake.baseUrl,
    });
    envFile = path.join(dir, 'env');
    fs.writeFileSync(envFile, text, { mode: 0o640 });
    expect(env).toMatchObject({ HOST: '127.0.0.1', TRUST_PROXY: 'on' });

    // Step 6: the service, as the unit starts it (its flags, its DATA_DIR from StateDirectory).
    const { flags } = unitCommand();
    stateDir = path.join(dir, 'state');
    bot = await startServerProcess({ ...env, DATA_DIR: stateDir, LOG_LEVEL: 'warn', REMINDERS: 'on', SIMULATOR: '' }, flags);
    await waitFor('the bot through Caddy', async () => ((await tlsFetch(`${publicUrl}/healthz`)).ok ? true : null));
  });

  afterAll(async () => {
    if (bot) await stopServerProcess(bot);
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((resolve) => caddy.once('exit', resolve));
      caddy.kill('SIGTERM');
      await exited;
    }
    await fake?.close();
  });

  /** `sudo meguro-guide COMMAND …` of the runbook: deploy/meguro-guide with this test's paths. */
  function meguroGuide(args: string[], input = '') {
    const env = { MEGURO_GUIDE_DIR: ROOT, MEGURO_GUIDE_ENV: envFile, MEGURO_GUIDE_USER: os.userInfo().username, DATA_DIR: stateDir };
    return run(path.join(DEPLOY, 'meguro-guide'), args, env, input);
  }

  test('step 7: line:setup sets PUBLIC_URL/webhook and LINE\'s own test reaches the bot through TLS', async () => {
    const result = await meguroGuide(['line:setup']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`webhook URL: ${publicUrl}/webhook`);
    expect(result.stdout).toContain("LINE's test: ok (status 200)");
    expect(fake.webhook().endpoint).toBe(`${publicUrl}/webhook`);
    expect(fake.violations()).toEqual([]);
  });

  test('signed webhooks through HTTPS are answered; a bad signature is refused', async () => {
    const user = 'U' + 'e5'.repeat(16);
    const before = fake.replies().length;
    expect(await sendSigned(publicUrl, [followEvent(user)], tlsFetch)).toBe(200);
    expect(await sendSigned(publicUrl, [textEvent(user, 'いばしょ')], tlsFetch)).toBe(200);
    expect(fake.replies().length).toBe(before + 2);
    const forged = await tlsFetch(`${publicUrl}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': 'AAAA' }, body: '{"events":[]}' });
    expect(forged.status).toBe(401);
    expect(fake.violations()).toEqual([]);
  });

  test('HSTS on every answer, and TLS 1.2 is enough to connect', async () => {
    for (const route of ['/healthz', '/admin/login', '/no-such-page']) {
      expect([route, (await tlsFetch(`${publicUrl}${route}`)).headers.get('strict-transport-security')]).toEqual([route, 'max-age=31536000']);
    }
    const { port } = new URL(publicUrl);
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: rootCa, maxVersion: 'TLSv1.2' }, () => {
        resolve(socket.getProtocol());
        socket.end();
      });
      socket.once('error', reject);
    });
    expect(protocol).toBe('TLSv1.2');
  });

  test('the staff console\'s cookies are Secure, HttpOnly and SameSite=Strict behind the proxy', async () => {
    const password = 'recipe staff password 123';
    const added = await meguroGuide(['staff', 'add', 'suzuki', '--password-stdin'], `${password}\n`);
    expect(added.code).toBe(0);
    const form = await tlsFetch(`${publicUrl}/admin/login`);
    const { setCookie } = await signIn(publicUrl, 'suzuki', password, tlsFetch);
    for (const cookie of [form.headers.get('set-cookie') ?? '', setCookie]) {
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Strict/i);
    }
  });

  test('Caddy replaces a caller\'s own X-Forwarded-For: forged addresses still count as one for the login limit', async () => {
    // Each failed login claims another address; the bot believes X-Forwarded-For from Caddy (TRUST_PROXY),
    // so only Caddy writing the address it saw keeps the per-address limit (MAX_FAILURES_PER_IP) whole.
    const attempt = async (i: number) => {
      const form = await tlsFetch(`${publicUrl}/admin/login`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
      const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const login = await tlsFetch(`${publicUrl}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': `203.0.113.${i}` },
        body: new URLSearchParams({ _csrf: csrf, username: `nobody-${i}`, password: 'wrong password 123456' }).toString(),
      });
      await login.arrayBuffer();
      return login.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i <= MAX_FAILURES_PER_IP; i++) statuses.push(await attempt(i));
    expect(statuses.slice(0, MAX_FAILURES_PER_IP).every((status) => status !== 429)).toBe(true);
    expect(statuses[MAX_FAILURES_PER_IP]).toBe(429);
  });

  test('a body over 1 MiB is refused at the proxy with 413', async () => {
    const response = await tlsFetch(`${publicUrl}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': 'AAAA' }, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
  });

  test('/metrics through the proxy: refused without the token, served with it; METRICS_PORT on 127.0.0.1 without one', async () => {
    expect((await tlsFetch(`${publicUrl}/metrics`)).status).toBe(401);
    expect((await tlsFetch(`${publicUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const scraped = await tlsFetch(`${publicUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^guide_webhook_requests_total\{status="200"\} [1-9]/m);
    const local = await fetch(metricsUrl);
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^guide_events_total\{outcome="answered"\} [1-9]/m);
  });

  test('the bot and its metrics port listen on 127.0.0.1 only (HOST), so nothing reaches them but through Caddy', () => {
    // The kernel's table of listening TCP sockets: local address (hex, little-endian) and port.
    const listening = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/)).filter((f) => f[3] === '0A').map((f) => f[1]!);
    for (const port of [new URL(bot.url).port, new URL(metricsUrl).port]) {
      const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
      expect(listening.filter((address) => address.endsWith(`:${hexPort}`))).toEqual([`0100007F:${hexPort}`]);
    }
    expect(fs.readFileSync('/proc/net/tcp6', 'utf8')).not.toMatch(new RegExp(`:${Number(new URL(bot.url).port).toString(16).toUpperCase().padStart(4, '0')} 0{32}:0000 0A`));
  });
});
