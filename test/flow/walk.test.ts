/**
 * Walks the conversation as a person can: from the first follow, every quick reply and every postback
 * button of every reply, as rendered for LINE, is tapped and goes through the real conversation step,
 * again and again until no new tap is left. It runs at instants that change what is open (a weekday in
 * hours, a night, a Sunday, a holiday, a day of いばしょ, the end of the year) and for people with and
 * without いばしょ reminders (who change as they tap お知らせを受け取る / 停止).
 *
 * The loader already checks the tree itself (every node reachable, every option and command leads to
 * a node, every answer names windows, labels ≤ 20 characters). What only running the turns shows is
 * proved here: every reply fits LINE's API and limits, offers a way on or back, and no button a reply
 * shows is stale when tapped; an old button tapped anywhere never breaks the step.
 */
import { step, type ConversationState, type Turn } from '../../src/domain/conversation';
import { decodePostback, encodePostback } from '../../src/domain/postback';
import type { Input } from '../../src/domain/interpret-input';
import { planRichMenu } from '../../src/domain/rich-menu-plan';
import { openStatus } from '../../src/domain/opening-hours';
import { toLineMessages } from '../../src/line/to-line-messages';
import { projectDefinitions } from '../support/fixtures';
import { checkMessageLimits, graphemeLength, utf16Length } from '../support/line-limits';
import { loadLineSpec } from '../support/line-openapi-validator';

const defs = projectDefinitions();
const { flow } = defs.flow;
const replyOperation = loadLineSpec().match('POST', '/v2/bot/message/reply');
/** The rich menu stays under every reply: its areas are taps too. */
const richMenuTaps = planRichMenu(defs).areas.map((area) => ({ label: `(menu) ${area.label}`, data: area.data }));

/** Instants (Tokyo time in the names) that change what is open, what is closed, and what いばしょ shows. */
const instants: Record<string, Date> = {
  'a weekday in hours (Wed 11/25 10:00)': new Date('2026-11-25T01:00:00Z'),
  'a night (Thu 11/26 02:00)': new Date('2026-11-25T17:00:00Z'),
  'a Sunday (11/29 11:00)': new Date('2026-11-29T02:00:00Z'),
  'a holiday (勤労感謝の日 11/23 11:00)': new Date('2026-11-23T02:00:00Z'),
  'a day of いばしょ, during it (Tue 12/22 14:00)': new Date('2026-12-22T05:00:00Z'),
  'the end of the year (12/31 23:00)': new Date('2026-12-31T14:00:00Z'),
  'New Year (1/1 03:00)': new Date('2026-12-31T18:00:00Z'),
};

type LineMessage = ReturnType<typeof toLineMessages>[number];
interface Tap {
  label: string;
  data: string;
}

/** Every postback a person can tap in these messages: quick replies and buttons or tappable text on cards. */
function tapsOf(messages: LineMessage[]): Tap[] {
  const taps: Tap[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    if (object.type === 'postback' && typeof object.data === 'string') taps.push({ label: String(object.label ?? ''), data: object.data });
    Object.values(object).forEach(visit);
  };
  visit(messages);
  return taps;
}

/** What is wrong with a reply: LINE's OpenAPI schema and limits, the limits named here, and a way on or back. */
function problemsOf(turn: Turn): string[] {
  const messages = toLineMessages(turn.reply);
  const problems = checkMessageLimits(messages).map((issue) => JSON.stringify(issue));
  const validate = replyOperation.op?.validateBody;
  if (!validate) throw new Error('the vendored spec has no reply operation');
  problems.push(...validate({ replyToken: 'x'.repeat(32), messages }).map((issue) => JSON.stringify(issue)));

  if (messages.length < 1 || messages.length > 5) problems.push(`${messages.length} messages (1 to 5 fit one reply)`);
  for (const message of messages) {
    if (message.type === 'text' && utf16Length(message.text) > 5000) problems.push(`a text of ${utf16Length(message.text)} characters (at most 5000)`);
  }
  const items = (messages[messages.length - 1]?.quickReply?.items ?? []).map((item) => item.action as { type: string; label?: string; data?: string });
  if (items.length > 13) problems.push(`${items.length} quick replies (at most 13)`);
  for (const tap of tapsOf(messages)) {
    if (graphemeLength(tap.label) > 20 && items.some((action) => action.data === tap.data)) {
      problems.push(`quick reply label "${tap.label}" is longer than 20 characters`);
    }
    if (Buffer.byteLength(tap.data) > 300) problems.push(`postback data of ${Buffer.byteLength(tap.data)} bytes (at most 300): ${tap.data}`);
  }
  // Never a dead end: a quick reply that goes somewhere (a node, or back to the last question).
  const waysOn = items.filter((item) => {
    const action = item.type === 'postback' && item.data ? decodePostback(item.data) : null;
    return action?.kind === 'go' || action?.kind === 'back';
  });
  if (waysOn.length === 0) problems.push(`no quick reply leads on or back (${items.map((item) => item.label).join(', ') || 'none at all'})`);
  return problems;
}

interface Walk {
  /** Each turn taken: where it came from and what it gave. */
  turns: { path: string[]; stored: ConversationState; subscribed: boolean; tap: Tap; turn: Turn }[];
  /** The reply to the follow event. */
  first: Turn;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Taps every postback of every reply reachable from the follow event, each (state, subscription, tap) once. */
function walkFrom(now: Date, subscribedAtStart: boolean): Walk {
  const first = step(defs, null, { kind: 'follow' }, now, { subscribed: subscribedAtStart });
  const turns: Walk['turns'] = [];
  const seen = new Set<string>();
  const queue: { path: string[]; stored: ConversationState; subscribed: boolean; turn: Turn }[] = [
    { path: ['(follow)'], stored: first.state, subscribed: subscribedAtStart, turn: first },
  ];
  while (queue.length > 0) {
    const here = queue.shift()!;
    for (const tap of [...tapsOf(toLineMessages(here.turn.reply)), ...richMenuTaps]) {
      const key = JSON.stringify([here.stored, here.subscribed, tap.data]);
      if (seen.has(key)) continue;
      seen.add(key);
      const path = [...here.path, tap.label];
      let turn: Turn;
      try {
        // Stored and read back as the store does: JSON.
        turn = step(defs, copy(here.stored), { kind: 'postback', data: tap.data }, now, { subscribed: here.subscribed });
      } catch (error) {
        throw new Error(`${path.join(' → ')} at ${now.toISOString()}: the step threw: ${(error as Error).stack}`);
      }
      turns.push({ path, stored: here.stored, subscribed: here.subscribed, tap, turn });
      const subscribed = turn.subscription === 'subscribe' ? true : turn.subscription === 'unsubscribe' ? false : here.subscribed;
      queue.push({ path, stored: turn.state, subscribed, turn });
    }
  }
  return { turns, first };
}

const walks = Object.entries(instants).flatMap(([name, now]) =>
  [false, true].map((subscribed) => ({ name: `${name}, ${subscribed ? 'receiving' : 'not receiving'} いばしょ reminders`, now, subscribed })),
);
const results = new Map<string, Walk>();
const walkOf = (w: (typeof walks)[number]): Walk => {
  if (!results.has(w.name)) results.set(w.name, walkFrom(w.now, w.subscribed));
  return results.get(w.name)!;
};

describe.each(walks)('every tap from the start: $name', (w) => {
  test('every reply fits LINE, offers a way on or back, and no button it shows is stale', () => {
    const { turns, first } = walkOf(w);
    expect(problemsOf(first)).toEqual([]);
    for (const { path, tap, turn } of turns) {
      const where = `${path.join(' → ')} (${tap.data})`;
      expect({ where, problems: problemsOf(turn) }).toEqual({ where, problems: [] });
      expect({ where, outcome: turn.outcome }).toEqual({ where, outcome: expect.not.stringMatching(/^(staleButton|reset)$/) });
    }
  });

  test('the taps reach every node, the window details, the phone list, and the reminder and notice turns', () => {
    const { turns } = walkOf(w);
    expect(new Set(turns.map((t) => t.turn.node))).toEqual(new Set(Object.keys(flow.nodes)));
    const outcomes = new Set(turns.map((t) => t.turn.outcome));
    for (const outcome of ['question', 'answer', 'directory', 'moreWindows', 'windowDetail', 'forwardCard', 'subscribed', 'unsubscribed', 'reminderSettings'] as const) {
      expect({ outcome, reached: outcomes.has(outcome) }).toEqual({ outcome, reached: true });
    }
    // お知らせを受け取る / 停止 change the subscription exactly when it changes something.
    for (const { turn, subscribed, path } of turns) {
      const expected = turn.outcome === 'subscribed' && !subscribed ? 'subscribe' : turn.outcome === 'unsubscribed' && subscribed ? 'unsubscribe' : undefined;
      expect({ path, subscription: turn.subscription }).toEqual({ path, subscription: expected });
    }
    expect(turns.some((t) => t.turn.subscription === (w.subscribed ? 'unsubscribe' : 'subscribe'))).toBe(true);
    // The forward card is offered under いばしょ to families only, and its message fits.
    const forwardCards = turns.filter((t) => t.turn.outcome === 'forwardCard');
    for (const { stored, path } of forwardCards) {
      const node = flow.nodes[stored.snapshot.value];
      expect({ path, at: node?.kind === 'answer' && node.audience === 'family' && node.windows.includes(defs.ibasho.window) }).toEqual({ path, at: true });
    }
  });

  test('開いたらお知らせ is offered exactly where a window shown is closed, and tapping it plans one push for when it opens', () => {
    const { turns } = walkOf(w);
    const notices = turns.filter((t) => t.tap.data.startsWith('do=notify-open'));
    for (const { turn, path } of notices) {
      expect({ path, outcome: turn.outcome }).toEqual({ path, outcome: 'openNotice' });
      expect({ path, sendAt: (turn.openNotification?.sendAt ?? 0) > w.now.getTime() }).toEqual({ path, sendAt: true });
      expect(turn.reply.choices.some((c) => c.action.kind === 'notifyOpen')).toBe(false);
    }
    // Under every answer: offered if and only if one of its windows is closed now and opens later, and for such a window.
    for (const { turn, path } of turns.filter((t) => t.turn.outcome === 'answer')) {
      const answer = flow.nodes[turn.node];
      if (answer?.kind !== 'answer') throw new Error(`${turn.node} is an answer`);
      const closedNow = answer.windows.filter((id) => {
        const window = defs.windowsById.get(id)!;
        if ('unknown' in window.hours) return false;
        const status = openStatus(window.hours.value, w.now);
        return status.kind === 'closed' && status.nextOpen !== null;
      });
      const offered = turn.reply.choices.flatMap((c) => (c.action.kind === 'notifyOpen' ? [c.action.window] : []));
      expect({ path, offered: offered.length > 0 }).toEqual({ path, offered: closedNow.length > 0 });
      for (const id of offered) expect({ path, closed: closedNow.includes(id) }).toEqual({ path, closed: true });
    }
  });
});

test('during office hours nothing offers 開いたらお知らせ for an open window, and at night it is offered', () => {
  const day = walkOf(walks.find((w) => w.now === instants['a weekday in hours (Wed 11/25 10:00)'] && !w.subscribed)!);
  const night = walkOf(walks.find((w) => w.now === instants['a night (Thu 11/26 02:00)'] && !w.subscribed)!);
  expect(night.turns.some((t) => t.turn.openNotification)).toBe(true);
  const dayNow = instants['a weekday in hours (Wed 11/25 10:00)']!;
  let offeredByDay = 0;
  for (const { turn } of day.turns) {
    for (const choice of turn.reply.choices) {
      if (choice.action.kind !== 'notifyOpen') continue;
      offeredByDay++;
      const window = defs.windowsById.get(choice.action.window)!;
      // Offered only for a window whose hours are known and that is closed at this very instant.
      const closed = !('unknown' in window.hours) && openStatus(window.hours.value, dayNow).kind === 'closed';
      expect({ window: window.id, closed }).toEqual({ window: window.id, closed: true });
    }
  }
  // By day, the windows with known hours are open: nothing offers the notice.
  expect(offeredByDay).toBe(0);
});

describe('an old button tapped anywhere', () => {
  /** Every distinct tap any walk met. */
  const allTaps = (): Tap[] => {
    const taps = new Map<string, Tap>();
    for (const w of walks) for (const { tap } of walkOf(w).turns) taps.set(tap.data, tap);
    return [...taps.values()];
  };
  const answerNode = Object.keys(flow.nodes).find((id) => flow.nodes[id]!.kind === 'answer')!;
  const states: Record<string, unknown> = {
    'no state': null,
    'the start': { flowVersion: defs.flow.version, snapshot: { value: flow.start, context: { lastQuestion: flow.start } } },
    'an answer': { flowVersion: defs.flow.version, snapshot: { value: answerNode, context: { lastQuestion: null } } },
    'a state of an older flow': { flowVersion: 'guide@0', snapshot: { value: 'gone', context: { lastQuestion: 'gone' } } },
    'a corrupt state': { snapshot: 42 },
  };

  test.each(Object.keys(states))('at %s: answered within LINE limits with a way on, never a crash', (name) => {
    const taps = allTaps();
    expect(taps.length).toBeGreaterThan(20);
    for (const now of Object.values(instants)) {
      for (const tap of taps) {
        const turn = step(defs, copy(states[name]), { kind: 'postback', data: tap.data }, now, { subscribed: false });
        const where = `${tap.label} (${tap.data}) at ${now.toISOString()}`;
        expect({ where, problems: problemsOf(turn) }).toEqual({ where, problems: [] });
      }
    }
  });

  test('buttons that name a node or window that no longer exists restart kindly', () => {
    for (const data of ['go=gone&from=start', 'do=more&n=gone', 'do=detail&w=gone', 'go=', 'nonsense']) {
      const turn = step(defs, null, { kind: 'postback', data }, instants['a weekday in hours (Wed 11/25 10:00)']!);
      expect({ data, problems: problemsOf(turn) }).toEqual({ data, problems: [] });
      // Kindly: the stale-button sentence, then the first question, where the person is put back.
      expect({ data, outcome: turn.outcome, node: turn.node }).toEqual({ data, outcome: 'staleButton', node: flow.start });
      const first = turn.reply.messages[0];
      expect({ data, first: first?.kind === 'text' ? first.text : null }).toEqual({ data, first: defs.content.phrases.staleButton });
    }
    // A notice for a window that does not exist is answered where the person is, saying it cannot be set.
    const notify = step(defs, null, { kind: 'postback', data: 'do=notify-open&w=gone' }, instants['a weekday in hours (Wed 11/25 10:00)']!);
    expect(problemsOf(notify)).toEqual([]);
    expect(notify.outcome).toBe('openNotice');
  });
});

describe('typed words at every state the taps reach', () => {
  /** A message that asks each FAQ (its first word) and each piece of small talk. */
  const faqInputs: Input[] = [
    ...defs.content.faq.faqs.map((f) => ({ kind: 'text' as const, text: f.asks.words[0] ?? `${f.asks.patterns[0]!.stems[0]}${f.asks.patterns[0]!.endings[0]}` })),
    ...defs.content.faq.smallTalk.map((t) => ({ kind: 'text' as const, text: t.words[0]! })),
  ];
  const typed: Input[] = [
    ...flow.commands.map((c) => ({ kind: 'text' as const, text: c.label })),
    { kind: 'text', text: 'よくわからない' },
    { kind: 'text', text: 'qwerty' },
    { kind: 'text', text: '死にたい' },
    // A crisis about someone else adds the family member's message (still at most 5 messages).
    { kind: 'text', text: '息子が死にたいと言っています' },
    // A sentence with a need but no audience (asks), and one with both (answers).
    { kind: 'text', text: 'お金のことで困っています' },
    { kind: 'text', text: '娘が部屋から出てこなくて、どう接したらいいか分からない' },
    ...faqInputs,
    { kind: 'nonText' },
    { kind: 'follow' },
  ];

  test.each(Object.entries(instants))('%s: every reply fits LINE and offers a way on', (_name, now) => {
    const walk = walkOf(walks.find((w) => w.now === now && !w.subscribed)!);
    const states = new Map(walk.turns.map((t) => [JSON.stringify(t.turn.state), t.turn.state]));
    for (const state of states.values()) {
      for (const input of typed) {
        const turn = step(defs, copy(state), input, now);
        const where = `${state.snapshot.value} + ${JSON.stringify(input)}`;
        expect({ where, problems: problemsOf(turn) }).toEqual({ where, problems: [] });
      }
    }
  });

  test('every FAQ and small-talk input is answered as such (not as "not understood")', () => {
    for (const input of faqInputs) {
      const turn = step(defs, null, input, instants['a weekday in hours (Wed 11/25 10:00)']!);
      expect({ input, outcome: turn.outcome }).toEqual({ input, outcome: expect.stringMatching(/^(faq|smallTalk)$/) });
    }
  });

  test('a need typed before the audience is answered by each audience tap, within LINE limits', () => {
    const start = flow.nodes[flow.start]!;
    if (start.kind !== 'question') throw new Error('the start is a question');
    for (const now of Object.values(instants)) {
      const asked = step(defs, null, { kind: 'text', text: 'お金のことで困っています' }, now);
      expect(asked.outcome).toBe('askAudience');
      for (const option of start.options) {
        const turn = step(defs, copy(asked.state), { kind: 'postback', data: encodePostback({ kind: 'go', node: option.next, from: flow.start }) }, now);
        expect({ option: option.label, outcome: turn.outcome }).toEqual({ option: option.label, outcome: expect.stringMatching(/^(answer|directory)$/) });
        expect(problemsOf(turn)).toEqual([]);
      }
    }
  });
});
