import type { AnyMachineSnapshot } from 'xstate';
import { transition } from 'xstate';
import type { Definitions } from './definitions';
import { BACK_EVENT, goEvent, type ConversationContext, type FlowEvent, type PersonEvent, type TurnEffect } from './flow/compile';
import { readInput, type Input, type Intent } from './interpret-input';
import { nextIbasho } from './ibasho-schedule';
import { crisisForFamilyLines, faqMessages, smallTalkMessages } from './render-understood';
import {
  answerMessages,
  closedWindows,
  crisisHasMore,
  crisisMessages,
  directoryMessages,
  fill,
  formatWhen,
  forwardCardMessages,
  moreCrisisMessages,
  moreWindowsMessages,
  reminderTimesText,
  splitAnswer,
  windowDetailMessages,
} from './render-reply';
import { openStatus } from './opening-hours';
import { askBackMessages, dangerLinesForCrisis, dangerMessages, listeningMessages, notUnderstoodMessages } from './render-safety';
import { choicesFor, choicesTypedHere, type ChoicesFor } from './quick-replies';
import { perMinute } from './minute-memo';
import type { Choice, Reply, ReplyMessage } from './reply';

/** What is stored per person: which flow it belongs to and where in it they are. */
export interface ConversationState {
  flowVersion: string;
  snapshot: { value: string; context: StoredContext };
}

/**
 * The machine's context, and a need typed before the person said who they are (the answer nodes it
 * means for ご本人 and for ご家族): the next 本人/家族 answers it directly. Kept for one turn.
 */
export type StoredContext = ConversationContext & { pendingNeed?: string[]; askedBack?: true };

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

/** A reply of the safety rules (crisis, danger at home, the question asked back): never lost, never late. */
export function isSafetyReply(outcome: TurnOutcome): boolean {
  return outcome === 'crisis' || outcome === 'danger' || outcome === 'askBack';
}

/** What the use case knows about the person besides the conversation. */
export interface PersonFacts {
  subscribed: boolean;
}

function toState(defs: Definitions, snapshot: AnyMachineSnapshot, pendingNeed?: string[], askedBack = false): ConversationState {
  const context: StoredContext = { lastQuestion: snapshot.context.lastQuestion ?? null };
  if (pendingNeed && pendingNeed.length > 0) context.pendingNeed = pendingNeed;
  if (askedBack) context.askedBack = true;
  return { flowVersion: defs.flow.version, snapshot: { value: snapshot.value as string, context } };
}

/** The pending need kept in a stored state, if its nodes still exist. */
function storedPendingNeed(defs: Definitions, stored: unknown): string[] {
  const pending = (stored as { snapshot?: { context?: { pendingNeed?: unknown } } } | null)?.snapshot?.context?.pendingNeed;
  if (!Array.isArray(pending)) return [];
  return pending.filter((n): n is string => typeof n === 'string' && defs.flow.flow.nodes[n]?.kind === 'answer');
}

/** Whether the last reply asked 死にたいほどつらい気持ちがありますか? (kept for one turn). */
function storedAskedBack(stored: unknown): boolean {
  return (stored as { snapshot?: { context?: { askedBack?: unknown } } } | null)?.snapshot?.context?.askedBack === true;
}

/** Typed after the question asked back: its labels, and はい / いいえ in their everyday forms. */
function askedBackAnswer(defs: Definitions, intent: Intent): Intent {
  if (intent.kind === 'smallTalk' && intent.id === 'yes') return { kind: 'askedBack', answer: 'yes' };
  if (intent.kind === 'smallTalk' && intent.id === 'no') return { kind: 'askedBack', answer: 'notThatFar' };
  return intent;
}

function initialSnapshot(defs: Definitions): AnyMachineSnapshot {
  return defs.flow.at(defs.flow.flow.start, defs.flow.flow.start);
}

/** Restores a stored state; null when it does not fit the current flow (old version, unknown node, corrupt). */
function restore(defs: Definitions, stored: unknown): AnyMachineSnapshot | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { flowVersion, snapshot } = stored as Partial<ConversationState>;
  if (flowVersion !== defs.flow.version || typeof snapshot?.value !== 'string') return null;
  if (!Object.prototype.hasOwnProperty.call(defs.flow.flow.nodes, snapshot.value)) return null;
  const lastQuestion = snapshot.context?.lastQuestion;
  const context: ConversationContext = {
    lastQuestion: typeof lastQuestion === 'string' && defs.flow.flow.nodes[lastQuestion]?.kind === 'question' ? lastQuestion : null,
  };
  return defs.flow.at(snapshot.value, context.lastQuestion);
}

/**
 * Whether a reminder can be sent for the next いばしょ: its date is published (or reminders are set to
 * go out for planned dates too). While not, a person who subscribes is told plainly that nothing comes
 * until the ward publishes a date.
 */
export function remindersCanFire(defs: Definitions, now: Date): boolean {
  const { ibasho } = defs.content;
  if (ibasho.reminders.times.length === 0) return false;
  const next = nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
  return next !== null && (next.confirmed || ibasho.reminders.forPlannedDates);
}

/** The messages and quick replies of a node, as shown on arrival: the same all minute, so computed once a minute (minute-memo.ts). */
function present(defs: Definitions, node: string, now: Date, subscribed: boolean): Presented {
  return presentThisMinute(defs, `${subscribed ? 's' : 'n'}${node}`, now);
}

type Presented = { readonly messages: readonly ReplyMessage[]; readonly choices: readonly Choice[]; readonly outcome: TurnOutcome };
const presentThisMinute = perMinute((defs, key, now): Presented => presentNow(defs, key.slice(1), now, key[0] === 's'));
/** What typed labels mean where the person is (choicesTypedHere), kept like `present` for the minute. */
const typedThisMinute = perMinute((defs, key, now) => choicesTypedHere(defs, { node: key.slice(1), subscribed: key[0] === 's', now }));

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

/** The label of the option that leads to an answer node (what the person's need is called in the tree). */
function optionLabel(defs: Definitions, node: string): string {
  for (const question of Object.values(defs.flow.flow.nodes)) {
    if (question.kind !== 'question') continue;
    const option = question.options.find((o) => o.next === node);
    if (option) return option.label;
  }
  return node;
}

/** The turn's effects, from the named actions of the machine's transition. */
function effectsOf(actions: readonly { type: string; params?: unknown }[]): Pick<Turn, 'subscription' | 'openNotification'> {
  const effects: Pick<Turn, 'subscription' | 'openNotification'> = {};
  for (const action of actions as TurnEffect[]) {
    if (action.type === 'subscribe' || action.type === 'unsubscribe') effects.subscription = action.type;
    else if (action.type === 'notifyWhenOpen') effects.openNotification = { window: action.params.window, sendAt: action.params.sendAt };
  }
  return effects;
}

function apply(defs: Definitions, snapshot: AnyMachineSnapshot, intent: Extract<Intent, { kind: 'go' | 'back' }>): AnyMachineSnapshot | null {
  const event: FlowEvent = intent.kind === 'back' ? BACK_EVENT : goEvent(intent.node);
  const next = defs.flow.next(snapshot, event);
  if (next) return next;
  // A button from an earlier question: replay it from the question it was offered on.
  if (intent.kind === 'go' && intent.from && Object.prototype.hasOwnProperty.call(defs.flow.flow.nodes, intent.from)) {
    return defs.flow.next(defs.flow.at(intent.from, intent.from), event);
  }
  return null;
}

/**
 * One turn of the conversation: pure. Given what was stored, what arrived and the time, it returns
 * the state to store and the reply to send. It never throws for anything a person can send.
 */
export function step(defs: Definitions, stored: unknown, input: Input, now: Date, person: PersonFacts = { subscribed: false }): Turn {
  const phrases = defs.content.phrases;
  const start = defs.flow.flow.start;
  const restored = stored === null || stored === undefined ? null : restore(defs, stored);
  const wasReset = stored !== null && stored !== undefined && restored === null;
  const snapshot = restored ?? initialSnapshot(defs);
  const node = snapshot.value as string;
  // At an answer, typed words are matched against the question it answered: 仕事 after 話を聞いてほしい
  // means the 仕事 option of that question.
  const matchingNode = defs.flow.flow.nodes[node]?.kind === 'question' ? node : (snapshot.context.lastQuestion ?? node);
  const u = defs.understanding;
  const audience = u.audienceOf.get(node) ?? u.audienceOf.get(matchingNode) ?? null;
  const typedHere = input.kind === 'text' && defs.flow.flow.nodes[node] ? typedThisMinute(defs, `${person.subscribed ? 's' : 'n'}${node}`, now) : undefined;
  const askedBack = restored !== null && storedAskedBack(stored);
  const offered = askedBack && typedHere ? { ...typedHere, offered: [...choicesFor(defs, { node, subscribed: person.subscribed, now }, { kind: 'askBack' }), ...typedHere.offered] } : typedHere;
  const reading = readInput(u, defs.flow.flow, { node: matchingNode, audience, ...offered }, input);
  const intent = askedBack ? askedBackAnswer(defs, reading.intent) : reading.intent;
  const typed: Turn['typed'] =
    input.kind !== 'text' ? undefined : intent.kind === 'unrecognized' ? 'notUnderstood' : reading.understood ? 'understood' : undefined;
  const pendingNeed = restored ? storedPendingNeed(defs, stored) : [];

  const withTyped = (t: Turn): Turn => (typed ? { ...t, typed } : t);
  const turn = (next: AnyMachineSnapshot, lead: ReplyMessage[], outcome: TurnOutcome | null, keepNeed?: string[]): Turn => {
    const shown = present(defs, next.value as string, now, person.subscribed);
    const notice: ReplyMessage[] = wasReset ? [{ kind: 'text', text: phrases.resetNotice }] : [];
    return withTyped({
      state: toState(defs, next, keepNeed),
      reply: { messages: [...notice, ...lead, ...shown.messages], choices: [...shown.choices] },
      outcome: wasReset ? 'reset' : (outcome ?? shown.outcome),
      node: next.value as string,
    });
  };
  /** A reply where the person is; `choices` says what it was, for its quick replies. */
  const stay = (messages: ReplyMessage[], outcome: TurnOutcome, choices: ChoicesFor = { kind: 'node' }): Turn =>
    withTyped({
      state: toState(defs, snapshot),
      reply: {
        messages: wasReset ? [{ kind: 'text', text: phrases.resetNotice }, ...messages] : messages,
        choices: choicesFor(defs, { node, subscribed: person.subscribed, now }, choices),
      },
      outcome,
      node,
    });
  /** The machine's answer to what the person asked for: its named actions are the turn's effects. */
  const effects = (event: PersonEvent) => effectsOf(transition(defs.flow.machine, snapshot, event)[1]);

  switch (intent.kind) {
    case 'start':
      return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.greeting }], 'greeted');
    case 'crisis':
    case 'moreCrisis': {
      const more = intent.kind === 'crisis' && crisisHasMore(defs, now);
      // Someone writing about another person: how to help, and where a family member can call, right after 119/110.
      const forFamily = intent.kind === 'crisis' && intent.aboutSomeoneElse ? crisisForFamilyLines(defs) : [];
      // Danger at home told in the same message: keeping safe, and where to turn, under 119/110.
      const forDanger = intent.kind === 'crisis' && intent.danger ? dangerLinesForCrisis(defs, now) : [];
      return {
        state: toState(defs, snapshot),
        reply: {
          messages: intent.kind === 'crisis' ? crisisMessages(defs, now, [...forFamily, ...forDanger]) : moreCrisisMessages(defs, now),
          choices: choicesFor(defs, { node, subscribed: person.subscribed, now }, { kind: 'crisis', more }),
        },
        outcome: 'crisis',
        node,
      };
    }
    case 'moreWindows': {
      const answer = defs.flow.flow.nodes[intent.node];
      if (answer?.kind !== 'answer' || splitAnswer(defs, answer.windows, now).rest.length === 0) {
        return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
      }
      return stay(moreWindowsMessages(defs, answer.windows, answer.audience, now), 'moreWindows', { kind: 'moreWindows' });
    }
    case 'windowDetail': {
      if (!defs.windowsById.has(intent.window)) return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
      const here = defs.flow.flow.nodes[node];
      const audience = here?.kind === 'answer' ? here.audience : 'all';
      return stay(windowDetailMessages(defs, intent.window, audience, now), 'windowDetail', { kind: 'windowDetail' });
    }
    case 'nonText':
      return stay(notUnderstoodMessages(defs, phrases.nonText), 'nonText', { kind: 'notUnderstood' });
    case 'unrecognized':
      return stay(notUnderstoodMessages(defs, phrases.fallbackText), 'unrecognized', { kind: 'notUnderstood' });
    case 'danger':
      return stay(dangerMessages(defs, now), 'danger', { kind: 'danger' });
    case 'askBack':
      return { ...stay(askBackMessages(defs), 'askBack', { kind: 'askBack' }), state: toState(defs, snapshot, undefined, true) };
    case 'askedBack': {
      if (intent.answer === 'yes') {
        return withTyped({
          state: toState(defs, snapshot),
          reply: { messages: crisisMessages(defs, now), choices: choicesFor(defs, { node, subscribed: person.subscribed, now }, { kind: 'crisis', more: crisisHasMore(defs, now) }) },
          outcome: 'crisis',
          node,
        });
      }
      const a = phrases.askBack;
      return stay(listeningMessages(defs, now, intent.answer === 'listen' ? a.listenReply : a.notThatFarReply), 'listening');
    }
    case 'faq':
      return stay(faqMessages(defs, intent.id), 'faq');
    case 'smallTalk':
      return stay(smallTalkMessages(defs, intent.id), 'smallTalk');
    case 'askAudience': {
      const label = defs.flow.flow.nodes[start]?.kind === 'question' ? optionLabel(defs, intent.needs[0]!) : '';
      return turn(initialSnapshot(defs), [{ kind: 'text', text: fill(phrases.askAudience, { need: label }) }], 'askAudience', intent.needs);
    }
    case 'subscribe': {
      const r = phrases.reminder;
      const times = reminderTimesText(defs);
      const dated = remindersCanFire(defs, now);
      const lines = [
        dated ? fill(person.subscribed ? r.alreadySubscribed : r.subscribed, { times }) : person.subscribed ? r.alreadySubscribedNoDate : r.subscribedNoDate,
      ];
      if (dated && !defs.content.ibasho.reminders.forPlannedDates) lines.push(r.onlyConfirmedNote);
      lines.push(r.howToStop);
      const turn = stay([{ kind: 'text', text: lines.join('\n') }], 'subscribed', { kind: 'subscribed' });
      return { ...turn, ...effects({ type: 'SUBSCRIBE', subscribed: person.subscribed }) };
    }
    case 'unsubscribe': {
      const r = phrases.reminder;
      const turn = stay([{ kind: 'text', text: person.subscribed ? r.stopped : r.notSubscribed }], 'unsubscribed', { kind: 'unsubscribed' });
      return { ...turn, ...effects({ type: 'UNSUBSCRIBE', subscribed: person.subscribed }) };
    }
    case 'reminderSettings': {
      const times = reminderTimesText(defs);
      const s = phrases.reminderSettings;
      const text = remindersCanFire(defs, now)
        ? fill(person.subscribed ? s.subscribed : s.notSubscribed, { times })
        : person.subscribed
          ? s.subscribedNoDate
          : s.notSubscribedNoDate;
      return stay([{ kind: 'text', text }], 'reminderSettings', { kind: 'reminderSettings' });
    }
    case 'forwardCard':
      return stay(forwardCardMessages(defs, now), 'forwardCard');
    case 'notifyOpen': {
      const window = defs.windowsById.get(intent.window);
      if (!window || 'unknown' in window.hours) return stay([{ kind: 'text', text: phrases.openNotice.noHours }], 'openNotice');
      const status = openStatus(window.hours.value, now);
      if (status.kind === 'open') return stay([{ kind: 'text', text: fill(phrases.openNotice.alreadyOpen, { name: window.name }) }], 'openNotice');
      if (status.kind !== 'closed' || !status.nextOpen) return stay([{ kind: 'text', text: phrases.openNotice.noHours }], 'openNotice');
      const text = fill(phrases.openNotice.subscribed, { name: window.name, when: formatWhen(phrases, status.nextOpen, now) });
      const turn = stay([{ kind: 'text', text }], 'openNotice', { kind: 'openNoticeSet' });
      return { ...turn, ...effects({ type: 'NOTIFY_OPEN', window: window.id, sendAt: status.nextOpen.getTime() }) };
    }
    case 'staleButton':
      return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
    case 'go':
    case 'back': {
      let next = apply(defs, snapshot, intent);
      if (!next) return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
      // A need typed before the person said who they are: answered now, without asking it again.
      const question = defs.flow.flow.nodes[next.value as string];
      const remembered = question?.kind === 'question' ? question.options.find((o) => pendingNeed.includes(o.next)) : undefined;
      if (remembered) {
        const answered = apply(defs, next, { kind: 'go', node: remembered.next, from: next.value as string });
        if (answered) return turn(answered, [], null);
      }
      const lead: ReplyMessage[] =
        next.value === start && intent.kind === 'go' && node !== start ? [{ kind: 'text', text: phrases.restartIntro }] : [];
      return turn(next, lead, null);
    }
  }
}

/**
 * A turn for an event older than one already applied (LINE redelivered it late): the conversation
 * stays where the person last saw it. Crisis and danger words are answered as in any turn; anything else is told
 * that it arrived late, with the choices of where the person is now.
 */
export function lateTurn(defs: Definitions, stored: unknown, input: Input, now: Date, person: PersonFacts = { subscribed: false }): Turn {
  const turn = step(defs, stored, input, now, person);
  // Safety replies are answered as in any turn, however late they arrive.
  if (isSafetyReply(turn.outcome)) return turn;
  const snapshot = (stored === null || stored === undefined ? null : restore(defs, stored)) ?? initialSnapshot(defs);
  const node = snapshot.value as string;
  return {
    state: toState(defs, snapshot),
    reply: {
      messages: [{ kind: 'text', text: defs.content.phrases.lateEvent }],
      choices: choicesFor(defs, { node, subscribed: person.subscribed, now }, { kind: 'node' }),
    },
    outcome: 'late',
    node,
  };
}
