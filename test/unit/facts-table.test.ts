import fs from 'node:fs';
import path from 'node:path';
import { readDefinitionFiles } from '../../src/files/definitions-files';
import { parseFactsTable, unknownFactIds } from '../../src/domain/content/facts-table';

const ROOT = path.resolve(__dirname, '..', '..');
const table = parseFactsTable(fs.readFileSync(path.join(ROOT, 'docs/facts.md'), 'utf8'));

describe('the vendored facts table (docs/facts.md)', () => {
  test('holds the rows of the research notes with their columns', () => {
    expect(table.size).toBeGreaterThanOrEqual(80);
    expect(table.get('chosha-phone')).toMatchObject({ field: 'phone', value: '03-3715-1111', checked: '2026-11-25', status: 'confirmed' });
    expect(table.has('id')).toBe(false);
  });

  test('says when it was copied', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs/facts.md'), 'utf8')).toMatch(/^Copied: \d{4}-\d{2}-\d{2}$/m);
  });

  test('every fact: id in content/ names one of its rows', () => {
    const raw = readDefinitionFiles({ root: ROOT, flowsDir: path.join(ROOT, 'flows'), contentDir: path.join(ROOT, 'content') });
    expect(unknownFactIds(raw, table, 'docs/facts.md')).toEqual([]);
  });

  test('an id missing from the table is reported with file and field', () => {
    const raw = readDefinitionFiles({ root: ROOT, flowsDir: path.join(ROOT, 'flows'), contentDir: path.join(ROOT, 'content') });
    const without = new Map(table);
    without.delete('ibasho-rule');
    expect(unknownFactIds(raw, without, 'docs/facts.md')).toEqual(['content/ibasho.yaml: rule.fact: "ibasho-rule" is not a row of docs/facts.md']);
  });
});
