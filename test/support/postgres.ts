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
  console.warn(message);
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
