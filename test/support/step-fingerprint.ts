/**
 * A fingerprint of step(): every node × (each of its buttons, typed sentences of the corpora, a follow, a
 * sticker, stale postbacks) × instants × with and without reminders, hashed. Run before and after a
 * refactor of the conversation: the same hash means the same turns. `node scripts/start.mjs ../test/support/step-fingerprint`
 * With `--line`, hashes the LINE messages of each turn's reply instead (toLineMessages): the same hash
 * means LINE receives the same messages, for a refactor that moves work between the domain and LINE's renderer.
 */
import { createHash } from 'node:crypto';
import { step } from '../../src/domain/conversation';
import { encodePostback } from '../../src/domain/postback';
import { choicesFor } from '../../src/domain/quick-replies';
import { toLineMessages } from '../../src/line/to-line-messages';
import type { Input } from '../../src/domain/interpret-input';
import { loadCorpora, loadHeldOutBatches, projectDefinitionsAt, projectRoot } from './understanding-eval';

const root = projectRoot(__dirname);
const defs = projectDefinitionsAt(root);
const corpora = loadCorpora(root);
const typed = [
  ...Object.values(corpora.crisis.positive).flat().filter((_, i) => i % 5 === 0),
  ...corpora.crisis.negative.filter((_, i) => i % 3 === 0),
  ...(corpora.crisis.unsure ?? []),
  ...(corpora.crisis.danger ?? []),
  ...corpora.needs.map((c) => c.say),
  ...loadHeldOutBatches(root).filter((b) => b.name <= '2026-12-08-batch-3').flatMap((b) => [...b.crisis, ...b.danger, ...b.unsure, ...b.everyday]).filter((_, i) => i % 4 === 0),
  'はい', 'いいえ', 'うん', 'そこまでではない', '話を聞いてほしい', 'qwerty', '',
];
const instants = ['2026-11-25T01:00:00Z', '2026-11-25T17:00:00Z', '2026-11-29T02:00:00Z', '2026-12-22T05:00:00Z', '2026-12-31T18:00:00Z'].map((t) => new Date(t));
const lineOnly = process.argv.includes('--line');
const hash = createHash('sha256');
let turns = 0;
const nodes = Object.keys(defs.flow.flow.nodes);
for (const now of instants) {
  for (const subscribed of [false, true]) {
    for (const node of nodes) {
      const question = Object.entries(defs.flow.flow.nodes).find(([, q]) => q.kind === 'question' && q.options.some((o) => o.next === node))?.[0] ?? node;
      const states: unknown[] = [
        { flowVersion: defs.flow.version, snapshot: { value: node, context: { lastQuestion: question } } },
        { flowVersion: defs.flow.version, snapshot: { value: node, context: { lastQuestion: question, askedBack: true } } },
      ];
      const choices = choicesFor(defs, { node, subscribed, now }, { kind: 'node' });
      const inputs: Input[] = [
        { kind: 'follow' },
        { kind: 'nonText' },
        { kind: 'postback', data: 'go=nowhere&from=start' },
        { kind: 'postback', data: 'do=asked-back&a=yes' },
        { kind: 'postback', data: 'do=asked-back&a=listen' },
        { kind: 'postback', data: 'do=more-crisis' },
        ...choices.map((c) => ({ kind: 'postback' as const, data: encodePostback(c.action) })),
        ...(node === nodes[0] || node === 'family' || node === 'self-health' ? typed.map((text) => ({ kind: 'text' as const, text })) : typed.slice(0, 40).map((text) => ({ kind: 'text' as const, text }))),
      ];
      for (const state of states) {
        for (const input of inputs) {
          const turn = step(defs, state, input, now, { subscribed });
          hash.update(JSON.stringify(lineOnly ? toLineMessages(turn.reply) : turn));
          turns++;
        }
      }
    }
  }
}
process.stdout.write(`${turns} turns, sha256 ${hash.digest('hex')}\n`);
