/**
 * What a turn is (its outcome, reply and effects), and the few ways a turn can end that every handler
 * shares: arriving at a node, staying where the person is, restarting after a stale button. Pure.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { transition } from 'xstate';
import type { Definitions } from './definitions';
import { initialSnapshot, toState, type ConversationState } from './conversation-state';
import type { PersonEvent, TurnEffect } from './flow/compile';
import type { Intent } from './interpret-input';
import { perMinute } from './minute-memo';
import { nextIbashoOf } from './next-ibasho';
import { choicesFor, choicesTypedHere, type ChoicesFor } from './quick-replies';
import { answerMessages, closedWindows, directoryMessages } from './render-reply';
import type { Choice, Reply, ReplyMessage } from './reply';

export type TurnOutcome =
  | 'greeted'
  | 'question'
  | 'answer'
  | 'directory'
  | 'crisis'
  | 'danger'
  | 'askBack'
  | 'listening'
  | 'unrecognized'
  | 'nonText'
  | 'staleButton'
  | 'late'
  | 'subscribed'
  | 'unsubscribed'
  | 'reminderSettings'
  | 'forwardCard'
  | 'openNotice'
  | 'moreWindows'
  | 'windowDetail'
  | 'faq'
  | 'smallTalk'
  | 'askAudience'
  | 'reset';

export interface Turn {
  state: ConversationState;
  reply: Reply;
  outcome: TurnOutcome;
  /** The node shown, for usage counts. */
  node: string;
  /**
   * For typed text: whether it was read as a sentence (a need, a question, small talk) or not understood.
   * Absent for taps, events and typed words that are exactly a label or synonym.
   */
  typed?: 'understood' | 'notUnderstood';
  /** A change to the person's いばしょ reminder subscription, saved with the state. */
  subscription?: 'subscribe' | 'unsubscribe';
  /** A one-time push to send when a closed window opens, saved with the state. */
  openNotification?: { window: string; sendAt: number };
}

/** What the use case knows about the person besides the conversation. */
export interface PersonFacts {
  subscribed: boolean;
}

/** A reply of the safety rules (crisis, danger at home, the question asked back): never lost, never late. */
export function isSafetyReply(outcome: TurnOutcome): boolean {
  return outcome === 'crisis' || outcome === 'danger' || outcome === 'askBack';
}

/**
 * Whether a reminder can be sent for the next いばしょ: its date is published (or reminders are set to
 * go out for planned dates too). While not, a person who subscribes is told plainly that nothing comes
 * until the ward publishes a date.
 */
export function remindersCanFire(defs: Definitions, now: Date): boolean {
  const { ibasho } = defs.content;
  if (ibasho.reminders.times.length === 0) return false;
  const next = nextIbashoOf(defs, now);
  return next !== null && (next.confirmed || ibasho.reminders.forPlannedDates);
}

type Presented = { readonly messages: readonly ReplyMessage[]; readonly choices: readonly Choice[]; readonly outcome: TurnOutcome };

function presentNow(defs: Definitions, node: string, now: Date, subscribed: boolean): Presented {
  const flowNode = defs.flow.flow.nodes[node]!;
  const at = { node, subscribed, now };
  switch (flowNode.kind) {
    case 'question':
      return { messages: [{ kind: 'text', text: flowNode.prompt }], choices: choicesFor(defs, at, { kind: 'node' }), outcome: 'question' };
    case 'answer': {
      const messages = answerMessages(defs, node, flowNode.windows, flowNode.audience, now);
      const closedNow = closedWindows(defs, flowNode.windows, now);
      return { messages, choices: choicesFor(defs, at, { kind: 'node', closedNow }), outcome: 'answer' };
    }
    case 'directory':
      return { messages: directoryMessages(defs, now), choices: choicesFor(defs, at, { kind: 'node' }), outcome: 'directory' };
  }
}

/** The messages and quick replies of a node, as shown on arrival: the same all minute, so computed once a minute (minute-memo.ts). */
const presentThisMinute = perMinute((defs, key, now): Presented => presentNow(defs, key.slice(1), now, key[0] === 's'));
/** What typed labels mean where the person is (choicesTypedHere), kept like `present` for the minute. */
export const typedThisMinute = perMinute((defs, key, now) => choicesTypedHere(defs, { node: key.slice(1), subscribed: key[0] === 's', now }));

/** The turn's effects, from the named actions of the machine's transition. */
function effectsOf(actions: readonly { type: string; params?: unknown }[]): Pick<Turn, 'subscription' | 'openNotification'> {
  const effects: Pick<Turn, 'subscription' | 'openNotification'> = {};
  for (const action of actions as TurnEffect[]) {
    if (action.type === 'subscribe' || action.type === 'unsubscribe') effects.subscription = action.type;
    else if (action.type === 'notifyWhenOpen') effects.openNotification = { window: action.params.window, sendAt: action.params.sendAt };
  }
  return effects;
}

/** Where a turn starts, and the ways it can end: what every handler of turn-handlers.ts is given. */
export interface TurnScope {
  defs: Definitions;
  now: Date;
  person: PersonFacts;
  snapshot: AnyMachineSnapshot;
  node: string;
  /** Answer nodes of a need typed before the person said who they are (kept for one turn). */
  pendingNeed: string[];
  /** Arrives at `next`: its messages after `lead`, its quick replies; `keepNeed` kept for the next turn. */
  arrive(next: AnyMachineSnapshot, lead: ReplyMessage[], outcome: TurnOutcome | null, keepNeed?: string[]): Turn;
  /** A reply where the person is; `choices` says what it was, for its quick replies. */
  stay(messages: ReplyMessage[], outcome: TurnOutcome, choices?: ChoicesFor): Turn;
  /** Back to the first question with one sentence before it (a stale button). */
  restart(text: string, outcome: TurnOutcome): Turn;
  /** The choices of a reply where the person is. */
  choices(reply: ChoicesFor): Choice[];
  /** The typed mark of this turn, added to a turn built by hand. */
  withTyped(turn: Turn): Turn;
  /** The machine's answer to what the person asked for: its named actions are the turn's effects. */
  effects(event: PersonEvent): Pick<Turn, 'subscription' | 'openNotification'>;
}

export function turnScope(
  defs: Definitions,
  now: Date,
  person: PersonFacts,
  at: { snapshot: AnyMachineSnapshot; wasReset: boolean; pendingNeed: string[]; typed: Turn['typed'] },
): TurnScope {
  const { snapshot, wasReset, typed } = at;
  const node = snapshot.value as string;
  const resetNotice: ReplyMessage[] = wasReset ? [{ kind: 'text', text: defs.content.phrases.resetNotice }] : [];
  const withTyped = (t: Turn): Turn => (typed ? { ...t, typed } : t);
  const choices = (reply: ChoicesFor) => choicesFor(defs, { node, subscribed: person.subscribed, now }, reply);
  const arrive: TurnScope['arrive'] = (next, lead, outcome, keepNeed) => {
    const shown = presentThisMinute(defs, `${person.subscribed ? 's' : 'n'}${next.value as string}`, now);
    return withTyped({
      state: toState(defs, next, keepNeed),
      reply: { messages: [...resetNotice, ...lead, ...shown.messages], choices: [...shown.choices] },
      outcome: wasReset ? 'reset' : (outcome ?? shown.outcome),
      node: next.value as string,
    });
  };
  return {
    defs,
    now,
    person,
    snapshot,
    node,
    pendingNeed: at.pendingNeed,
    arrive,
    stay: (messages, outcome, reply = { kind: 'node' }) =>
      withTyped({ state: toState(defs, snapshot), reply: { messages: [...resetNotice, ...messages], choices: choices(reply) }, outcome, node }),
    restart: (text, outcome) => arrive(initialSnapshot(defs), [{ kind: 'text', text }], outcome),
    choices,
    withTyped,
    effects: (event) => effectsOf(transition(defs.flow.machine, snapshot, event)[1]),
  };
}

/** Intents by kind, for handlers that take one kind. */
export type IntentOf<K extends Intent['kind']> = Extract<Intent, { kind: K }>;
