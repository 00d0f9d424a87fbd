import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readDefinitionFiles } from '../files/definitions-files';
import { localDateOf } from '../domain/calendar';
import { buildDefinitions, DefinitionsError } from '../domain/definitions';
import { staleFacts } from '../domain/fact-freshness';
import { parseFactsTable, unknownFactIds } from '../domain/content/facts-table';
import { LINE_CONTENT_LIMITS } from '../line/line-limits';
import { DEFAULT_LANG } from '../domain/lang';
import { runCommand, type CommandStart } from './command';

/**
 * `npm run content:check [-- --max-age-days 180] [--strict] [--today YYYY-MM-DD]`: validates flows/
 * and content/, printing every problem with file and field, and lists facts whose check date is older
 * than the given age as warnings (errors with --strict). Every `fact:` id must name a row of the
 * vendored facts table docs/facts.md. Exits non-zero on any error.
 */
function main(start: CommandStart): number {
  const settings = start.content();
  const { root, factsFile } = settings;
  const { values } = parseArgs({
    args: start.args,
    options: {
      'max-age-days': { type: 'string', default: String(settings.factMaxAgeDays) },
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
    const raw = readDefinitionFiles(settings);
    const factProblems = unknownFactIds(raw, parseFactsTable(readFactsTable(root, factsFile)), path.relative(root, factsFile) || factsFile);
    let definitions;
    try {
      definitions = buildDefinitions(raw, DEFAULT_LANG, LINE_CONTENT_LIMITS);
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
function readFactsTable(root: string, factsFile: string): string {
  try {
    return fs.readFileSync(factsFile, 'utf8');
  } catch (error) {
    throw new DefinitionsError([`${path.relative(root, factsFile) || factsFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
}

runCommand('content:check', main);
