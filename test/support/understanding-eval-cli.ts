/**
 * `npm run eval:understanding`: the dev corpora (recall, precision, every miss), then each held-out batch
 * on the current lexicon beside its recorded first run. Exits 1 on a dev crisis miss, needs below 95%,
 * or a held-out batch doing worse than its first run.
 *   --record   a batch with no first run yet gets its row appended to test/understanding/history.md
 *              (rows are never rewritten: a batch that has one keeps it)
 *   --misses   prints the held-out sentences that were missed (read them only after the first run)
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  evaluate,
  evaluateHeldOut,
  heldOutRegressions,
  historyRow,
  loadCorpora,
  loadFirstRuns,
  loadHeldOutBatches,
  projectDefinitionsAt,
  projectRoot,
  report,
  reportHeldOut,
} from './understanding-eval';

const root = projectRoot(__dirname);
const args = new Set(process.argv.slice(2));
const defs = projectDefinitionsAt(root);
const evaluation = evaluate(defs, loadCorpora(root));
process.stdout.write(`${report(evaluation)}\n`);

const firstRuns = loadFirstRuns(root);
const historyFile = path.join(root, 'test', 'understanding', 'history.md');
const today = new Date().toISOString().slice(0, 10);
let lexicon = 'unknown';
try {
  lexicon = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  if (execFileSync('git', ['status', '--porcelain', 'content', 'src'], { cwd: root, encoding: 'utf8' }).trim()) lexicon += '+changes';
} catch {
  // not a git checkout: the row says so
}
const regressions: string[] = [];
for (const batch of loadHeldOutBatches(root)) {
  const figures = evaluateHeldOut(defs, batch);
  const first = firstRuns.get(batch.name);
  process.stdout.write(`${reportHeldOut(figures, first, args.has('--misses'))}\n`);
  if (first) regressions.push(...heldOutRegressions(figures, first));
  else if (args.has('--record')) {
    fs.appendFileSync(historyFile, `${historyRow(figures, batch.written, today, lexicon)}\n`);
    process.stdout.write(`  recorded as the first run of ${batch.name} in test/understanding/history.md\n`);
  } else process.stdout.write(`  (run with --record to keep this as its first run)\n`);
}
for (const r of regressions) process.stdout.write(`REGRESSION: ${r}\n`);
const failed = evaluation.crisis.misses.length > 0 || evaluation.crisis.unsureMisses.length > 0 || evaluation.crisis.dangerMisses.length > 0 || evaluation.needs.accuracy < 0.95 || regressions.length > 0;
if (failed) process.stdout.write('FAILED: a dev crisis phrasing was missed, needs accuracy is below 95%, or a held-out batch does worse than its first run.\n');
process.exitCode = failed ? 1 : 0;
