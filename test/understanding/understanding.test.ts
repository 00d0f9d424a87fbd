/**
 * The evaluation of typed-text understanding (npm run eval:understanding) as part of npm test: any
 * missed crisis phrasing fails the suite, and needs accuracy must stay at 95% or more.
 */
import {
  evaluate,
  evaluateHeldOut,
  evaluateProject,
  heldOutRegressions,
  loadFirstRuns,
  loadHeldOutBatches,
  report,
  reportHeldOut,
  type Evaluation,
} from '../support/understanding-eval';
import { projectDefinitions, ROOT } from '../support/fixtures';

let evaluation: Evaluation;

beforeAll(() => {
  evaluation = evaluateProject(ROOT);
  process.stdout.write(`${report(evaluation)}\n`);
}, 120_000);

test('the corpora are as large as promised: ≥400 crisis phrasings, ≥150 everyday sentences, ≥250 needs', () => {
  expect(evaluation.crisis.positives).toBeGreaterThanOrEqual(400);
  expect(evaluation.crisis.negatives).toBeGreaterThanOrEqual(150);
  expect(evaluation.needs.cases).toBeGreaterThanOrEqual(250);
});

test('every crisis phrasing is answered with the crisis lines, wherever it is typed (recall 100%)', () => {
  expect(evaluation.crisis.misses).toEqual([]);
  expect(evaluation.crisis.recall).toBe(1);
});

test('needs accuracy is at least 95%', () => {
  expect(evaluation.needs.accuracy).toBeGreaterThanOrEqual(0.95);
});

test('the evaluation can fail: a phrasing the lexicon does not know is reported as a miss, a bad need as a miss', () => {
  const e = evaluate(projectDefinitions(), {
    crisis: { positive: { invented: ['ぱぴぷぺぽ'] }, negative: ['死にたい'] },
    needs: [{ say: '家族会はありますか', expect: 'self-health' }],
  });
  expect(e.crisis.misses.map((m) => m.text)).toContain('ぱぴぷぺぽ');
  expect(e.crisis.recall).toBe(0);
  expect(e.crisis.falseAlarms).toEqual(['死にたい']);
  expect(e.needs.misses).toEqual([{ text: '家族会はありますか', expected: 'self-health', got: 'family-groups' }]);
});

describe('held-out batches (test/understanding/held-out/) do no worse than their recorded first runs', () => {
  const batches = loadHeldOutBatches(ROOT);
  const firstRuns = loadFirstRuns(ROOT);
  const defs = projectDefinitions();

  test('every held-out batch has its first run recorded in history.md', () => {
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.map((b) => b.name).filter((name) => !firstRuns.has(name))).toEqual([]);
  });

  test.each(batches.map((b) => [b.name, b] as const))('%s', (_name, batch) => {
    const figures = evaluateHeldOut(defs, batch);
    process.stdout.write(`${reportHeldOut(figures, firstRuns.get(batch.name), false)}\n`);
    expect(heldOutRegressions(figures, firstRuns.get(batch.name)!)).toEqual([]);
  });

  test('the comparison can fail: one fewer found, or false alarms over the target, is a regression', () => {
    const batch = batches[0]!;
    const figures = evaluateHeldOut(defs, batch);
    const first = firstRuns.get(batch.name)!;
    expect(heldOutRegressions(figures, { ...first, crisis: figures.crisis.found + 1 })).toHaveLength(1);
    const noisy = { ...figures, everyday: { ...figures.everyday, falseAlarms: batch.everyday } };
    expect(heldOutRegressions(noisy, first)).toHaveLength(1);
  });
});
