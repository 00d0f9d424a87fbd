import { transition } from 'xstate';
import { step, type ConversationState, type Turn } from '../../src/domain/conversation';
import { encodePostback } from '../../src/domain/postback';
import type { Input } from '../../src/domain/interpret-input';
import type { ReplyMessage } from '../../src/domain/reply';
import { projectDefinitions } from '../support/fixtures';

// The real flows/ and content/, at a fixed time: Wednesday 2026-11-25 10:00 JST.
const defs = projectDefinitions();
const phrases = defs.content.phrases;
const NOW = new Date('2026-11-25T10:00:00+09:00');

const text = (t: string): Input => ({ kind: 'text', text: t });
const postback = (data: string): Input => ({ kind: 'postback', data });
const follow: Input = { kind: 'follow' };

/** As the store keeps it: plain JSON. */
const stored = (state: ConversationState): unknown => JSON.parse(JSON.stringify(state));

/** Runs inputs from a fresh conversation (after follow), returning the last turn. */
function talk(...inputs: Input[]): Turn {
  let turn = step(defs, null, follow, NOW);
  for (const input of inputs) turn = step(defs, stored(turn.state), input, NOW);
  return turn;
}

const texts = (messages: ReplyMessage[]) => messages.filter((m) => m.kind === 'text').map((m) => (m as { text: string }).text);
/** Every text a reply shows: its text messages and the lines of its cards. */
const shownTexts = (messages: ReplyMessage[]) =>
  messages.flatMap((m) => (m.kind === 'text' ? [m.text] : m.cards.flatMap((c) => c.lines.map((l) => l.text))));
const telNumbers = (messages: ReplyMessage[]) =>
  messages.flatMap((m) => (m.kind === 'cards' ? m.cards.flatMap((c) => c.lines.flatMap((l) => (l.buttons ?? []).flatMap((b) => (b.kind === 'tel' ? [b.number] : [])))) : []));
/** The 24-hour line every not-understood reply carries (crisis.yaml's notUnderstoodLine). */
const allDayLine = () => defs.content.crisis.lines.find((l) => l.id === defs.content.crisis.notUnderstoodLine)!;
const cardTitles = (messages: ReplyMessage[]) =>
  messages.flatMap((m) => (m.kind === 'cards' ? m.cards.map((c) => c.title) : []));
const windowName = (id: string) => defs.windowsById.get(id)!.name;
const prompt = (node: string) => (defs.flow.flow.nodes[node] as { prompt: string }).prompt;

describe('follow', () => {
  test('follow → greets and asks the start question, offering 本人 and 家族', () => {
    const turn = step(defs, null, follow, NOW);

    expect(turn.outcome).toBe('greeted');
    expect(texts(turn.reply.messages)).toEqual([phrases.greeting, prompt('start')]);
    const labels = turn.reply.choices.map((c) => c.label);
    expect(labels.some((l) => l.includes('本人'))).toBe(true);
    expect(labels.some((l) => l.includes('家族'))).toBe(true);
    expect(turn.state).toEqual({ flowVersion: defs.flow.version, snapshot: { value: 'start', context: { lastQuestion: 'start' } } });
    expect(turn.node).toBe('start');
  });

  test('the start question offers no 最初から button (it is the start)', () => {
    const turn = step(defs, null, follow, NOW);
    expect(turn.reply.choices.map((c) => c.label)).not.toContain(phrases.quickReply.restart);
  });

  test('follow again (unblock) deep in a conversation → greeted at the start, without a reset notice', () => {
    const deep = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const turn = step(defs, stored(deep.state), follow, NOW);
    expect(turn.outcome).toBe('greeted');
    expect(turn.state.snapshot.value).toBe('start');
    expect(texts(turn.reply.messages)).not.toContain(phrases.resetNotice);
  });
});

describe('choosing options', () => {
  test('本人 → self question, with 最初から offered', () => {
    const turn = talk(postback('go=self&from=start'));
    expect(turn.outcome).toBe('question');
    expect(texts(turn.reply.messages)).toEqual([prompt('self')]);
    expect(turn.reply.choices.at(-1)).toEqual({ label: phrases.quickReply.restart, action: { kind: 'go', node: 'start' } });
    expect(turn.state.snapshot).toEqual({ value: 'self', context: { lastQuestion: 'self' } });
  });

  test('本人 → 話を聞いてほしい → an answer with the windows of self-talk, and the after-answer buttons', () => {
    const turn = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    expect(turn.outcome).toBe('answer');
    expect(turn.state.snapshot).toEqual({ value: 'self-talk', context: { lastQuestion: 'self' } });
    // Two windows and the card of ways without a call; the other two windows behind ほかの窓口も見る.
    expect(cardTitles(turn.reply.messages)).toEqual([...['concierge', 'tokyo-hss'].map(windowName), phrases.otherWays.title]);
    expect(turn.reply.choices.map((c) => c.label)).toEqual([
      phrases.quickReply.moreWindows,
      phrases.quickReply.other,
      phrases.quickReply.ibasho,
      phrases.quickReply.restart,
    ]);
    expect(texts(turn.reply.messages).at(-1)).toBe(phrases.answerOutro);

    const more = step(defs, stored(turn.state), { kind: 'postback', data: 'do=more&n=self-talk' }, NOW);
    expect(more.outcome).toBe('moreWindows');
    expect(more.state).toEqual(turn.state);
    expect(cardTitles(more.reply.messages)).toEqual(['hokenyobo', 'himonya'].map(windowName));
    expect(more.reply.choices.map((c) => c.label)).not.toContain(phrases.quickReply.moreWindows);
  });

  test('an answer opens with a sentence that does not push the phone; ways without a call come with their URIs', () => {
    const turn = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    expect(texts(turn.reply.messages)[0]).toBe(phrases.answerIntro);
    expect(texts(turn.reply.messages)[0]).not.toContain('電話のボタン');
    const ways = turn.reply.messages.flatMap((m) => (m.kind === 'cards' ? m.cards : [])).find((c) => c.title === phrases.otherWays.title)!;
    const uris = ways.lines.flatMap((l) => l.buttons ?? []).map((b) => (b.kind === 'uri' ? b.uri : null));
    // サポートネット's mail is on its own card, next to its call button, so the card of ways has the LINE chat only.
    expect(uris).toEqual([defs.content.crisis.chat[0]!.url]);
    const hss = turn.reply.messages.flatMap((m) => (m.kind === 'cards' ? m.cards : [])).find((c) => c.title === windowName('tokyo-hss'))!;
    expect(hss.buttons.map((b) => b.kind)).toEqual(['tel', 'uri', 'postback']);
    expect(hss.buttons[1]).toEqual({ kind: 'uri', label: 'メールで相談する', uri: 'https://www.hikikomori-tokyo.jp/howto/index.php' });
  });

  test('くわしく見る on a card → that window in full (notes, area), the state kept', () => {
    const answer = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const turn = step(defs, stored(answer.state), { kind: 'postback', data: 'do=detail&w=hokenyobo' }, NOW);
    expect(turn.outcome).toBe('windowDetail');
    expect(turn.state).toEqual(answer.state);
    expect(cardTitles(turn.reply.messages)).toEqual([windowName('hokenyobo')]);
    const lines = turn.reply.messages.flatMap((m) => (m.kind === 'cards' ? m.cards[0]!.lines.map((l) => l.text) : []));
    expect(lines).toContain(defs.windowsById.get('hokenyobo')!.area!.value);
    // A call is the only way into 保健予防課: only here does the bot say how the call button works.
    expect(texts(turn.reply.messages)).toEqual([phrases.callHint]);
  });

  test('typed 家族 then typed 母の介護が心配です → the family-care answer', () => {
    const turn = talk(text('家族'), text('母の介護が心配です'));
    expect(turn.state.snapshot.value).toBe('family-care');
    expect(cardTitles(turn.reply.messages)).toEqual([...['houkatsu', 'concierge'].map(windowName), phrases.otherWays.title]);
    expect(texts(turn.reply.messages)[0]).toBe(phrases.answerLeads['family-care']);
  });

  test('最初から from deep in the flow → a short restart line and the start question', () => {
    const turn = talk(text('本人'), text('仕事'), postback('go=start'));
    expect(turn.state.snapshot.value).toBe('start');
    expect(texts(turn.reply.messages)).toEqual([phrases.restartIntro, prompt('start')]);
  });
});

describe('a stale button still does what its label says', () => {
  test('a family option tapped while at self-talk → family-groups, as if tapped on the family question', () => {
    const atSelfTalk = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const turn = step(defs, stored(atSelfTalk.state), postback('go=family-groups&from=family'), NOW);

    expect(turn.outcome).toBe('answer');
    expect(turn.state.snapshot).toEqual({ value: 'family-groups', context: { lastQuestion: 'family' } });
    expect(cardTitles(turn.reply.messages)).toEqual([...['shakyo', 'oyanokai'].map(windowName), phrases.otherWays.title]);
    expect(texts(turn.reply.messages)).not.toContain(phrases.staleButton);
  });

  test('after it, ほかの相談を見る returns to the family question it came from', () => {
    const atSelfTalk = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const stale = step(defs, stored(atSelfTalk.state), postback('go=family-groups&from=family'), NOW);
    const turn = step(defs, stored(stale.state), postback('back'), NOW);
    expect(turn.state.snapshot.value).toBe('family');
    expect(texts(turn.reply.messages)).toEqual([prompt('family')]);
  });

  test('a button whose question does not offer that target → the stale-button phrase and the start question', () => {
    const turn = talk(text('本人'), postback('go=family-groups&from=self'));
    expect(turn.outcome).toBe('staleButton');
    expect(turn.state.snapshot.value).toBe('start');
    expect(texts(turn.reply.messages)).toEqual([phrases.staleButton, prompt('start')]);
  });

  test('a button naming a node that no longer exists → the stale-button phrase and the start question', () => {
    const turn = talk(text('本人'), postback('go=self-old&from=self'));
    expect(turn.outcome).toBe('staleButton');
    expect(turn.state.snapshot.value).toBe('start');
    expect(texts(turn.reply.messages)[0]).toBe(phrases.staleButton);
  });

  test('a button naming an origin that is not a node (from=constructor) → stale, not a crash', () => {
    const atSelfTalk = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const turn = step(defs, stored(atSelfTalk.state), postback('go=family-groups&from=constructor'), NOW);
    expect(turn.outcome).toBe('staleButton');
  });
});

describe('corrupt or outdated stored state', () => {
  const version = defs.flow.version;
  const corrupt: [string, unknown][] = [
    ['a null snapshot', { flowVersion: version, snapshot: null }],
    ['a missing snapshot', { flowVersion: version }],
    ['an unknown node', { flowVersion: version, snapshot: { value: 'no-such-node', context: { lastQuestion: 'self' } } }],
    ['a prototype key as node', { flowVersion: version, snapshot: { value: 'constructor', context: { lastQuestion: null } } }],
    ['a wrong flowVersion', { flowVersion: 'guide@0', snapshot: { value: 'self', context: { lastQuestion: 'self' } } }],
    ['no flowVersion', { snapshot: { value: 'self', context: { lastQuestion: 'self' } } }],
    ['a string', 'garbage'],
    ['a number', 42],
    ['an array', []],
    ['a node value that is not a string', { flowVersion: version, snapshot: { value: { self: {} }, context: {} } }],
  ];

  test.each(corrupt)('%s + a typed word → back at the start with the reset notice first', (_name, state) => {
    const turn = step(defs, state, text('こんにちは'), NOW);
    expect(texts(turn.reply.messages)[0]).toBe(phrases.resetNotice);
    expect(turn.state).toEqual({ flowVersion: version, snapshot: { value: 'start', context: { lastQuestion: 'start' } } });
    expect(turn.reply.choices.length).toBeGreaterThan(0);
  });

  test.each(corrupt)('%s + a button → never throws, the reset notice comes first, outcome reset', (_name, state) => {
    let turn: Turn | undefined;
    expect(() => {
      turn = step(defs, state, postback('go=self&from=start'), NOW);
    }).not.toThrow();
    expect(turn!.outcome).toBe('reset');
    expect(texts(turn!.reply.messages)[0]).toBe(phrases.resetNotice);
    expect(turn!.state.flowVersion).toBe(version);
  });

  test.each(corrupt)('%s + follow → the reset notice, then the greeting and the start question', (_name, state) => {
    const turn = step(defs, state, follow, NOW);
    expect(texts(turn.reply.messages)).toEqual([phrases.resetNotice, phrases.greeting, prompt('start')]);
    expect(turn.state.snapshot.value).toBe('start');
  });

  test('a stored lastQuestion that is not a question is dropped: ほかの相談を見る then goes to the start', () => {
    const state = { flowVersion: version, snapshot: { value: 'self-talk', context: { lastQuestion: 'self-talk' } } };
    const turn = step(defs, state, postback('back'), NOW);
    expect(turn.state.snapshot.value).toBe('start');
  });
});

describe('crisis words', () => {
  test('死にたい at an answer → crisis lines, and the state is kept as it was', () => {
    const before = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const turn = step(defs, stored(before.state), text('もう死にたい'), NOW);

    expect(turn.outcome).toBe('crisis');
    expect(turn.state).toEqual(before.state);
    // One message: a single card whose first line is the sentence of care with 119 and 110.
    expect(turn.reply.messages).toHaveLength(1);
    const [card] = turn.reply.messages.flatMap((m) => (m.kind === 'cards' ? m.cards : []));
    expect(card!.lines[0]!.text).toBe(phrases.crisisIntro);
    expect(card!.lines[0]!.buttons!.map((b) => (b.kind === 'tel' ? b.number : ''))).toEqual(['119', '110']);
    expect(turn.reply.choices).toEqual([
      { label: phrases.quickReply.moreCrisis, action: { kind: 'moreCrisis' } },
      { label: phrases.quickReply.menu, action: { kind: 'go', node: 'start' } },
    ]);
  });

  test('after a crisis reply, ほかの相談を見る still returns to the question before it', () => {
    const before = talk(postback('go=self&from=start'), postback('go=self-talk&from=self'));
    const crisis = step(defs, stored(before.state), text('消えたい'), NOW);
    const turn = step(defs, stored(crisis.state), postback('back'), NOW);
    expect(turn.state.snapshot.value).toBe('self');
  });

  test('crisis at the start question keeps the person at the start', () => {
    const turn = talk(text('自殺'));
    expect(turn.outcome).toBe('crisis');
    expect(turn.state.snapshot.value).toBe('start');
  });
});

describe('ほかの相談を見る (back)', () => {
  test('from an answer → the last question shown', () => {
    const turn = talk(text('家族'), postback('go=family-groups&from=family'), postback('back'));
    expect(turn.outcome).toBe('question');
    expect(turn.state.snapshot).toEqual({ value: 'family', context: { lastQuestion: 'family' } });
    expect(texts(turn.reply.messages)).toEqual([prompt('family')]);
  });

  test('typed ほかの相談を見る works like the button', () => {
    const turn = talk(text('家族'), postback('go=family-groups&from=family'), text('ほかの相談を見る'));
    expect(turn.state.snapshot.value).toBe('family');
  });

  test('from the phone list reached by typing 電話 at the self question → back to the self question', () => {
    const turn = talk(text('本人'), text('電話'), postback('back'));
    expect(turn.state.snapshot.value).toBe('self');
  });

  test('at the start → stays at the start', () => {
    const turn = talk(postback('back'));
    expect(turn.state.snapshot.value).toBe('start');
  });
});

describe('replies that do not move the person', () => {
  test('unknown text at the family question → fallback with the crisis lines one tap away, same place, the family options again', () => {
    const before = talk(text('家族'));
    const turn = step(defs, stored(before.state), text('qwerty'), NOW);
    expect(turn.outcome).toBe('unrecognized');
    expect(turn.typed).toBe('notUnderstood');
    expect(turn.state).toEqual(before.state);
    expect(shownTexts(turn.reply.messages)[0]).toBe(phrases.fallbackText);
    // A 24-hour line with its call button in the message itself: nobody has to tap twice to see a number.
    expect(telNumbers(turn.reply.messages)).toEqual([allDayLine().phone]);
    expect(shownTexts(turn.reply.messages)[1]).toContain(allDayLine().phone);
    expect(turn.reply.choices[0]).toEqual({ label: phrases.quickReply.crisisLines, action: { kind: 'crisisLines' } });
    expect(turn.reply.choices.slice(1).map((c) => c.label)).toEqual(before.reply.choices.map((c) => c.label));
  });

  test('small talk (こんにちは) at the family question → a short answer, same place, the family options again', () => {
    const before = talk(text('家族'));
    const turn = step(defs, stored(before.state), text('こんにちは'), NOW);
    expect(turn.outcome).toBe('smallTalk');
    expect(turn.typed).toBe('understood');
    expect(turn.state).toEqual(before.state);
    expect(texts(turn.reply.messages)).not.toContain(phrases.fallbackText);
    expect(turn.reply.choices.map((c) => c.label)).toEqual(before.reply.choices.map((c) => c.label));
  });

  test('a sticker at an answer → the nonText phrase, same place, after-answer buttons', () => {
    const before = talk(text('本人'), text('仕事'));
    const turn = step(defs, stored(before.state), { kind: 'nonText' }, NOW);
    expect(turn.outcome).toBe('nonText');
    expect(turn.state).toEqual(before.state);
    expect(shownTexts(turn.reply.messages)[0]).toBe(phrases.nonText);
    expect(telNumbers(turn.reply.messages)).toEqual([allDayLine().phone]);
    expect(turn.reply.choices.map((c) => c.label)).toContain(phrases.quickReply.other);
    expect(turn.reply.choices.map((c) => c.label)).toContain(phrases.quickReply.crisisLines);
  });
});

describe('needs typed as sentences', () => {
  test('need and audience in one sentence → the answer directly, as if tapped', () => {
    const turn = talk(text('息子が何年も部屋から出てこなくて、どう話せばいいか分からない'));
    expect(turn.outcome).toBe('answer');
    expect(turn.typed).toBe('understood');
    expect(turn.state.snapshot).toEqual({ value: 'family-consult', context: { lastQuestion: 'family' } });
  });

  test('need without audience → asks 本人か家族か and remembers; the next tap answers it (no second question)', () => {
    const asked = talk(text('お金のことで困っています'));
    expect(asked.outcome).toBe('askAudience');
    expect(texts(asked.reply.messages)[0]).toContain('仕事・お金・くらし');
    expect(texts(asked.reply.messages)).toContain(prompt('start'));
    expect(asked.state.snapshot.context.pendingNeed).toEqual(['self-living', 'family-living']);
    const family = step(defs, stored(asked.state), postback('go=family&from=start'), NOW);
    expect(family.state.snapshot.value).toBe('family-living');
    const self = step(defs, stored(asked.state), text('本人です'), NOW);
    expect(self.state.snapshot.value).toBe('self-living');
  });

  test('the remembered need lasts one turn: after something else, 本人 asks the usual question', () => {
    const asked = talk(text('お金のことで困っています'));
    const other = step(defs, stored(asked.state), text('こんにちは'), NOW);
    const self = step(defs, stored(other.state), text('本人'), NOW);
    expect(self.state.snapshot.value).toBe('self');
  });

  test('a remembered need that names no node of the flow is ignored', () => {
    const state = { flowVersion: defs.flow.version, snapshot: { value: 'start', context: { lastQuestion: 'start', pendingNeed: ['gone', 42] } } };
    const turn = step(defs, state, postback('go=self&from=start'), NOW);
    expect(turn.state.snapshot.value).toBe('self');
  });

  test('a crisis about someone else → the crisis reply with how a family member can help, within 5 messages', () => {
    const turn = talk(text('娘が死にたいと言っています'));
    expect(turn.outcome).toBe('crisis');
    expect(turn.reply.messages.length).toBeLessThanOrEqual(5);
    // Inside the crisis card, right after 119/110.
    const all = JSON.stringify(turn.reply.messages);
    expect(all).toContain(defs.content.crisis.forFamily!.text.split('\n')[0]);
    expect(all).toContain('03-5722-9504');
    const plain = step(defs, null, text('死にたい'), NOW);
    expect(JSON.stringify(plain.reply.messages)).not.toContain(defs.content.crisis.forFamily!.text.split('\n')[0]);
  });
});

describe('purity', () => {
  test('step does not change the stored state it is given, and gives the same turn for the same input', () => {
    const before = talk(text('家族'));
    const input = stored(before.state);
    const copy = JSON.parse(JSON.stringify(input));
    const a = step(defs, input, postback('go=family-care&from=family'), NOW);
    const b = step(defs, input, postback('go=family-care&from=family'), NOW);
    expect(input).toEqual(copy);
    expect(a).toEqual(b);
  });
});

describe('the kept flow moves (compile.ts flowMoves)', () => {
  const { machine, flow } = defs.flow;
  const questions = [null, ...Object.keys(flow.nodes).filter((id) => flow.nodes[id]!.kind === 'question')];
  const places = Object.keys(flow.nodes).flatMap((node) => questions.map((lastQuestion) => ({ node, lastQuestion })));

  test("give what xstate's resolveState, can and transition give, for every node, last question and flow event", () => {
    let moves = 0;
    for (const { node, lastQuestion } of places) {
      const fresh = machine.resolveState({ value: node, context: { lastQuestion } });
      const kept = defs.flow.at(node, lastQuestion);
      expect({ value: kept.value, context: kept.context }).toEqual({ value: fresh.value, context: fresh.context });
      for (const event of defs.flow.events) {
        const expected = fresh.can(event) ? transition(machine, fresh, event)[0] : null;
        const next = defs.flow.next(kept, event);
        expect(next && { value: next.value, context: next.context }).toEqual(expected && { value: expected.value, context: expected.context });
        if (next) moves++;
      }
    }
    expect(moves).toBeGreaterThan(places.length);
  });

  test("a button whose 'from' names no node of the flow (a key of every object included) is a stale button, not a replay", () => {
    // At a 本人 answer, a family question's option is a button from an earlier question: replayed from
    // the question named in its postback, and only from a node of the flow.
    const atAnswer = talk(text('本人'), postback('go=self-talk&from=self'));
    expect(atAnswer.node).toBe('self-talk');
    expect(step(defs, stored(atAnswer.state), postback('go=family-care&from=family'), NOW).node).toBe('family-care');
    expect(step(defs, stored(atAnswer.state), postback(`go=neighbor&from=${flow.start}`), NOW).node).toBe('neighbor');
    for (const from of ['nope', 'constructor', '__proto__', 'toString']) {
      expect(step(defs, stored(atAnswer.state), postback(`go=family-care&from=${from}`), NOW).outcome).toBe('staleButton');
      // xstate resolves a node it does not know to the machine's start, where ご近所 is an option.
      expect(step(defs, stored(atAnswer.state), postback(`go=neighbor&from=${from}`), NOW).outcome).toBe('staleButton');
    }
  });

  test('are the same objects on every call, and the turns that share a move never change it', () => {
    const start = defs.flow.at(flow.start, flow.start);
    expect(defs.flow.at(flow.start, flow.start)).toBe(start);
    const event = defs.flow.events.find((e) => start.can(e) && transition(machine, start, e)[0].value !== flow.start)!;
    const next = defs.flow.next(start, event)!;
    expect(defs.flow.next(start, event)).toBe(next);
    const before = JSON.stringify({ value: next.value, context: next.context, status: next.status });
    // Turns through that very move, from a new person and from the start question.
    const target = event.type.slice('GO.'.length);
    for (let i = 0; i < 3; i++) {
      expect(step(defs, null, postback(`go=${target}&from=${flow.start}`), NOW).node).toBe(target);
      expect(step(defs, stored(talk(text('最初から')).state), postback(`go=${target}&from=${flow.start}`), NOW).node).toBe(target);
    }
    expect(defs.flow.next(start, event)).toBe(next);
    expect(JSON.stringify({ value: next.value, context: next.context, status: next.status })).toBe(before);
  });
});

describe("what a turn asks the use case to do: the machine's named actions", () => {
  const machine = defs.flow.machine;
  const atStart = () => machine.resolveState({ value: defs.flow.flow.start, context: { lastQuestion: defs.flow.flow.start } });
  const effects = (actions: readonly { type: string; params?: unknown }[]) => actions.map((a) => ({ type: a.type, params: a.params }));

  test('SUBSCRIBE, UNSUBSCRIBE and NOTIFY_OPEN stay where the person is and return their action only when it changes something', () => {
    const [subscribed, subscribe] = transition(machine, atStart(), { type: 'SUBSCRIBE', subscribed: false });
    expect(subscribed.value).toBe(defs.flow.flow.start);
    expect(effects(subscribe)).toEqual([{ type: 'subscribe', params: undefined }]);
    expect(transition(machine, atStart(), { type: 'SUBSCRIBE', subscribed: true })[1]).toEqual([]);
    expect(effects(transition(machine, atStart(), { type: 'UNSUBSCRIBE', subscribed: true })[1])).toEqual([{ type: 'unsubscribe', params: undefined }]);
    expect(transition(machine, atStart(), { type: 'UNSUBSCRIBE', subscribed: false })[1]).toEqual([]);
    const [here, notify] = transition(machine, atStart(), { type: 'NOTIFY_OPEN', window: 'concierge', sendAt: 123 });
    expect(here.value).toBe(defs.flow.flow.start);
    expect(effects(notify)).toEqual([{ type: 'notifyWhenOpen', params: { window: 'concierge', sendAt: 123 } }]);
  });

  test('お知らせを受け取る at いばしょ: subscribes once, then offers 停止 first', () => {
    const atIbasho = talk(text('いばしょ'));
    const turn = step(defs, stored(atIbasho.state), postback('do=subscribe'), NOW, { subscribed: false });
    expect(turn.outcome).toBe('subscribed');
    expect(turn.subscription).toBe('subscribe');
    expect(turn.state).toEqual(atIbasho.state);
    expect(turn.reply.choices[0]!.action).toEqual({ kind: 'unsubscribe' });
    expect(turn.reply.choices.filter((c) => c.action.kind === 'subscribe' || c.action.kind === 'unsubscribe')).toHaveLength(1);
    const again = step(defs, stored(atIbasho.state), postback('do=subscribe'), NOW, { subscribed: true });
    expect(again.outcome).toBe('subscribed');
    expect(again.subscription).toBeUndefined();
  });

  test('停止 unsubscribes only someone subscribed', () => {
    const atIbasho = talk(text('いばしょ'));
    expect(step(defs, stored(atIbasho.state), postback('do=unsubscribe'), NOW, { subscribed: true }).subscription).toBe('unsubscribe');
    const notSubscribed = step(defs, stored(atIbasho.state), postback('do=unsubscribe'), NOW, { subscribed: false });
    expect(notSubscribed.outcome).toBe('unsubscribed');
    expect(notSubscribed.subscription).toBeUndefined();
  });

  const night = new Date('2026-11-26T02:00:00+09:00');
  /** 家族です → 家に来てほしい・受診 at night: the health centres, closed then. */
  function familyVisitAtNight(): { atFamily: Turn; answer: Turn } {
    const atFamily = step(defs, null, postback('go=family&from=start'), night);
    return { atFamily, answer: step(defs, stored(atFamily.state), postback('go=family-visit&from=family'), night) };
  }

  test('開いたらお知らせ at night: one push planned for when the window opens, and the button is not offered again', () => {
    const { answer } = familyVisitAtNight();
    expect(answer.outcome).toBe('answer');
    const offer = answer.reply.choices.find((c) => c.action.kind === 'notifyOpen');
    if (offer?.action.kind !== 'notifyOpen') throw new Error('a closed window at night offers 開いたらお知らせ');
    const turn = step(defs, stored(answer.state), postback(encodePostback(offer.action)), night);
    expect(turn.outcome).toBe('openNotice');
    expect(turn.openNotification?.window).toBe(offer.action.window);
    // The window's next opening: a weekday morning after this night.
    expect(turn.openNotification!.sendAt).toBeGreaterThan(night.getTime());
    expect(turn.openNotification!.sendAt - night.getTime()).toBeLessThan(3 * 24 * 3600 * 1000);
    expect(turn.reply.choices.some((c) => c.action.kind === 'notifyOpen')).toBe(false);
    // In office hours the same button says the window is open, and plans nothing.
    const open = step(defs, stored(answer.state), postback(encodePostback(offer.action)), NOW);
    expect(open.outcome).toBe('openNotice');
    expect(open.openNotification).toBeUndefined();
  });

  test('typing a quick reply\'s label does what tapping it does, even where its words mean something else', () => {
    const { atFamily, answer } = familyVisitAtNight();
    // お知らせ alone means the いばしょ reminders; the label under this answer means "when it opens".
    const typed = step(defs, stored(answer.state), text(phrases.quickReply.notifyOpen), night, { subscribed: false });
    expect(typed.outcome).toBe('openNotice');
    expect(typed.subscription).toBeUndefined();
    expect(typed.openNotification?.sendAt).toBeGreaterThan(night.getTime());
    expect(typed.typed).toBeUndefined();
    // Where no window is closed, the label is not read as a sentence: it neither subscribes to the
    // いばしょ reminders nor plans anything, and the reply that did not understand offers the crisis lines first.
    const away = step(defs, stored(atFamily.state), text(phrases.quickReply.notifyOpen), night, { subscribed: false });
    expect(away.outcome).toBe('unrecognized');
    expect(away.subscription).toBeUndefined();
    expect(away.openNotification).toBeUndefined();
    expect(away.reply.choices[0]!.action).toEqual({ kind: 'crisisLines' });
    expect(step(defs, stored(atFamily.state), text(phrases.quickReply.moreWindows), NOW).outcome).toBe('unrecognized');

    // 本人に送る文をつくる under a family answer about いばしょ: the card to forward, not the 本人 branch.
    const family = defs.flow.flow.nodes['family'] as { options: { next: string }[] };
    const withCard = family.options
      .map((o) => step(defs, stored(atFamily.state), postback(`go=${o.next}&from=family`), NOW))
      .find((t) => t.reply.choices.some((c) => c.action.kind === 'forwardCard'));
    if (!withCard) throw new Error('a family answer about いばしょ offers the card to forward');
    expect(step(defs, stored(withCard.state), text(phrases.quickReply.forwardCard), NOW).outcome).toBe('forwardCard');
    // Crisis words still come first, whatever is on the screen.
    expect(step(defs, stored(withCard.state), text('死にたい'), NOW).outcome).toBe('crisis');
  });

  test('a label only the last reply showed, typed, does what tapping it does: ほかの相談先 under the crisis lines', () => {
    const { atFamily } = familyVisitAtNight();
    const crisis = step(defs, stored(atFamily.state), text('死にたい'), NOW);
    const more = crisis.reply.choices.find((c) => c.action.kind === 'moreCrisis');
    if (!more) throw new Error('the crisis reply at this hour leaves lines for ほかの相談先');
    const tapped = step(defs, stored(crisis.state), postback(encodePostback(more.action)), NOW);
    const typed = step(defs, stored(crisis.state), text(more.label), NOW);
    expect(typed.outcome).toBe('crisis');
    expect(typed.reply).toEqual(tapped.reply);
    expect(typed.state).toEqual(atFamily.state);
    // 電話番号の一覧 under a window's details, and メニューへ戻る under the crisis lines, likewise.
    expect(step(defs, stored(atFamily.state), text(phrases.quickReply.phones), NOW).node).toBe(defs.phonesNode);
    expect(step(defs, stored(atFamily.state), text(phrases.quickReply.menu), NOW).node).toBe(defs.flow.flow.start);
  });
});
