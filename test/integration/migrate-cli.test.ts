/** `npm run migrate` as operators run it: a real process on a fresh SQLite folder and on a fresh PostgreSQL database. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../../src/store/migrations';
import { ROOT } from '../support/fixtures';
import { describeWithPostgres, freshDatabase } from '../support/postgres';

const ALL = Object.keys(migrations);

function migrate(env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' };
  return spawnSync(process.execPath, ['scripts/start.mjs', 'cli/migrate'], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
}

test('SQLite: every migration is applied and listed once; a second run says the file is up to date', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-migrate-'));
  try {
    const first = migrate({ DATA_DIR: dataDir });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`applied to ${path.join(dataDir, 'guide.db')}: ${ALL.join(', ')}\n`);
    const again = migrate({ DATA_DIR: dataDir });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`${path.join(dataDir, 'guide.db')} is up to date\n`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describeWithPostgres('PostgreSQL', () => {
  test('every migration is applied on its own connection and listed once; a second run says it is up to date', async () => {
    const database = await freshDatabase();
    try {
      const first = migrate({ DATABASE_URL: database.url });
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toBe(`applied to PostgreSQL (DATABASE_URL): ${ALL.join(', ')}\n`);
      expect(migrate({ DATABASE_URL: database.url }).stdout).toBe('PostgreSQL (DATABASE_URL) is up to date\n');
    } finally {
      await database.drop();
    }
  });
});
