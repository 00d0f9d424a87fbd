/**
 * The evaluation of typed-text understanding (npm run eval:understanding) as part of npm test: any
 * missed crisis phrasing fails the suite, and needs accuracy must stay at 95% or more.
 */
import {
  evaluate,
  evaluateHeldOut,
  evaluateProject,
  heldOutRegressions,
  loadCorpora,
  loadFirstRuns,
  loadHeldOutBatches,
  report,
  reportHeldOut,
  type Evaluation,
} from '../support/understanding-eval';
import path from 'node:path';
import { projectDefinitions, ROOT } from '../support/fixtures';
import { readDefinitionFiles } from '../../src/files/definitions-files';
import { buildDefinitions } from '../../src/domain/definitions';
import { step } from '../../src/domain/conversation';

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

test('every unsure sentence of the dev corpus is asked back, and every danger-at-home sentence gets the danger reply (or crisis), wherever typed', () => {
  expect(evaluation.crisis.unsure).toBeGreaterThanOrEqual(15);
  expect(evaluation.crisis.danger).toBeGreaterThanOrEqual(15);
  expect(evaluation.crisis.unsureMisses).toEqual([]);
  expect(evaluation.crisis.dangerMisses).toEqual([]);
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

describe('every everyday rule of content/crisis.yaml is proved by a corpus line', () => {
  const corpus = loadCorpora(ROOT).crisis;
  const raw = readDefinitionFiles({ root: ROOT, flowsDir: path.join(ROOT, 'flows'), contentDir: path.join(ROOT, 'content') });
  const rules = (raw.crisis.data as { everyday: { means: string; proof: string }[] }).everyday;

  test.each(rules.map((r, i) => [r.means, i] as const))('%s', (_means, i) => {
    const { proof } = rules[i]!;
    expect(corpus.negative).toContain(proof);
    const withRule = buildDefinitions(raw);
    const without = buildDefinitions({ ...raw, crisis: { ...raw.crisis, data: { ...(raw.crisis.data as object), everyday: rules.filter((_, j) => j !== i) } } });
    const outcome = (d: typeof withRule) => step(d, null, { kind: 'text', text: proof }, new Date('2026-11-25T01:00:00Z')).outcome;
    // Without the rule the proof alarms; with it, it does not.
    expect(['crisis', 'danger', 'askBack']).toContain(outcome(without));
    expect(['crisis', 'danger', 'askBack']).not.toContain(outcome(withRule));
  });
});
