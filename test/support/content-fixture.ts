/** A copy of the real content/ in a temp folder, with the いばしょ schedule changed for a test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');

export interface IbashoChanges {
  dates?: Record<string, unknown>[];
  reminderTimes?: { kind: string; daysBefore: number; at: string }[];
}

export function contentWithIbasho(changes: IbashoChanges): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-content-'));
  fs.cpSync(path.join(ROOT, 'content'), dir, { recursive: true });
  const file = path.join(dir, 'ibasho.yaml');
  const ibasho = parse(fs.readFileSync(file, 'utf8'));
  const provenance = { source: 'test fixture', checked: '2026-11-25' };
  if (changes.dates) ibasho.dates = changes.dates.map((d) => ({ ...d, ...provenance }));
  if (changes.reminderTimes) ibasho.reminders.times = changes.reminderTimes;
  fs.writeFileSync(file, stringify(ibasho));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
