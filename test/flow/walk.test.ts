/**
 * Walks the whole compiled machine (xstate/graph): every node is reachable, no node is a dead end,
 * every answer names a window with a phone number, and every reply of every state, for every input,
 * fits LINE's OpenAPI schema and documented limits.
 */
import path from 'node:path';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import type { AnyMachineSnapshot } from 'xstate';
import { loadDefinitions } from '../../src/files/definitions-files';
import { step, type ConversationState } from '../../src/domain/conversation';
import { reachingNumber } from '../../src/domain/render-reply';
import { encodePostback } from '../../src/domain/postback';
import { toLineMessages } from '../../src/line/to-line-messages';
import type { Input } from '../../src/domain/interpret-input';
import { checkMessageLimits } from '../support/line-limits';
import { loadLineSpec } from '../support/line-openapi-validator';

const root = path.resolve(__dirname, '..', '..');
const defs = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
const { machine, events, flow } = defs.flow;
const serializeState = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, context: s.context });
const traversal = { events, serializeState: serializeState as never };

const replyOperation = loadLineSpec().match('POST', '/v2/bot/message/reply');

/** A message that asks each FAQ (its first word) and each piece of small talk. */
const faqInputs: Input[] = [
  ...defs.content.faq.faqs.map((f) => ({ kind: 'text' as const, text: f.asks.words[0] ?? `${f.asks.patterns[0]!.stems[0]}${f.asks.patterns[0]!.endings[0]}` })),
  ...defs.content.faq.smallTalk.map((t) => ({ kind: 'text' as const, text: t.words[0]! })),
];

/** Instants that exercise open/closed, holidays, 年末年始, いばしょ day and the small hours. */
const instants = [
  '2026-11-25T01:00:00Z', // Wed 10:00
  '2026-11-23T02:00:00Z', // 勤労感謝の日
  '2026-12-22T05:00:00Z', // 4th Tuesday 14:00, during いばしょ
  '2026-12-31T18:00:00Z', // 1/1 03:00
  '2026-11-25T17:00:00Z', // Thu 02:00
  '2026-11-25T10:30:00Z', // Wed 19:30: every crisis line open
  '2026-12-31T14:00:00Z', // 12/31 23:00
  '2026-12-10T01:00:00Z', // the 10th: いのちの電話 8:00〜翌8:00
].map((s) => new Date(s));

function problemsOf(messages: unknown[]): string[] {
  const problems = checkMessageLimits(messages).map((issue) => JSON.stringify(issue));
  const validate = replyOperation.op?.validateBody;
  if (!validate) throw new Error('the vendored spec has no reply operation');
  problems.push(...validate({ replyToken: 'x'.repeat(32), messages }).map((issue) => JSON.stringify(issue)));
  return problems;
}

describe('the compiled flow', () => {
  test('every node is reachable from the start', () => {
    const reached = new Set(getShortestPaths(machine, traversal).map((p) => p.state.value as string));
    expect([...reached].sort()).toEqual(Object.keys(flow.nodes).sort());
  });

  test('no node is a dead end: each has a way out to another node', () => {
    const adjacency = getAdjacencyMap(machine, traversal);
    for (const entry of Object.values(adjacency)) {
      const here = entry.state.value;
      const exits = Object.values(entry.transitions).filter((t) => (t as { state: AnyMachineSnapshot }).state.value !== here);
      expect({ node: here, exits: exits.length > 0 }).toEqual({ node: here, exits: true });
    }
  });

  test('every answer names at least one window, and every window it names can be phoned', () => {
    for (const [id, node] of Object.entries(flow.nodes)) {
      if (node.kind !== 'answer') continue;
      expect({ id, windows: node.windows.length > 0 }).toEqual({ id, windows: true });
      for (const windowId of node.windows) {
        const { number } = reachingNumber(defs, defs.windowsById.get(windowId)!);
        expect(number).toMatch(/^0\d{1,4}-\d{1,4}-\d{3,6}$|^0\d{3}-\d{6}$/);
      }
    }
  });
});

describe('every reply of every state fits LINE', () => {
  const adjacency = getAdjacencyMap(machine, traversal);
  const states = Object.values(adjacency).map((entry) => entry.state);

  const inputsAt = (state: AnyMachineSnapshot): Input[] => {
    const node = flow.nodes[state.value as string]!;
    const taps: Input[] =
      node.kind === 'question'
        ? node.options.map((o) => ({ kind: 'postback', data: encodePostback({ kind: 'go', node: o.next, from: state.value as string }) }))
        : [];
    return [
      ...taps,
      ...flow.commands.map((c) => ({ kind: 'text' as const, text: c.label })),
      { kind: 'postback', data: 'back' },
      { kind: 'postback', data: 'do=more-crisis' },
      { kind: 'postback', data: encodePostback({ kind: 'moreWindows', node: state.value as string }) },
      ...defs.content.windows.map((w) => ({ kind: 'postback' as const, data: encodePostback({ kind: 'windowDetail', window: w.id }) })),
      { kind: 'text', text: 'よくわからない' },
      { kind: 'text', text: 'qwerty' },
      { kind: 'text', text: '死にたい' },
      // A crisis about someone else adds the family member's message (still at most 5 messages).
      { kind: 'text', text: '息子が死にたいと言っています' },
      // A sentence with a need but no audience (asks), and one with both (answers).
      { kind: 'text', text: 'お金のことで困っています' },
      { kind: 'text', text: '娘が部屋から出てこなくて、どう接したらいいか分からない' },
      { kind: 'postback', data: 'do=crisis-lines' },
      // Every FAQ answer and every small-talk answer of content/faq.yaml.
      ...faqInputs,
      { kind: 'nonText' },
      { kind: 'follow' },
    ];
  };

  test(`${states.length} states × inputs × ${instants.length} instants: schema, limits, and a way on`, () => {
    let checked = 0;
    for (const state of states) {
      const stored: ConversationState = { flowVersion: defs.flow.version, snapshot: { value: state.value as string, context: state.context } };
      for (const input of inputsAt(state)) {
        for (const now of instants) {
          const turn = step(defs, stored, input, now);
          const messages = toLineMessages(turn.reply);
          const where = `${String(state.value)} + ${JSON.stringify(input)} at ${now.toISOString()}`;
          expect({ where, problems: problemsOf(messages) }).toEqual({ where, problems: [] });
          expect({ where, hasChoices: turn.reply.choices.length > 0 }).toEqual({ where, hasChoices: true });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('every FAQ and small-talk input is answered as such (not as "not understood"), within LINE limits', () => {
    for (const input of faqInputs) {
      const turn = step(defs, null, input, instants[0]!);
      expect({ input, outcome: turn.outcome }).toEqual({ input, outcome: expect.stringMatching(/^(faq|smallTalk)$/) });
      expect(problemsOf(toLineMessages(turn.reply))).toEqual([]);
    }
  });

  test('a remembered need answered by each audience tap fits LINE too', () => {
    const asked = step(defs, null, { kind: 'text', text: 'お金のことで困っています' }, instants[0]!);
    const start = flow.nodes[flow.start]!;
    if (start.kind !== 'question') throw new Error('the start is a question');
    for (const option of start.options) {
      for (const now of instants) {
        const turn = step(defs, JSON.parse(JSON.stringify(asked.state)), { kind: 'postback', data: encodePostback({ kind: 'go', node: option.next, from: flow.start }) }, now);
        expect(problemsOf(toLineMessages(turn.reply))).toEqual([]);
      }
    }
  });
});
