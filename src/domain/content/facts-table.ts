import { formatPath, type RawDefinitions } from '../definitions';

/** One row of docs/facts.md: `id | what | field | value | source | checked | status | note`. */
export interface FactRow {
  id: string;
  what: string;
  field: string;
  value: string;
  source: string;
  checked: string;
  status: string;
  note: string;
}

/** The id that names the seed article itself rather than a row of the table. */
export const SEED_ARTICLE_FACT = 'seed-article';

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** The rows of the facts table in a Markdown text (any table row whose first cell is an id). */
export function parseFactsTable(markdown: string): Map<string, FactRow> {
  const rows = new Map<string, FactRow>();
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const [id, what = '', field = '', value = '', source = '', checked = '', status = '', note = ''] = cells;
    if (!id || !ID.test(id) || id === 'id') continue;
    rows.set(id, { id, what, field, value, source, checked, status, note });
  }
  return rows;
}

/** Every `fact:` in content/ that names no row of the table, as "file: field: message" problems. */
export function unknownFactIds(raw: RawDefinitions, known: ReadonlySet<string> | ReadonlyMap<string, unknown>, tableName: string): string[] {
  const problems: string[] = [];
  const visit = (file: string, node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(file, item, [...path, i]));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const fact = record.fact;
    if (typeof fact === 'string' && fact !== SEED_ARTICLE_FACT && !known.has(fact)) {
      problems.push(`${file}: ${formatPath([...path, 'fact'])}: "${fact}" is not a row of ${tableName}`);
    }
    for (const [key, value] of Object.entries(record)) visit(file, value, [...path, key]);
  };
  for (const file of [raw.windows, raw.ibasho, raw.crisis]) visit(file.path, file.data, []);
  return problems;
}
