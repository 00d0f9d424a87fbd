/**
 * Replies to typed text that is neither a button nor a node: the FAQ answers, small talk, and the
 * family member's addition to the crisis reply. Every sentence comes from `content/`; names, numbers
 * and hours are taken from the windows and crisis lines, written in one place only.
 */
import type { Definitions } from './definitions';
import { fill, reachingNumber } from './render-reply';
import type { CardLine, ReplyMessage } from './reply';

function windowLines(defs: Definitions, ids: readonly string[]): string[] {
  const l = defs.content.phrases.listed;
  return ids.map((id) => {
    const window = defs.windowsById.get(id)!;
    const { number, via } = reachingNumber(defs, window);
    const hours = 'unknown' in window.hours ? l.hoursUnknown : window.hours.value.text;
    return via ? fill(l.windowVia, { name: window.name, via: via.name, phone: number, hours }) : fill(l.window, { name: window.name, phone: number, hours });
  });
}

function crisisLineLines(defs: Definitions, lineIds: readonly string[], chatIds: readonly string[]): string[] {
  const l = defs.content.phrases.listed;
  const { crisis } = defs.content;
  return [
    ...chatIds.map((id) => crisis.chat.find((c) => c.id === id)!).map((c) => fill(l.chat, { name: c.name, hours: c.hoursText, url: c.url })),
    ...lineIds.map((id) => crisis.lines.find((c) => c.id === id)!).map((c) => fill(l.line, { name: c.name, phone: c.phone, hours: c.hoursText })),
  ];
}

export function faqMessages(defs: Definitions, id: string): ReplyMessage[] {
  const faq = defs.content.faq.faqs.find((f) => f.id === id);
  if (!faq) return [];
  const lines = [faq.answer, ...crisisLineLines(defs, faq.crisisLines, faq.chat), ...windowLines(defs, faq.windows)];
  // The closing line of an answer: the way on is under it.
  return [{ kind: 'text', text: `${lines.join('\n')}\n\n${defs.content.phrases.answerOutro}` }];
}

export function smallTalkMessages(defs: Definitions, id: string): ReplyMessage[] {
  const talk = defs.content.faq.smallTalk.find((s) => s.id === id);
  return talk ? [{ kind: 'text', text: talk.answer }] : [];
}

/** In the crisis reply when someone writes about another person: how to help, and whom a family member can call. */
export function crisisForFamilyLines(defs: Definitions): CardLine[] {
  const forFamily = defs.content.crisis.forFamily;
  if (!forFamily) return [];
  const calls = forFamily.windows.map((id): CardLine => {
    const { number } = reachingNumber(defs, defs.windowsById.get(id)!);
    return { text: windowLines(defs, [id])[0]!, buttons: [{ kind: 'tel', label: fill(defs.content.phrases.card.callButton, { phone: number }), number }] };
  });
  return [{ text: forFamily.text }, ...calls];
}
