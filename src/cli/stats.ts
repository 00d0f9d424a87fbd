import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config';
import { loadDefinitions } from '../files/definitions-files';
import { addDays, localDateOf } from '../domain/calendar';
import { openStore } from '../store/open-store';
import { dailyFigures, nodeCatalogue, readRange, summarize, type RangeProblem } from '../stats/usage-figures';
import { usageCsv, usageTable } from '../stats/usage-report';
import { runCommand, UsageError, type CommandStart } from './command';

/**
 * `npm run stats -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv <file>]`: the usage counts of the
 * configured store (Tokyo dates, both included; default the last 30 days). Prints one row per node
 * with its totals, and writes a CSV with one row per day and node (default stats-<from>_<to>.csv in
 * the current directory). Every count from 1 to 4 shows as <5 in both. Exits 2 on a wrong argument.
 */
const USAGE = 'usage: npm run stats -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv <file.csv>]';

const PROBLEMS: Record<RangeProblem, (given: { from?: string | undefined; to?: string | undefined }) => string> = {
  from: (given) => `--from must be a real date written YYYY-MM-DD, e.g. 2026-11-01; got "${given.from}"`,
  to: (given) => `--to must be a real date written YYYY-MM-DD, e.g. 2026-11-30; got "${given.to}"`,
  order: () => '--from must not be after --to',
};

function readArgs(args: string[]) {
  try {
    return parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, csv: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    if (String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message, USAGE);
    throw error;
  }
}

async function main(start: CommandStart): Promise<number> {
  const given = readArgs(start.args);
  const read = readRange(given, localDateOf(new Date()), addDays);
  if ('problem' in read) throw new UsageError(PROBLEMS[read.problem](given), USAGE);
  const { range } = read;
  if (given.csv !== undefined && !given.csv.trim()) throw new UsageError('--csv needs a file name', USAGE);

  const config = start.config();
  const database = path.join(config.dataDir, 'guide.db');
  if (!config.databaseUrl && !fs.existsSync(database)) {
    throw new ConfigError(`no database at ${database}: set DATA_DIR to the server's data folder, or DATABASE_URL`);
  }
  const catalogue = nodeCatalogue(loadDefinitions(config).flow.flow);
  const store = await openStore(config);
  let rows;
  try {
    rows = await store.usage(range.from, range.to);
  } finally {
    await store.close();
  }

  process.stdout.write(`${usageTable(range, summarize(rows, catalogue))}\n\n`);
  const days = dailyFigures(rows, catalogue);
  const csv = path.resolve(process.cwd(), given.csv ?? `stats-${range.from}_${range.to}.csv`);
  fs.mkdirSync(path.dirname(csv), { recursive: true });
  fs.writeFileSync(csv, usageCsv(days));
  const shown = path.relative(process.cwd(), csv);
  process.stdout.write(`Wrote ${shown && !shown.startsWith('..') ? shown : csv} (${days.length} rows: one per day and node with counts)\n`);
  return 0;
}

runCommand('stats', main);
