/**
 * The neutral reply model between the conversation and the channels: `to-line-messages` turns it into
 * LINE messages; nothing here knows about LINE.
 */
export type ChoiceAction =
  | { kind: 'go'; node: string; from?: string }
  | { kind: 'back' }
  | { kind: 'subscribe' }
  | { kind: 'unsubscribe' }
  | { kind: 'reminderSettings' }
  | { kind: 'forwardCard' }
  | { kind: 'crisisLines' }
  | { kind: 'notifyOpen'; window: string };

export interface Choice {
  label: string;
  action: ChoiceAction;
}

export type CardButton = { kind: 'tel'; label: string; number: string } | { kind: 'uri'; label: string; uri: string };

export interface CardLine {
  label?: string;
  text: string;
  tone?: 'normal' | 'muted' | 'open' | 'closed';
}

export interface Card {
  title: string;
  lines: CardLine[];
  buttons: CardButton[];
}

export type ReplyMessage = { kind: 'text'; text: string } | { kind: 'cards'; altText: string; cards: Card[] };

export interface Reply {
  messages: ReplyMessage[];
  /** Offered as quick replies under the last message. */
  choices: Choice[];
}
