import type { messagingApi } from '@line/bot-sdk';
import type { Card, Choice, Reply } from '../../src/domain/reply';
import { utf16Length } from '../../src/domain/text-units';
import { ALT_TEXT_LIMIT, CARDS_PER_CAROUSEL, QUICK_REPLY_LIMIT } from '../../src/line/line-limits';
import { toLineMessages } from '../../src/line/to-line-messages';
import { choicesFor } from '../../src/domain/quick-replies';
import { projectDefinitions } from '../support/fixtures';

// The domain's Reply says what a reply means; LINE's renderer shortens what LINE cannot hold.
const card = (i: number): Card => ({ title: `window ${i}`, lines: [{ text: `line ${i}` }], buttons: [] });
const choice = (i: number): Choice => ({ label: `choice ${i}`, action: { kind: 'go', node: `node-${i}` } });
const flex = (m: messagingApi.Message) => m as messagingApi.FlexMessage;

describe('toLineMessages shortens what LINE cannot hold', () => {
  test('14 cards → two carousels, of 12 and 2, in order, each with the text fallback', () => {
    const cards = Array.from({ length: 14 }, (_, i) => card(i));
    const messages = toLineMessages({ messages: [{ kind: 'cards', altText: 'fallback', cards }], choices: [] });
    expect(messages).toHaveLength(2);
    const [first, second] = messages.map((m) => flex(m).contents as messagingApi.FlexCarousel);
    expect(first!.contents).toHaveLength(CARDS_PER_CAROUSEL);
    expect(second!.contents).toHaveLength(2);
    expect(messages.map((m) => flex(m).altText)).toEqual(['fallback', 'fallback']);
    expect(JSON.stringify(second!.contents[1])).toContain('window 13');
  });

  test('one card → one bubble; 12 cards → one carousel', () => {
    expect((flex(toLineMessages({ messages: [{ kind: 'cards', altText: 'a', cards: [card(0)] }], choices: [] })[0]!).contents as { type: string }).type).toBe('bubble');
    const twelve = toLineMessages({ messages: [{ kind: 'cards', altText: 'a', cards: Array.from({ length: 12 }, (_, i) => card(i)) }], choices: [] });
    expect(twelve).toHaveLength(1);
    expect((flex(twelve[0]!).contents as messagingApi.FlexCarousel).contents).toHaveLength(12);
  });

  test('a text fallback over 1500 UTF-16 units is clipped to whole lines from the top', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(2, '0')} ${'あ'.repeat(30)}`);
    const [message] = toLineMessages({ messages: [{ kind: 'cards', altText: lines.join('\n'), cards: [card(0)] }], choices: [] });
    const altText = flex(message!).altText;
    expect(utf16Length(altText)).toBeLessThanOrEqual(ALT_TEXT_LIMIT);
    const kept = altText.split('\n');
    expect(kept).toEqual(lines.slice(0, kept.length));
    expect(utf16Length([...kept, lines[kept.length]].join('\n'))).toBeGreaterThan(ALT_TEXT_LIMIT);
  });

  test('a text fallback within the limit is kept whole', () => {
    const [message] = toLineMessages({ messages: [{ kind: 'cards', altText: 'one\ntwo', cards: [card(0)] }], choices: [] });
    expect(flex(message!).altText).toBe('one\ntwo');
  });

  test('15 choices → the first 13 as quick replies on the last message, in order', () => {
    const reply: Reply = { messages: [{ kind: 'text', text: 'first' }, { kind: 'text', text: 'last' }], choices: Array.from({ length: 15 }, (_, i) => choice(i)) };
    const messages = toLineMessages(reply);
    expect(messages[0]!.quickReply).toBeUndefined();
    const items = messages[1]!.quickReply!.items!;
    expect(items).toHaveLength(QUICK_REPLY_LIMIT);
    expect(items.map((item) => (item.action as messagingApi.PostbackAction).label)).toEqual(reply.choices.slice(0, 13).map((c) => c.label));
  });

  test('frozen (memoised) replies give the same messages as fresh ones', () => {
    const cards = Array.from({ length: 14 }, (_, i) => card(i));
    const fresh: Reply = { messages: [{ kind: 'cards', altText: 'x', cards }], choices: [choice(0)] };
    const frozen: Reply = { messages: [Object.freeze({ kind: 'cards' as const, altText: 'x', cards })], choices: [Object.freeze(choice(0))] };
    expect(toLineMessages(frozen)).toEqual(toLineMessages(fresh));
    expect(toLineMessages(frozen)).toEqual(toLineMessages(frozen));
  });

  test('a not-understood reply with more choices than LINE holds keeps the crisis lines first', () => {
    const defs = projectDefinitions();
    const at = { node: defs.flow.flow.start, subscribed: false, now: new Date('2026-11-25T01:00:00Z') };
    const choices = [...choicesFor(defs, at, { kind: 'notUnderstood' }), ...Array.from({ length: 14 }, (_, i) => choice(i))];
    const [message] = toLineMessages({ messages: [{ kind: 'text', text: 'x' }], choices });
    const labels = message!.quickReply!.items!.map((item) => (item.action as messagingApi.PostbackAction).label);
    expect(labels).toHaveLength(QUICK_REPLY_LIMIT);
    expect(labels[0]).toBe(defs.content.phrases.quickReply.crisisLines);
  });
});
