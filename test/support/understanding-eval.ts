/**
 * The evaluation of typed-text understanding: the crisis corpus and the needs corpus
 * (test/understanding/) through the real `step()` of a turn, from the real flows/ and content/.
 * Used by `npm run eval:understanding` (prints the figures) and by `npm test` (fails on a crisis miss).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadDefinitions } from '../../src/files/definitions-files';
import { step, type Turn } from '../../src/domain/conversation';
import type { Definitions } from '../../src/domain/definitions';
import type { Input } from '../../src/domain/interpret-input';

/** Wednesday 2026-11-25 10:00 in Tokyo. */
const NOW = new Date('2026-11-25T01:00:00Z');

export interface CrisisCorpus {
  positive: Record<string, string[]>;
  negative: string[];
  /** Exhaustion without a clear intent: asked back (or the crisis reply). */
  unsure?: string[];
  /** Violence or threats at home: the danger-at-home reply (or the crisis reply). */
  danger?: string[];
}

export interface NeedCase {
  /** Taps or words sent first (a label of the tree, e.g. 本人です, or any text). */
  after?: string[];
  say: string;
  /** An answer node id, `ask` (本人か家族かを聞く), `faq:<id>`, `small:<id>` or `start` (restart). */
  expect: string;
  /** After an `ask`: the next tap or word, and the node it must reach. */
  then?: { say: string; expect: string };
}

export interface Evaluation {
  crisis: {
    positives: number;
    detected: number;
    recall: number;
    negatives: number;
    falseAlarms: string[];
    falsePositiveRate: number;
    precision: number;
    /** Positive phrasings not answered with the crisis lines, with the node where they were typed. */
    misses: { category: string; text: string; node: string }[];
    nodesChecked: number;
    /** Unsure and danger sentences of the dev corpus that did not get what they must, at some place. */
    unsureMisses: string[];
    dangerMisses: string[];
    unsure: number;
    danger: number;
  };
  needs: { cases: number; correct: number; accuracy: number; misses: { text: string; expected: string; got: string }[] };
}

export function projectRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export function loadCorpora(root: string): { crisis: CrisisCorpus; needs: NeedCase[] } {
  const read = (name: string) => parse(fs.readFileSync(path.join(root, 'test', 'understanding', name), 'utf8'));
  return { crisis: read('crisis-corpus.yaml') as CrisisCorpus, needs: (read('needs-corpus.yaml') as { cases: NeedCase[] }).cases };
}

const text = (t: string): Input => ({ kind: 'text', text: t });
const stored = (turn: Turn): unknown => JSON.parse(JSON.stringify(turn.state));

/**
 * A new friend, a question and an answer of each audience, as a person who tapped their way there would
 * have it. (Crisis words are read before anything else, so the place matters little; the walk test and
 * the webhook tests type them at every node.)
 */
function statesToTry(defs: Definitions): { node: string; state: unknown }[] {
  const flow = defs.flow.flow;
  const states: { node: string; state: unknown }[] = [{ node: '(new friend)', state: null }];
  const places = new Set(['family', 'self-talk', 'family-groups']);
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (!places.has(id)) continue;
    const question =
      node.kind === 'question' ? id : Object.entries(flow.nodes).find(([, q]) => q.kind === 'question' && q.options.some((o) => o.next === id))?.[0] ?? flow.start;
    states.push({ node: id, state: { flowVersion: defs.flow.version, snapshot: { value: id, context: { lastQuestion: question } } } });
  }
  return states;
}

/** What a turn reached, in the corpus's words. */
function describe(turn: Turn): string {
  switch (turn.outcome) {
    case 'askAudience':
      return 'ask';
    case 'faq':
    case 'smallTalk':
      return `${turn.outcome === 'faq' ? 'faq' : 'small'}:${faqIdOf(turn)}`;
    default:
      return turn.node;
  }
}

// The FAQ or small-talk entry a turn answered with, found by its answer text.
let answerIds: Map<string, string> | null = null;
function faqIdOf(turn: Turn): string {
  const first = turn.reply.messages.find((m) => m.kind === 'text');
  const shown = first && first.kind === 'text' ? first.text : '';
  for (const [answer, id] of answerIds ?? []) if (shown.startsWith(answer)) return id;
  return '?';
}

export function evaluate(defs: Definitions, corpora: { crisis: CrisisCorpus; needs: NeedCase[] }): Evaluation {
  answerIds = new Map([
    ...defs.content.faq.faqs.map((f) => [f.answer, f.id] as const),
    ...defs.content.faq.smallTalk.map((s) => [s.answer, s.id] as const),
  ]);
  const states = statesToTry(defs);
  const misses: Evaluation['crisis']['misses'] = [];
  let positives = 0;
  let detected = 0;
  for (const [category, phrasings] of Object.entries(corpora.crisis.positive)) {
    for (const phrasing of phrasings) {
      positives++;
      let allStates = true;
      for (const { node, state } of states) {
        if (step(defs, state, text(phrasing), NOW).outcome !== 'crisis') {
          misses.push({ category, text: phrasing, node });
          allStates = false;
        }
      }
      if (allStates) detected++;
    }
  }
  const falseAlarms = corpora.crisis.negative.filter((t) => ['crisis', 'danger'].includes(step(defs, null, text(t), NOW).outcome));
  const everywhere = (sentence: string, ok: string[]) => states.every(({ state }) => ok.includes(step(defs, state, text(sentence), NOW).outcome));
  const unsureMisses = (corpora.crisis.unsure ?? []).filter((t) => !everywhere(t, ['askBack', 'crisis']));
  const dangerMisses = (corpora.crisis.danger ?? []).filter((t) => !everywhere(t, ['danger', 'crisis']));
  const negatives = corpora.crisis.negative.length;

  const needMisses: Evaluation['needs']['misses'] = [];
  for (const c of corpora.needs) {
    let turn = step(defs, null, { kind: 'follow' }, NOW);
    for (const before of c.after ?? []) turn = step(defs, stored(turn), text(before), NOW);
    turn = step(defs, stored(turn), text(c.say), NOW);
    let got = describe(turn);
    let expected = c.expect;
    if (got === c.expect && c.then) {
      turn = step(defs, stored(turn), text(c.then.say), NOW);
      got = `${got} → ${describe(turn)}`;
      expected = `${c.expect} → ${c.then.expect}`;
    }
    if (got !== expected) needMisses.push({ text: [...(c.after ?? []), c.say, ...(c.then ? [c.then.say] : [])].join(' / '), expected, got });
  }
  const cases = corpora.needs.length;
  return {
    crisis: {
      positives,
      detected,
      recall: positives === 0 ? 0 : detected / positives,
      negatives,
      falseAlarms,
      falsePositiveRate: negatives === 0 ? 0 : falseAlarms.length / negatives,
      precision: detected + falseAlarms.length === 0 ? 0 : detected / (detected + falseAlarms.length),
      misses,
      nodesChecked: states.length,
      unsureMisses,
      dangerMisses,
      unsure: corpora.crisis.unsure?.length ?? 0,
      danger: corpora.crisis.danger?.length ?? 0,
    },
    needs: { cases, correct: cases - needMisses.length, accuracy: cases === 0 ? 0 : (cases - needMisses.length) / cases, misses: needMisses },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function report(e: Evaluation): string {
  const lines = [
    'Crisis corpus (every phrasing typed by a new friend, at a question and at two answers):',
    `  positives ${e.crisis.positives}, recognised at all ${e.crisis.nodesChecked} places: ${e.crisis.detected}  recall ${pct(e.crisis.recall)}`,
    `  negatives ${e.crisis.negatives}, false alarms ${e.crisis.falseAlarms.length}  false-positive rate ${pct(e.crisis.falsePositiveRate)}  precision ${pct(e.crisis.precision)}`,
    ...e.crisis.misses.map((m) => `  MISS [${m.category}] ${m.text}  (at ${m.node})`),
    ...e.crisis.falseAlarms.map((t) => `  false alarm: ${t}`),
    `  unsure ${e.crisis.unsure}, asked back (or crisis) everywhere: ${e.crisis.unsure - e.crisis.unsureMisses.length}`,
    ...e.crisis.unsureMisses.map((t) => `  UNSURE MISS ${t}`),
    `  danger at home ${e.crisis.danger}, danger reply (or crisis) everywhere: ${e.crisis.danger - e.crisis.dangerMisses.length}`,
    ...e.crisis.dangerMisses.map((t) => `  DANGER MISS ${t}`),
    'Needs corpus (typed sentences → the node, question or answer they should reach):',
    `  cases ${e.needs.cases}, correct ${e.needs.correct}  accuracy ${pct(e.needs.accuracy)}`,
    ...e.needs.misses.map((m) => `  miss: ${m.text}  expected ${m.expected}, got ${m.got}`),
  ];
  return lines.join('\n');
}

export function projectDefinitionsAt(root: string): Definitions {
  return loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
}

export function evaluateProject(root: string): Evaluation {
  return evaluate(projectDefinitionsAt(root), loadCorpora(root));
}

/**
 * A held-out batch (test/understanding/held-out/): sentences written by someone who had not read the
 * lexicon or the dev corpora, committed before any change they led to.
 */
export interface HeldOutBatch {
  name: string;
  written: string;
  /** Must get the crisis reply. */
  crisis: string[];
  /** Violence or threats at home: must get the danger-at-home reply (or the crisis reply, which has 110). */
  danger: string[];
  /** Exhaustion or hopelessness without a clear intent: must be asked back (or get the crisis reply). */
  unsure: string[];
  /** Everyday sentences with the same words: must get neither the crisis nor the danger reply. */
  everyday: string[];
}

export function loadHeldOutBatches(root: string): HeldOutBatch[] {
  const dir = path.join(root, 'test', 'understanding', 'held-out');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const raw = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Partial<Record<keyof HeldOutBatch, unknown>>;
      const list = (key: keyof HeldOutBatch) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]).map(String) : []);
      return {
        name: file.replace(/\.yaml$/, ''),
        written: String(raw.written ?? ''),
        crisis: list('crisis'),
        danger: list('danger'),
        unsure: list('unsure'),
        everyday: list('everyday'),
      };
    });
}

/** How one batch fared: counts of sentences that reached what they must at every place tried. */
export interface HeldOutFigures {
  batch: string;
  crisis: { total: number; found: number; askedBack: number; misses: string[] };
  danger: { total: number; found: number; dangerReply: number; misses: string[] };
  unsure: { total: number; found: number; misses: string[] };
  everyday: { total: number; falseAlarms: string[]; askedBack: string[] };
  /** Mean time to read one sentence and build its reply, in microseconds. */
  microsPerMessage: number;
}

/** The outcome at every place tried, worst first: a sentence counts only where it works everywhere. */
function outcomesEverywhere(defs: Definitions, states: { state: unknown }[], sentence: string): string[] {
  return states.map(({ state }) => step(defs, state, text(sentence), NOW).outcome as string);
}

export function evaluateHeldOut(defs: Definitions, batch: HeldOutBatch): HeldOutFigures {
  const states = statesToTry(defs);
  let turns = 0;
  const started = process.hrtime.bigint();
  const run = (sentence: string) => {
    turns += states.length;
    return outcomesEverywhere(defs, states, sentence);
  };
  const crisisMisses: string[] = [];
  let crisisAsked = 0;
  for (const s of batch.crisis) {
    const outcomes = run(s);
    if (outcomes.every((o) => o === 'crisis')) continue;
    crisisMisses.push(s);
    if (outcomes.every((o) => o === 'crisis' || o === 'askBack')) crisisAsked++;
  }
  const dangerMisses: string[] = [];
  let dangerReply = 0;
  for (const s of batch.danger) {
    const outcomes = run(s);
    if (outcomes.every((o) => o === 'danger')) dangerReply++;
    if (!outcomes.every((o) => o === 'danger' || o === 'crisis')) dangerMisses.push(s);
  }
  const unsureMisses = batch.unsure.filter((s) => !run(s).every((o) => o === 'askBack' || o === 'crisis'));
  const falseAlarms: string[] = [];
  const askedBack: string[] = [];
  for (const s of batch.everyday) {
    const outcomes = run(s);
    if (outcomes.some((o) => o === 'crisis' || o === 'danger')) falseAlarms.push(s);
    else if (outcomes.some((o) => o === 'askBack')) askedBack.push(s);
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1000;
  return {
    batch: batch.name,
    crisis: { total: batch.crisis.length, found: batch.crisis.length - crisisMisses.length, askedBack: crisisAsked, misses: crisisMisses },
    danger: { total: batch.danger.length, found: batch.danger.length - dangerMisses.length, dangerReply, misses: dangerMisses },
    unsure: { total: batch.unsure.length, found: batch.unsure.length - unsureMisses.length, misses: unsureMisses },
    everyday: { total: batch.everyday.length, falseAlarms, askedBack },
    microsPerMessage: turns === 0 ? 0 : elapsed / turns,
  };
}

const ratio = (n: number, d: number) => `${n}/${d} (${d === 0 ? '-' : pct(n / d)})`;

/** One line of test/understanding/history.md's table, from a batch's figures. */
export function historyRow(f: HeldOutFigures, written: string, firstRun: string, lexicon: string): string {
  return `| ${f.batch} | ${written} | ${firstRun} | ${lexicon} | ${ratio(f.crisis.found, f.crisis.total)} | ${ratio(f.danger.found, f.danger.total)} | ${ratio(f.unsure.found, f.unsure.total)} | ${ratio(f.everyday.falseAlarms.length, f.everyday.total)} |`;
}

export interface FirstRun {
  batch: string;
  crisis: number;
  danger: number;
  unsure: number;
  falseAlarms: number;
}

/** The first-run figures kept in test/understanding/history.md (its table of `n/total` cells). */
export function loadFirstRuns(root: string): Map<string, FirstRun> {
  const file = path.join(root, 'test', 'understanding', 'history.md');
  const runs = new Map<string, FirstRun>();
  if (!fs.existsSync(file)) return runs;
  const count = (cell: string) => Number(/^\s*(\d+)\//.exec(cell)?.[1] ?? NaN);
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 8 || !/^\d{4}-\d{2}-\d{2}-/.test(cells[0]!)) continue;
    runs.set(cells[0]!, { batch: cells[0]!, crisis: count(cells[4]!), danger: count(cells[5]!), unsure: count(cells[6]!), falseAlarms: count(cells[7]!) });
  }
  return runs;
}

export function reportHeldOut(f: HeldOutFigures, first: FirstRun | undefined, verbose: boolean): string {
  const lines = [
    `Held-out batch ${f.batch}${first ? '' : ' (no first run recorded yet: this is its first run)'}:`,
    `  crisis found    ${ratio(f.crisis.found, f.crisis.total)}${first ? `  first run ${first.crisis}/${f.crisis.total}` : ''}  (asked back instead: ${f.crisis.askedBack})`,
    `  danger found    ${ratio(f.danger.found, f.danger.total)}${first ? `  first run ${first.danger}/${f.danger.total}` : ''}  (of them with the danger-at-home reply: ${f.danger.dangerReply})`,
    `  unsure asked    ${ratio(f.unsure.found, f.unsure.total)}${first ? `  first run ${first.unsure}/${f.unsure.total}` : ''}`,
    `  false alarms    ${ratio(f.everyday.falseAlarms.length, f.everyday.total)}${first ? `  first run ${first.falseAlarms}/${f.everyday.total}` : ''}  (asked back: ${f.everyday.askedBack.length})`,
    `  time per message ${f.microsPerMessage.toFixed(1)} µs`,
  ];
  if (verbose) {
    lines.push(...f.crisis.misses.map((s) => `  crisis miss: ${s}`));
    lines.push(...f.danger.misses.map((s) => `  danger miss: ${s}`));
    lines.push(...f.unsure.misses.map((s) => `  unsure miss: ${s}`));
    lines.push(...f.everyday.falseAlarms.map((s) => `  false alarm: ${s}`));
    lines.push(...f.everyday.askedBack.map((s) => `  asked back: ${s}`));
  }
  return lines.join('\n');
}

/**
 * How a batch does worse than its first run: fewer found in any list, or more false alarms than both
 * its first run and a tenth of its everyday sentences (the target).
 */
export function heldOutRegressions(f: HeldOutFigures, first: FirstRun): string[] {
  const out: string[] = [];
  if (f.crisis.found < first.crisis) out.push(`${f.batch}: crisis found ${f.crisis.found}, first run ${first.crisis}`);
  if (f.danger.found < first.danger) out.push(`${f.batch}: danger found ${f.danger.found}, first run ${first.danger}`);
  if (f.unsure.found < first.unsure) out.push(`${f.batch}: unsure asked ${f.unsure.found}, first run ${first.unsure}`);
  const allowed = Math.max(first.falseAlarms, Math.floor(f.everyday.total * 0.1));
  if (f.everyday.falseAlarms.length > allowed) out.push(`${f.batch}: false alarms ${f.everyday.falseAlarms.length}, allowed ${allowed}`);
  return out;
}
