import type { messagingApi } from '@line/bot-sdk';
import { telUri } from '../domain/content/phone';
import { encodePostback } from '../domain/postback';
import type { Card, CardButton, CardLine, Choice, Reply, ReplyMessage } from '../domain/reply';

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

function toMessage(message: ReplyMessage): Message {
  if (message.kind === 'text') return { type: 'text', text: message.notices ? [...message.notices, '', message.text].join('\n') : message.text };
  const contents: messagingApi.FlexContainer =
    message.cards.length === 1 ? bubble(message.cards[0]!) : { type: 'carousel', contents: message.cards.map(bubble) };
  return { type: 'flex', altText: message.altText, contents };
}

/**
 * Most replies are shown from a per-minute memo (domain/minute-memo.ts) whose messages and choices are
 * frozen and shared between turns: their LINE form is made once for each and shared too (LINE's
 * messages are only serialised, never changed; the quick replies go on a copy of the last one).
 */
const sharedMessages = new WeakMap<ReplyMessage, Message>();
const sharedItems = new WeakMap<Choice, QuickReplyItem>();

function lineMessage(message: ReplyMessage): Message {
  if (!Object.isFrozen(message)) return toMessage(message);
  let shared = sharedMessages.get(message);
  if (!shared) sharedMessages.set(message, (shared = Object.freeze(toMessage(message))));
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

/** The LINE messages of a reply; its choices become quick replies on the last message. */
export function toLineMessages(reply: Reply): Message[] {
  const messages = reply.messages.map(lineMessage);
  const last = messages.length - 1;
  if (last >= 0 && reply.choices.length > 0) {
    messages[last] = { ...messages[last]!, quickReply: { items: reply.choices.map(quickReplyItem) } };
  }
  return messages;
}
