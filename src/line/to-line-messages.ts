import type { messagingApi } from '@line/bot-sdk';
import { telUri } from '../domain/content/phone';
import { encodePostback } from '../domain/postback';
import type { Card, CardButton, CardLine, Choice, Reply, ReplyMessage } from '../domain/reply';
import { utf16Length } from '../domain/text-units';
import { ALT_TEXT_LIMIT, CARDS_PER_CAROUSEL, QUICK_REPLY_LIMIT } from './line-limits';

type QuickReplyItem = messagingApi.QuickReplyItem;

type Message = messagingApi.Message;
type FlexComponent = messagingApi.FlexComponent;

const toneColor: Record<NonNullable<CardLine['tone']>, string> = {
  normal: '#333333',
  muted: '#666666',
  open: '#1b7a46',
  closed: '#a15c00',
  heading: '#1f3b2d',
};

function actionOf(button: CardButton): messagingApi.Action {
  switch (button.kind) {
    case 'tel':
      return { type: 'uri', label: button.label, uri: telUri(button.number) };
    case 'uri':
      return { type: 'uri', label: button.label, uri: button.uri };
    case 'postback':
      return { type: 'postback', label: button.label, data: encodePostback(button.action), displayText: button.label };
  }
}

function lineText(line: CardLine): messagingApi.FlexText {
  const tone = line.tone ?? 'normal';
  return {
    type: 'text',
    text: line.text,
    wrap: true,
    size: 'sm',
    color: line.tap ? '#1a6fb5' : toneColor[tone],
    ...(tone === 'open' || tone === 'closed' || tone === 'heading' ? { weight: 'bold' as const } : {}),
    ...(line.tap ? { action: actionOf(line.tap), decoration: 'underline' as const } : {}),
  };
}

function lineComponents(line: CardLine, first: boolean): FlexComponent[] {
  const value = lineText(line);
  const margin = line.tone === 'heading' && !first ? { margin: 'lg' as const } : {};
  const out: FlexComponent[] = [
    line.label
      ? {
          type: 'box',
          layout: 'baseline',
          spacing: 'sm',
          ...margin,
          contents: [
            { type: 'text', text: line.label, size: 'sm', color: '#888888', flex: 2 },
            { ...value, flex: 6 },
          ],
        }
      : { ...value, ...margin },
  ];
  if (line.buttons?.length) {
    out.push({ type: 'box', layout: 'horizontal', spacing: 'sm', contents: line.buttons.map((b) => buttonComponent(b)) });
  }
  return out;
}

function buttonComponent(button: CardButton): FlexComponent {
  const secondary = button.kind === 'postback';
  return {
    type: 'button',
    style: secondary ? 'link' : 'primary',
    height: 'sm',
    color: secondary ? '#2e7d5b' : button.kind === 'uri' ? '#1a6fb5' : '#2e7d5b',
    action: actionOf(button),
  };
}

function bubble(card: Card): messagingApi.FlexBubble {
  const lines = card.lines.flatMap((line, i) => lineComponents(line, i === 0 && !card.title));
  return {
    type: 'bubble',
    size: 'mega',
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'md',
      contents: [...(card.title ? [{ type: 'text', text: card.title, weight: 'bold', size: 'md', wrap: true, color: '#1f3b2d' } as FlexComponent] : []), ...lines],
    },
    ...(card.buttons.length > 0
      ? { footer: { type: 'box', layout: 'vertical', spacing: 'sm', contents: card.buttons.map(buttonComponent) } }
      : {}),
  };
}

/** A text fallback cut to LINE's altText limit, keeping whole lines from the top. */
export function clipAltText(text: string): string {
  if (utf16Length(text) <= ALT_TEXT_LIMIT) return text;
  let clipped = '';
  for (const line of text.split('\n')) {
    const next = clipped ? `${clipped}\n${line}` : line;
    if (utf16Length(next) > ALT_TEXT_LIMIT) break;
    clipped = next;
  }
  return clipped;
}

/** Cards as LINE messages: one bubble, or carousels of at most 12, each with the cards' text fallback. */
function toMessages(message: ReplyMessage): Message[] {
  if (message.kind === 'text') return [{ type: 'text', text: message.notices ? [...message.notices, '', message.text].join('\n') : message.text }];
  const altText = clipAltText(message.altText);
  const messages: Message[] = [];
  for (let i = 0; i < message.cards.length; i += CARDS_PER_CAROUSEL) {
    const chunk = message.cards.slice(i, i + CARDS_PER_CAROUSEL);
    const contents: messagingApi.FlexContainer = chunk.length === 1 ? bubble(chunk[0]!) : { type: 'carousel', contents: chunk.map(bubble) };
    messages.push({ type: 'flex', altText, contents });
  }
  return messages;
}

/**
 * Most replies are shown from a per-minute memo (domain/minute-memo.ts) whose messages and choices are
 * frozen and shared between turns: their LINE form is made once for each and shared too (LINE's
 * messages are only serialised, never changed; the quick replies go on a copy of the last one).
 */
const sharedMessages = new WeakMap<ReplyMessage, readonly Message[]>();
const sharedItems = new WeakMap<Choice, QuickReplyItem>();

function lineMessages(message: ReplyMessage): readonly Message[] {
  if (!Object.isFrozen(message)) return toMessages(message);
  let shared = sharedMessages.get(message);
  if (!shared) sharedMessages.set(message, (shared = Object.freeze(toMessages(message).map((m) => Object.freeze(m)))));
  return shared;
}

function quickReplyItem(choice: Choice): QuickReplyItem {
  const make = (): QuickReplyItem => ({
    type: 'action',
    action: { type: 'postback', label: choice.label, data: encodePostback(choice.action), displayText: choice.label },
  });
  if (!Object.isFrozen(choice)) return make();
  let shared = sharedItems.get(choice);
  if (!shared) sharedItems.set(choice, (shared = Object.freeze(make())));
  return shared;
}

/**
 * The LINE messages of a reply; its choices become quick replies on the last message, the first 13 of
 * them (the reply lists the most important first).
 */
export function toLineMessages(reply: Reply): Message[] {
  const messages = reply.messages.flatMap(lineMessages);
  const last = messages.length - 1;
  if (last >= 0 && reply.choices.length > 0) {
    messages[last] = { ...messages[last]!, quickReply: { items: reply.choices.slice(0, QUICK_REPLY_LIMIT).map(quickReplyItem) } };
  }
  return messages;
}
