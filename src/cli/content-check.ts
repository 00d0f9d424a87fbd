import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readDefinitionFiles } from '../files/definitions-files';
import { localDateOf } from '../domain/calendar';
import { buildDefinitions, DefinitionsError } from '../domain/definitions';
import { staleFacts } from '../domain/fact-freshness';
import { parseFactsTable, unknownFactIds } from '../domain/content/facts-table';

/**
 * `npm run content:check [-- --max-age-days 180] [--strict] [--today YYYY-MM-DD]`: validates flows/
 * and content/, printing every problem with file and field, and lists facts whose check date is older
 * than the given age as warnings (errors with --strict). Every `fact:` id must name a row of the
 * vendored facts table docs/facts.md. Exits non-zero on any error.
 */
const root = path.resolve(__dirname, '..', '..', '..');
const flowsDir = path.resolve(root, process.env.FLOWS_DIR || 'flows');
const contentDir = path.resolve(root, process.env.CONTENT_DIR || 'content');
const factsFile = path.resolve(root, process.env.FACTS_FILE || 'docs/facts.md');

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      'max-age-days': { type: 'string', default: process.env.FACT_MAX_AGE_DAYS || '180' },
      strict: { type: 'boolean', default: false },
      today: { type: 'string' },
    },
  });
  const maxAgeDays = Number(values['max-age-days']);
  const today = values.today ?? localDateOf(new Date());
  if (!Number.isInteger(maxAgeDays) || maxAgeDays < 0 || !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
    process.stdout.write('usage: content:check [--max-age-days N] [--strict] [--today YYYY-MM-DD]\n');
    return 2;
  }
  try {
    const raw = readDefinitionFiles({ root, flowsDir, contentDir });
    const factProblems = unknownFactIds(raw, parseFactsTable(readFactsTable()), path.relative(root, factsFile) || factsFile);
    let definitions;
    try {
      definitions = buildDefinitions(raw);
    } catch (error) {
      if (error instanceof DefinitionsError) throw new DefinitionsError([...error.problems, ...factProblems]);
      throw error;
    }
    if (factProblems.length > 0) throw new DefinitionsError(factProblems);
    const stale = staleFacts(raw, today, maxAgeDays);
    const label = values.strict ? 'error' : 'warning';
    for (const fact of stale) {
      process.stdout.write(`${label}: ${fact.where}: checked ${fact.checked}, ${fact.ageDays} days ago (older than ${maxAgeDays}): please check it again\n`);
    }
    const nodes = Object.keys(definitions.flow.flow.nodes).length;
    if (values.strict && stale.length > 0) {
      process.stdout.write(`${stale.length} fact(s) need checking again\n`);
      return 1;
    }
    process.stdout.write(`OK: ${nodes} nodes in flows/, ${definitions.content.windows.length} windows in content/${stale.length > 0 ? `; ${stale.length} fact(s) to check again` : ''}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof DefinitionsError)) throw error;
    for (const problem of error.problems) process.stdout.write(`${problem}\n`);
    process.stdout.write(`${error.problems.length} problem(s) found\n`);
    return 1;
  }
}

/** The vendored facts table; a missing table is itself a problem, named like the others. */
function readFactsTable(): string {
  try {
    return fs.readFileSync(factsFile, 'utf8');
  } catch (error) {
    throw new DefinitionsError([`${path.relative(root, factsFile) || factsFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
}

process.exitCode = main();
