/** The server and content:check as operators run them: real processes, real files. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/bot-harness';
import { tempDirs } from '../support/temp-dirs';

const tempDir = tempDirs();

function copyContent(): string {
  const dir = tempDir('guide-content-');
  fs.cpSync(path.join(ROOT, 'content'), dir, { recursive: true });
  return dir;
}

function breakPhone(dir: string): void {
  const file = path.join(dir, 'windows.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('value: 03-5722-9370', 'value: 03-5722'));
}

const baseEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.LINE_CHANNEL_SECRET;
  delete env.LINE_CHANNEL_ACCESS_TOKEN;
  return env;
};

/** Starts `node scripts/start.mjs`, resolves once it prints its URL (or exits). */
function startServer(env: NodeJS.ProcessEnv): Promise<{ url: string | null; stderr: string; code: number | null; stop(): void }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env });
    let stderr = '';
    const stop = () => child.kill('SIGTERM');
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      const match = /http:\/\/localhost:(\d+)\/healthz/.exec(stderr);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, stderr, code: null, stop });
    });
    child.on('exit', (code) => resolve({ url: null, stderr, code, stop }));
  });
}

describe('npm start', () => {
  test('without LINE credentials it starts, serves /healthz and says on stderr which features are off', async () => {
    const dataDir = tempDir('guide-data-');
    const server = await startServer({ ...baseEnv(), DATA_DIR: dataDir });
    try {
      expect(server.url).not.toBeNull();
      expect(server.stderr).toContain('off: LINE webhook');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(fs.existsSync(path.join(dataDir, 'guide.db'))).toBe(true);
    } finally {
      server.stop();
    }
  });

  test('the data folder is 0700 and the database files 0600: they hold LINE user ids', async () => {
    const dataDir = path.join(tempDir('guide-data-'), 'data');
    const server = await startServer({ ...baseEnv(), DATA_DIR: dataDir });
    try {
      expect(server.url).not.toBeNull();
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('guide.db'));
      expect(files).toEqual(expect.arrayContaining(['guide.db', 'guide.db-wal']));
      for (const name of files) expect([name, fs.statSync(path.join(dataDir, name)).mode & 0o777]).toEqual([name, 0o600]);
    } finally {
      server.stop();
    }
  });

  test('a database file left world-readable by an older version is made private at start', async () => {
    const dataDir = tempDir('guide-data-');
    fs.writeFileSync(path.join(dataDir, 'guide.db'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'guide.db'), 0o644);
    const server = await startServer({ ...baseEnv(), DATA_DIR: dataDir });
    try {
      expect(server.url).not.toBeNull();
      expect(fs.statSync(path.join(dataDir, 'guide.db')).mode & 0o777).toBe(0o600);
    } finally {
      server.stop();
    }
  });

  test.each([
    ['PORT=3.0', { PORT: '3.0' }, 'Cannot start: PORT must be a whole port number between 0 and 65535, not "3.0"'],
    ['a secret that is not 32 hex characters', { LINE_CHANNEL_SECRET: 'secret', LINE_CHANNEL_ACCESS_TOKEN: 'token' }, 'Cannot start: LINE_CHANNEL_SECRET must be'],
    ['a LINE API over plain http to another host', { LINE_API_BASE_URL: 'http://api.line.me' }, 'Cannot start: LINE_API_BASE_URL must use https://'],
  ])('%s: one line on stderr, exit 1', async (_, env, line) => {
    const server = await startServer({ ...baseEnv(), DATA_DIR: tempDir('guide-data-'), ...env });
    expect(server.url).toBeNull();
    expect(server.code).toBe(1);
    expect(server.stderr.trim().split('\n')).toEqual([expect.stringContaining(line)]);
  });

  test('a port already in use: one line naming it, exit 1, no stack trace', async () => {
    const first = await startServer({ ...baseEnv(), DATA_DIR: tempDir('guide-data-') });
    try {
      const port = new URL(first.url!).port;
      const second = await startServer({ ...baseEnv(), PORT: port, DATA_DIR: tempDir('guide-data-') });
      expect(second.url).toBeNull();
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^Cannot start: .*EADDRINUSE.*$/m);
      expect(second.stderr).not.toMatch(/^\s+at /m);
    } finally {
      first.stop();
    }
  });

  test('a broken content file stops start-up with the file and field named, and no stack trace', async () => {
    const contentDir = copyContent();
    breakPhone(contentDir);
    const server = await startServer({ ...baseEnv(), CONTENT_DIR: contentDir, DATA_DIR: tempDir('guide-data-') });
    expect(server.url).toBeNull();
    expect(server.code).toBe(1);
    expect(server.stderr).toMatch(/windows\.yaml: windows\[\d+\]\.phone(\.value)?: not a Japanese phone number/);
    expect(server.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run content:check', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['scripts/start.mjs', 'cli/content-check'], { cwd: ROOT, env, encoding: 'utf8' });

  test('the real content passes', () => {
    const result = run(baseEnv());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('OK');
  });

  test('facts checked long ago are listed as warnings; --strict makes them errors', () => {
    const contentDir = copyContent();
    const windows = path.join(contentDir, 'windows.yaml');
    // One fact checked much earlier than the rest.
    fs.writeFileSync(windows, fs.readFileSync(windows, 'utf8').replace(/(value: 03-5722-9370\n(?:.*\n){2}\s+checked: )2026-11-25/, '$12026-01-10'));
    const warn = run({ ...baseEnv(), CONTENT_DIR: contentDir });
    const args = (extra: string[]) =>
      spawnSync(process.execPath, ['scripts/start.mjs', 'cli/content-check', '--today', '2026-11-25', ...extra], { cwd: ROOT, env: { ...baseEnv(), CONTENT_DIR: contentDir }, encoding: 'utf8' });
    const lenient = args([]);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toMatch(/^warning: .*windows\.yaml: windows\[\d+\]\.phone: checked 2026-01-10, 319 days ago \(older than 180\)/m);
    expect(lenient.stdout.match(/^warning:/gm)).toHaveLength(1);
    const strict = args(['--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/^error: .*windows\[\d+\]\.phone: checked 2026-01-10/m);
    const everything = args(['--max-age-days', '0', '--today', '2026-11-26']);
    expect(everything.stdout.match(/^warning:/gm)!.length).toBeGreaterThan(50);
    expect(warn.status).toBe(0);
  });

  test('a fact: id that is not a row of docs/facts.md fails the check, naming file and field', () => {
    const contentDir = copyContent();
    const windows = path.join(contentDir, 'windows.yaml');
    fs.writeFileSync(windows, fs.readFileSync(windows, 'utf8').replace('fact: kurashi-phone', 'fact: kurashi-phone-typo'));
    const result = run({ ...baseEnv(), CONTENT_DIR: contentDir });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/windows\.yaml: windows\[\d+\]\.phone\.fact: "kurashi-phone-typo" is not a row of docs\/facts\.md/);
    expect(result.stdout).toContain('1 problem(s) found');
  });

  test('without the facts table the check fails and says which file is missing', () => {
    const result = run({ ...baseEnv(), FACTS_FILE: path.join(tempDir('guide-facts-'), 'no-such-facts.md') });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/no-such-facts\.md: cannot be read \(ENOENT\)/);
  });

  test('an unknown option is one line naming it, with no stack, and status 2', () => {
    const result = spawnSync(process.execPath, ['scripts/start.mjs', 'cli/content-check', '--no-such-option'], { cwd: ROOT, env: baseEnv(), encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^content:check: Unknown option '--no-such-option'/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a wrong setting is one line naming it, with no stack, and status 2', () => {
    const result = run({ ...baseEnv(), FACT_MAX_AGE_DAYS: 'half a year' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('content:check: FACT_MAX_AGE_DAYS must be a whole number of days, not "half a year"');
  });

  test('prints every problem with file and field, and exits non-zero', () => {
    const contentDir = copyContent();
    breakPhone(contentDir);
    const phrases = path.join(contentDir, 'phrases.yaml');
    fs.writeFileSync(phrases, fs.readFileSync(phrases, 'utf8').replace('callButton: "電話する {phone}"', 'callButton: "電話する"'));
    const result = run({ ...baseEnv(), CONTENT_DIR: contentDir });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/windows\.yaml: windows\[\d+\]\.phone(\.value)?: not a Japanese phone number/);
    expect(result.stdout).toContain('phrases.yaml: card.callButton: must contain {phone}');
    expect(result.stdout).toContain('2 problem(s) found');
  });
});
