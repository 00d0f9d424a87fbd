import type { Definitions } from './definitions';
import type { Reply } from './reply';
import { activeNotices } from './staff-changes/merge-over-content';

/**
 * The staff's notices above an answer: the newest two running today for its windows (the most
 * recently started first), then one line saying how many more there are. Staff may leave any number
 * running; an answer stays short enough to read on a phone and well within LINE's 5000 units.
 */
export const NOTICES_SHOWN = 2;

export function noticeLines(defs: Definitions, windowIds: readonly string[], now: Date): string[] {
  const { phrases } = defs.content;
  // Notices come ordered by their first day, then by when they were written: the last are the newest.
  const active = activeNotices(defs, windowIds, now);
  const shown = active.slice(-NOTICES_SHOWN).reverse();
  const lines = shown.map((n) => `${phrases.noticeLabel}${n.text}`);
  const more = active.length - shown.length;
  if (more > 0) lines.push(phrases.moreNotices.replace('{count}', String(more)));
  return lines;
}

/** The same reply without its notices: what is sent when LINE refuses the reply with them. */
export function withoutNotices(reply: Reply): Reply {
  if (!reply.messages.some((m) => m.kind === 'text' && m.notices)) return reply;
  return { ...reply, messages: reply.messages.map((m) => (m.kind === 'text' && m.notices ? { kind: 'text', text: m.text } : m)) };
}
