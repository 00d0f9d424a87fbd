import type { messagingApi } from '@line/bot-sdk';
import { telUri } from '../domain/content/phone';
import { encodePostback } from '../domain/postback';
import type { Card, CardButton, CardLine, Reply, ReplyMessage } from '../domain/reply';

type Message = messagingApi.Message;
type FlexComponent = messagingApi.FlexComponent;

const toneColor: Record<NonNullable<CardLine['tone']>, string> = {
  normal: '#333333',
  muted: '#666666',
  open: '#1b7a46',
  closed: '#a15c00',
};

function lineComponent(line: CardLine): FlexComponent {
  const value: messagingApi.FlexText = {
    type: 'text',
    text: line.text,
    wrap: true,
    size: 'sm',
    color: toneColor[line.tone ?? 'normal'],
    ...(line.tone === 'open' || line.tone === 'closed' ? { weight: 'bold' as const } : {}),
  };
  if (!line.label) return value;
  return {
    type: 'box',
    layout: 'baseline',
    spacing: 'sm',
    contents: [
      { type: 'text', text: line.label, size: 'sm', color: '#888888', flex: 2 },
      { ...value, flex: 6 },
    ],
  };
}

function buttonComponent(button: CardButton): FlexComponent {
  const uri = button.kind === 'tel' ? telUri(button.number) : button.uri;
  return {
    type: 'button',
    style: 'primary',
    height: 'sm',
    color: '#2e7d5b',
    action: { type: 'uri', label: button.label, uri },
  };
}

function bubble(card: Card): messagingApi.FlexBubble {
  return {
    type: 'bubble',
    size: 'mega',
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'md',
      contents: [
        { type: 'text', text: card.title, weight: 'bold', size: 'md', wrap: true, color: '#1f3b2d' },
        ...card.lines.map(lineComponent),
      ],
    },
    ...(card.buttons.length > 0
      ? { footer: { type: 'box', layout: 'vertical', spacing: 'sm', contents: card.buttons.map(buttonComponent) } }
      : {}),
  };
}

function toMessage(message: ReplyMessage): Message {
  if (message.kind === 'text') return { type: 'text', text: message.text };
  const contents: messagingApi.FlexContainer =
    message.cards.length === 1 ? bubble(message.cards[0]!) : { type: 'carousel', contents: message.cards.map(bubble) };
  return { type: 'flex', altText: message.altText, contents };
}

/** The LINE messages of a reply; its choices become quick replies on the last message. */
export function toLineMessages(reply: Reply): Message[] {
  const messages = reply.messages.map(toMessage);
  const last = messages[messages.length - 1];
  if (last && reply.choices.length > 0) {
    last.quickReply = {
      items: reply.choices.map((choice) => ({
        type: 'action',
        action: { type: 'postback', label: choice.label, data: encodePostback(choice.action), displayText: choice.label },
      })),
    };
  }
  return messages;
}
