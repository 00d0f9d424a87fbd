import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDocument, type Document } from 'yaml';
import { readDefinitionFiles } from '../files/definitions-files';
import { buildDefinitions, DefinitionsError } from '../domain/definitions';
import { DEFAULT_LANG } from '../domain/lang';
import { LINE_CONTENT_LIMITS } from '../line/line-limits';
import { exportedIbashoDates, pendingExport } from '../domain/staff-export';
import { openStore } from '../store/open-store';
import { StaffStore } from '../store/staff-store';
import { runCommand, type CommandStart } from './command';

/**
 * `npm run content:export [-- --out DIR] [--facts FILE]`: writes the staff's いばしょ dates and fact
 * checks from the store into content/ibasho.yaml and content/windows.yaml (comments kept), and the new
 * check dates into docs/facts.md, so a developer can review and commit them. The result is validated
 * like content:check before anything is written. Notices are not exported: they are short-lived and
 * live only in the store.
 */
async function main(start: CommandStart): Promise<number> {
  const { root } = start;
  const { values } = parseArgs({ args: start.args, options: { out: { type: 'string' }, facts: { type: 'string' } } });
  const config = start.config();
  const outDir = path.resolve(values.out ?? config.contentDir);
  const factsFile = values.facts ? path.resolve(root, values.facts) : config.factsFile;
  const raw = readDefinitionFiles(config);
  const base = buildDefinitions(raw, DEFAULT_LANG, LINE_CONTENT_LIMITS);
  const store = await openStore(config);
  let changes;
  try {
    changes = await new StaffStore(store.database).content.changes();
  } finally {
    await store.close();
  }
  const pending = pendingExport(base.content, changes);
  if (pending.length === 0) {
    process.stdout.write('content/ already says everything staff changed; nothing to write\n');
    return 0;
  }

  const read = (name: string) => parseDocument(fs.readFileSync(path.join(config.contentDir, name), 'utf8'));
  const ibasho = read('ibasho.yaml');
  ibasho.setIn(['dates'], ibasho.createNode(exportedIbashoDates(base.content, changes)));
  const windows = read('windows.yaml');
  const checkedFacts = new Map<string, { checked: string; value?: string }>();
  for (const check of changes.factChecks) {
    const index = base.content.windows.findIndex((w) => w.id === check.window);
    const current = base.content.windows[index]?.[check.field] as { fact: string } | undefined;
    if (!current) continue;
    if (check.value) {
      windows.setIn(['windows', index, check.field], windows.createNode(check.value));
      const value = (check.value as { value?: unknown }).value;
      checkedFacts.set(current.fact, { checked: check.checked, ...(typeof value === 'string' ? { value } : {}) });
    } else {
      windows.setIn(['windows', index, check.field, 'checked'], check.checked);
      checkedFacts.set(current.fact, { checked: check.checked });
    }
  }

  // Validate the result as content:check would, before writing anything.
  const data = (doc: Document) => doc.toJS() as unknown;
  buildDefinitions({ ...raw, ibasho: { ...raw.ibasho, data: data(ibasho) }, windows: { ...raw.windows, data: data(windows) } }, DEFAULT_LANG, LINE_CONTENT_LIMITS);

  fs.mkdirSync(outDir, { recursive: true });
  if (outDir !== config.contentDir) {
    for (const name of fs.readdirSync(config.contentDir)) fs.copyFileSync(path.join(config.contentDir, name), path.join(outDir, name));
  }
  fs.writeFileSync(path.join(outDir, 'ibasho.yaml'), ibasho.toString({ lineWidth: 0 }));
  fs.writeFileSync(path.join(outDir, 'windows.yaml'), windows.toString({ lineWidth: 0 }));
  const factsUpdated = updateFactsTable(factsFile, checkedFacts);
  for (const line of pending) process.stdout.write(`exported: ${line}\n`);
  process.stdout.write(`wrote ${path.relative(root, outDir) || outDir}/ibasho.yaml and windows.yaml${factsUpdated > 0 ? `; ${factsUpdated} row(s) of ${path.relative(root, factsFile)}` : ''}; review with git diff and commit\n`);
  return 0;
}

/** Sets the checked column (and a corrected value) of the facts table's rows; returns how many changed. */
function updateFactsTable(file: string, facts: Map<string, { checked: string; value?: string }>): number {
  if (facts.size === 0 || !fs.existsSync(file)) return 0;
  let changed = 0;
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
    if (!line.startsWith('| ')) return line;
    const cells = line.split('|');
    const id = cells[1]?.trim() ?? '';
    const update = facts.get(id);
    if (!update || cells.length < 9) return line;
    if (update.value) cells[4] = ` ${update.value} `;
    cells[6] = ` ${update.checked} `;
    changed++;
    return cells.join('|');
  });
  fs.writeFileSync(file, lines.join('\n'));
  return changed;
}

runCommand('content:export', main, {
  report: (error) => {
    if (!(error instanceof DefinitionsError)) return false;
    process.stderr.write(`content:export: the result would not pass content:check, nothing written:\n${error.problems.join('\n')}\n`);
    return true;
  },
  exitCode: (error) => (error instanceof DefinitionsError ? 1 : undefined),
});
