/**
 * Real PostgreSQL for tests. `npm run test:setup` installs and starts it on 127.0.0.1 and creates
 * the `guide_test` database; each suite here makes its own fresh database from it and drops it after.
 * Without PostgreSQL a developer's run prints which suites did not run and how to get them; in CI
 * (CI=true) a missing PostgreSQL fails the run instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://guide:guide@127.0.0.1:5432/guide_test';

let available: boolean | null = null;

/** Checked synchronously (in a child process) so that suites can choose describe or describe.skip. */
export function postgresAvailable(): boolean {
  if (available !== null) return available;
  const probe = `const pg=require('pg');const c=new pg.Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1));`;
  available = spawnSync(process.execPath, ['-e', probe, TEST_DATABASE_URL], { cwd: __dirname, timeout: 10_000 }).status === 0;
  return available;
}

/** `describe` when PostgreSQL is reachable; otherwise a loud skip (or a failure in CI). */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresAvailable()) {
    describe(name, body);
    return;
  }
  const message = `PostgreSQL is not reachable at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: "${name}" did not run. Run \`npm run test:setup\` (installs and starts it from Debian's packages) or set TEST_DATABASE_URL.`;
  if (process.env.CI) {
    describe(name, () => {
      test('PostgreSQL is required in CI', () => {
        throw new Error(message);
      });
    });
    return;
  }
  // Straight to stderr: Jest does not show console output of a suite whose tests all skip.
  process.stderr.write(`\n${message}\n`);
  describe.skip(name, body);
}

/** A new, empty database on the test server; `drop()` removes it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `guide_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A PostgreSQL server of our own on a free port, for tests that stop and start the database.
 * Made with Debian's initdb/pg_ctl (as the postgres user when we are root, since PostgreSQL refuses
 * to run as root).
 */
export interface TemporaryCluster {
  url: string;
  stop(): void;
  start(): void;
  /** Makes the server hang without refusing (SIGSTOP to it and its backends); `thaw()` resumes it. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

export function temporaryClusterAvailable(): boolean {
  return postgresBinDir() !== null;
}

function postgresBinDir(): string | null {
  const fs = require('node:fs') as typeof import('node:fs');
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = `${base}/${version}/bin`;
    if (fs.existsSync(`${bin}/initdb`) && fs.existsSync(`${bin}/pg_ctl`)) return bin;
  }
  return null;
}

export async function startTemporaryCluster(): Promise<TemporaryCluster> {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const net = require('node:net') as typeof import('node:net');
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const port: number = await new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const p = (server.address() as import('node:net').AddressInfo).port;
      server.close(() => resolve(p));
    });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) => {
    const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${path.basename(cmd)} failed: ${result.stderr || result.stdout}`);
  };
  const data = path.join(dir, 'data');
  run(`${bin}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => run(`${bin}/pg_ctl`, ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  const stop = () => run(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  const signalAll = (signal: 'STOP' | 'CONT') => {
    const postmaster = fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n', 1)[0]!.trim();
    const children = spawnSync('pgrep', ['-P', postmaster], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    spawnSync('kill', [`-${signal}`, postmaster, ...children]);
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    freeze: () => signalAll('STOP'),
    thaw: () => signalAll('CONT'),
    destroy() {
      try {
        signalAll('CONT');
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
