import { addDays, tokyoInstant, type LocalDate } from '../domain/calendar';
import type { Definitions } from '../domain/definitions';
import { answerMessages, directoryMessages } from '../domain/render-reply';
import { utf16Length } from '../domain/text-units';
import { toLineMessages } from './to-line-messages';

/** LINE's limits on what notices lengthen (https://developers.line.biz/en/reference/messaging-api/#message-objects). */
const TEXT_MAX = 5000;
const ALT_TEXT_MAX = 1500;

/** A reply that LINE would refuse: which node, on which day, which message, how long against its limit. */
export interface TooLong {
  node: string;
  date: LocalDate;
  message: number;
  length: number;
  max: number;
}

/**
 * Renders every reply that carries notices (each answer and the phone list) as LINE messages, on each
 * day from `from` to `to` on which the running notices change, and returns the first one past LINE's
 * limits, or null. The console runs it before saving a notice, so that no edit can make LINE refuse
 * an answer.
 */
export function replyPastLineLimits(defs: Definitions, from: LocalDate, to: LocalDate): TooLong | null {
  const days = new Set([from]);
  for (const notice of defs.notices) {
    for (const day of [notice.startsOn, addDays(notice.endsOn, 1)]) if (day > from && day <= to) days.add(day);
  }
  for (const date of [...days].sort()) {
    const now = new Date(tokyoInstant(date, '12:00'));
    for (const [node, definition] of Object.entries(defs.flow.flow.nodes)) {
      const messages =
        definition.kind === 'answer' ? answerMessages(defs, node, definition.windows, definition.audience, now) : definition.kind === 'directory' ? directoryMessages(defs, now) : null;
      if (!messages) continue;
      for (const [index, message] of toLineMessages({ messages, choices: [] }).entries()) {
        const [length, max] = message.type === 'text' ? [utf16Length(message.text), TEXT_MAX] : message.type === 'flex' ? [utf16Length(message.altText), ALT_TEXT_MAX] : [0, 0];
        if (length > max) return { node, date, message: index, length, max };
      }
    }
  }
  return null;
}
