/** `npm run content:export` as a developer runs it: staff changes in the store → content/ and docs/facts.md. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { openSqliteStore } from '../../src/store/open-store';
import { StaffStore } from '../../src/store/staff-store';
import { correctedFact } from '../../src/domain/staff-changes/validation';
import { parseFactsTable } from '../../src/domain/content/facts-table';
import { projectDefinitions, ROOT } from '../support/fixtures';

const AT = Date.UTC(2026, 11, 1, 1, 0, 0);

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/start.mjs', script, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('writes the staff dates and fact checks into content/ (comments kept) and the facts table; the result passes content:check', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-export-'));
  try {
    const store = await openSqliteStore(path.join(dir, 'data', 'guide.db'));
    const staff = new StaffStore(store.database);
    const base = projectDefinitions();
    await staff.content.putIbashoDate({ date: '2026-12-22', status: 'held', movedTo: null, start: '13:30', end: '16:30', note: '本館5階', by: 'tanaka', at: AT }, 'ibasho.publish');
    await staff.content.putIbashoDate({ date: '2027-01-24', status: 'cancelled', movedTo: null, start: null, end: null, note: null, by: 'tanaka', at: AT }, 'ibasho.cancel');
    const phone = correctedFact(base, 'kurashi', 'phone', { value: '03-5722-9371', by: 'tanaka', sourceNote: '電話で確認', today: '2026-12-01' });
    await staff.content.putFactCheck({ window: 'kurashi', field: 'phone', checked: '2026-12-01', by: 'tanaka', sourceNote: '電話で確認', value: phone, at: AT });
    await staff.content.putFactCheck({ window: 'hokenyobo', field: 'phone', checked: '2026-12-01', by: 'tanaka', sourceNote: '区のページ', value: null, at: AT });
    await store.close();

    const out = path.join(dir, 'content');
    const facts = path.join(dir, 'facts.md');
    fs.copyFileSync(path.join(ROOT, 'docs', 'facts.md'), facts);
    const env = { DATA_DIR: path.join(dir, 'data'), LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' };
    const exported = await run('cli/content-export', ['--out', out, '--facts', facts], env);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('exported: いばしょ 2026-12-22(開催)');
    expect(exported.stdout).toContain('exported: いばしょ 2027-01-24(中止)');

    const ibashoText = fs.readFileSync(path.join(out, 'ibasho.yaml'), 'utf8');
    expect(ibashoText.startsWith('# めぐろのいばしょ')).toBe(true);
    expect(parse(ibashoText).dates).toEqual([
      { date: '2026-12-22', status: 'held', start: '13:30', end: '16:30', note: '本館5階', source: '目黒区職員による登録(tanaka)', checked: '2026-12-01' },
      { date: '2027-01-24', status: 'cancelled', source: '目黒区職員による登録(tanaka)', checked: '2026-12-01' },
    ]);
    const windows = parse(fs.readFileSync(path.join(out, 'windows.yaml'), 'utf8')).windows as any[];
    expect(windows.find((w) => w.id === 'kurashi').phone).toMatchObject({ value: '03-5722-9371', checked: '2026-12-01', source: '電話で確認', status: 'confirmed', fact: 'kurashi-phone' });
    expect(windows.find((w) => w.id === 'hokenyobo').phone).toMatchObject({ value: '03-5722-9504', checked: '2026-12-01' });
    const table = parseFactsTable(fs.readFileSync(facts, 'utf8'));
    expect(table.get('kurashi-phone')).toMatchObject({ value: '03-5722-9371', checked: '2026-12-01' });
    expect(table.get('hokenyobo-phone')).toMatchObject({ value: '03-5722-9504', checked: '2026-12-01' });

    const check = await run('cli/content-check', [], { CONTENT_DIR: out, FACTS_FILE: facts });
    expect(check.stdout).toContain('OK');
    expect(check.code).toBe(0);

    const again = await run('cli/content-export', [], { ...env, CONTENT_DIR: out });
    expect(again.stdout).toContain('nothing to write');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
