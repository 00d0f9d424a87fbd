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
  const falseAlarms = corpora.crisis.negative.filter((t) => step(defs, null, text(t), NOW).outcome === 'crisis');
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
    'Needs corpus (typed sentences → the node, question or answer they should reach):',
    `  cases ${e.needs.cases}, correct ${e.needs.correct}  accuracy ${pct(e.needs.accuracy)}`,
    ...e.needs.misses.map((m) => `  miss: ${m.text}  expected ${m.expected}, got ${m.got}`),
  ];
  return lines.join('\n');
}

export function evaluateProject(root: string): Evaluation {
  const defs = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
  return evaluate(defs, loadCorpora(root));
}
