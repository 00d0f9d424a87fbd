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
  | { kind: 'notifyOpen'; window: string }
  /** The windows of an answer that did not fit on its first cards. */
  | { kind: 'moreWindows'; node: string }
  /** The crisis lines that did not fit on the crisis reply. */
  | { kind: 'moreCrisis' }
  /** Everything known about one window. */
  | { kind: 'windowDetail'; window: string }
  /** An answer to the question asked back (死にたいほどつらい気持ちがありますか?). */
  | { kind: 'askedBack'; answer: AskedBackAnswer };

export type AskedBackAnswer = 'yes' | 'notThatFar' | 'listen';

export interface Choice {
  label: string;
  action: ChoiceAction;
}

export type CardButton =
  | { kind: 'tel'; label: string; number: string }
  | { kind: 'uri'; label: string; uri: string }
  | { kind: 'postback'; label: string; action: ChoiceAction };

export interface CardLine {
  label?: string;
  text: string;
  tone?: 'normal' | 'muted' | 'open' | 'closed' | 'heading';
  /** Tapping the text itself does this (a phone number, a name that opens details). */
  tap?: CardButton;
  /** Buttons right under this line, side by side. */
  buttons?: CardButton[];
}

export interface Card {
  title?: string;
  lines: CardLine[];
  buttons: CardButton[];
}

export type ReplyMessage =
  /** `notices`: the staff's notices shown above the text, in the same message (domain/notice-lines.ts). */
  | { kind: 'text'; text: string; notices?: string[] }
  | { kind: 'cards'; altText: string; cards: Card[] };

export interface Reply {
  messages: ReplyMessage[];
  /** Offered as quick replies under the last message, most important first (a channel that shows fewer keeps the first). */
  choices: Choice[];
}
