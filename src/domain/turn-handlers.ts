/**
 * What each kind of input does, as one small handler per intent kind: the table step() looks up.
 * Every handler is pure and ends the turn through its TurnScope (arrive, stay, restart).
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Definitions } from './definitions';
import { initialSnapshot, toState } from './conversation-state';
import { BACK_EVENT, goEvent, type FlowEvent } from './flow/compile';
import type { Intent } from './interpret-input';
import { openStatus } from './opening-hours';
import { crisisForFamilyLines, faqMessages, smallTalkMessages } from './render-understood';
import {
  crisisHasMore,
  crisisMessages,
  fill,
  formatWhen,
  forwardCardMessages,
  moreCrisisMessages,
  moreWindowsMessages,
  reminderTimesText,
  splitAnswer,
  windowDetailMessages,
} from './render-reply';
import { askBackMessages, dangerLinesForCrisis, dangerMessages, listeningMessages, notUnderstoodMessages } from './render-safety';
import type { ReplyMessage } from './reply';
import { remindersCanFire, type IntentOf, type Turn, type TurnScope } from './turn';

type Handlers = { [K in Intent['kind']]: (t: TurnScope, intent: IntentOf<K>) => Turn };

/** The label of the option that leads to an answer node (what the person's need is called in the tree). */
function optionLabel(defs: Definitions, node: string): string {
  for (const question of Object.values(defs.flow.flow.nodes)) {
    if (question.kind !== 'question') continue;
    const option = question.options.find((o) => o.next === node);
    if (option) return option.label;
  }
  return node;
}

function apply(defs: Definitions, snapshot: AnyMachineSnapshot, intent: IntentOf<'go' | 'back'>): AnyMachineSnapshot | null {
  const event: FlowEvent = intent.kind === 'back' ? BACK_EVENT : goEvent(intent.node);
  const next = defs.flow.next(snapshot, event);
  if (next) return next;
  // A button from an earlier question: replay it from the question it was offered on.
  if (intent.kind === 'go' && intent.from && Object.prototype.hasOwnProperty.call(defs.flow.flow.nodes, intent.from)) {
    return defs.flow.next(defs.flow.at(intent.from, intent.from), event);
  }
  return null;
}

/** The crisis reply where the person is (119/110 and the lines open now), never marked as typed. */
function crisisTurn(t: TurnScope, messages: ReplyMessage[], more: boolean): Turn {
  return { state: toState(t.defs, t.snapshot), reply: { messages, choices: t.choices({ kind: 'crisis', more }) }, outcome: 'crisis', node: t.node };
}

function moveTo(t: TurnScope, intent: IntentOf<'go' | 'back'>): Turn {
  const { defs } = t;
  const phrases = defs.content.phrases;
  const start = defs.flow.flow.start;
  const next = apply(defs, t.snapshot, intent);
  if (!next) return t.restart(phrases.staleButton, 'staleButton');
  // A need typed before the person said who they are: answered now, without asking it again.
  const question = defs.flow.flow.nodes[next.value as string];
  const remembered = question?.kind === 'question' ? question.options.find((o) => t.pendingNeed.includes(o.next)) : undefined;
  if (remembered) {
    const answered = apply(defs, next, { kind: 'go', node: remembered.next, from: next.value as string });
    if (answered) return t.arrive(answered, [], null);
  }
  const lead: ReplyMessage[] = next.value === start && intent.kind === 'go' && t.node !== start ? [{ kind: 'text', text: phrases.restartIntro }] : [];
  return t.arrive(next, lead, null);
}

function reminderText(t: TurnScope): string {
  const { defs, person, now } = t;
  const r = defs.content.phrases.reminder;
  const times = reminderTimesText(defs);
  const dated = remindersCanFire(defs, now);
  const lines = [dated ? fill(person.subscribed ? r.alreadySubscribed : r.subscribed, { times }) : person.subscribed ? r.alreadySubscribedNoDate : r.subscribedNoDate];
  if (dated && !defs.content.ibasho.reminders.forPlannedDates) lines.push(r.onlyConfirmedNote);
  lines.push(r.howToStop);
  return lines.join('\n');
}

function notifyOpen(t: TurnScope, intent: IntentOf<'notifyOpen'>): Turn {
  const { defs, now } = t;
  const p = defs.content.phrases;
  const window = defs.windowsById.get(intent.window);
  if (!window || 'unknown' in window.hours) return t.stay([{ kind: 'text', text: p.openNotice.noHours }], 'openNotice');
  const status = openStatus(window.hours.value, now);
  if (status.kind === 'open') return t.stay([{ kind: 'text', text: fill(p.openNotice.alreadyOpen, { name: window.name }) }], 'openNotice');
  if (status.kind !== 'closed' || !status.nextOpen) return t.stay([{ kind: 'text', text: p.openNotice.noHours }], 'openNotice');
  const text = fill(p.openNotice.subscribed, { name: window.name, when: formatWhen(p, status.nextOpen, now) });
  return { ...t.stay([{ kind: 'text', text }], 'openNotice', { kind: 'openNoticeSet' }), ...t.effects({ type: 'NOTIFY_OPEN', window: window.id, sendAt: status.nextOpen.getTime() }) };
}

export const TURN_HANDLERS: Handlers = {
  start: (t) => t.arrive(initialSnapshot(t.defs), [{ kind: 'text', text: t.defs.content.phrases.greeting }], 'greeted'),
  crisis: (t, intent) => {
    // Someone writing about another person: how to help, and where a family member can call, right after 119/110.
    const forFamily = intent.aboutSomeoneElse ? crisisForFamilyLines(t.defs) : [];
    // Danger at home told in the same message: keeping safe, and where to turn, under 119/110.
    const forDanger = intent.danger ? dangerLinesForCrisis(t.defs, t.now) : [];
    return crisisTurn(t, crisisMessages(t.defs, t.now, [...forFamily, ...forDanger]), crisisHasMore(t.defs, t.now));
  },
  moreCrisis: (t) => crisisTurn(t, moreCrisisMessages(t.defs, t.now), false),
  moreWindows: (t, intent) => {
    const answer = t.defs.flow.flow.nodes[intent.node];
    if (answer?.kind !== 'answer' || splitAnswer(t.defs, answer.windows, t.now).rest.length === 0) return t.restart(t.defs.content.phrases.staleButton, 'staleButton');
    return t.stay(moreWindowsMessages(t.defs, answer.windows, answer.audience, t.now), 'moreWindows', { kind: 'moreWindows' });
  },
  windowDetail: (t, intent) => {
    if (!t.defs.windowsById.has(intent.window)) return t.restart(t.defs.content.phrases.staleButton, 'staleButton');
    const here = t.defs.flow.flow.nodes[t.node];
    return t.stay(windowDetailMessages(t.defs, intent.window, here?.kind === 'answer' ? here.audience : 'all', t.now), 'windowDetail', { kind: 'windowDetail' });
  },
  nonText: (t) => t.stay(notUnderstoodMessages(t.defs, t.defs.content.phrases.nonText), 'nonText', { kind: 'notUnderstood' }),
  unrecognized: (t) => t.stay(notUnderstoodMessages(t.defs, t.defs.content.phrases.fallbackText), 'unrecognized', { kind: 'notUnderstood' }),
  danger: (t) => t.stay(dangerMessages(t.defs, t.now), 'danger', { kind: 'danger' }),
  askBack: (t) => ({ ...t.stay(askBackMessages(t.defs), 'askBack', { kind: 'askBack' }), state: toState(t.defs, t.snapshot, undefined, true) }),
  askedBack: (t, intent) => {
    if (intent.answer === 'yes') return t.withTyped(crisisTurn(t, crisisMessages(t.defs, t.now), crisisHasMore(t.defs, t.now)));
    const a = t.defs.content.phrases.askBack;
    return t.stay(listeningMessages(t.defs, t.now, intent.answer === 'listen' ? a.listenReply : a.notThatFarReply), 'listening');
  },
  faq: (t, intent) => t.stay(faqMessages(t.defs, intent.id), 'faq'),
  smallTalk: (t, intent) => t.stay(smallTalkMessages(t.defs, intent.id), 'smallTalk'),
  askAudience: (t, intent) => {
    const { defs } = t;
    const label = defs.flow.flow.nodes[defs.flow.flow.start]?.kind === 'question' ? optionLabel(defs, intent.needs[0]!) : '';
    return t.arrive(initialSnapshot(defs), [{ kind: 'text', text: fill(defs.content.phrases.askAudience, { need: label }) }], 'askAudience', intent.needs);
  },
  subscribe: (t) => ({
    ...t.stay([{ kind: 'text', text: reminderText(t) }], 'subscribed', { kind: 'subscribed' }),
    ...t.effects({ type: 'SUBSCRIBE', subscribed: t.person.subscribed }),
  }),
  unsubscribe: (t) => {
    const r = t.defs.content.phrases.reminder;
    return { ...t.stay([{ kind: 'text', text: t.person.subscribed ? r.stopped : r.notSubscribed }], 'unsubscribed', { kind: 'unsubscribed' }), ...t.effects({ type: 'UNSUBSCRIBE', subscribed: t.person.subscribed }) };
  },
  reminderSettings: (t) => {
    const s = t.defs.content.phrases.reminderSettings;
    const times = reminderTimesText(t.defs);
    const subscribed = t.person.subscribed;
    const text = remindersCanFire(t.defs, t.now) ? fill(subscribed ? s.subscribed : s.notSubscribed, { times }) : subscribed ? s.subscribedNoDate : s.notSubscribedNoDate;
    return t.stay([{ kind: 'text', text }], 'reminderSettings', { kind: 'reminderSettings' });
  },
  forwardCard: (t) => t.stay(forwardCardMessages(t.defs, t.now), 'forwardCard'),
  notifyOpen,
  staleButton: (t) => t.restart(t.defs.content.phrases.staleButton, 'staleButton'),
  go: moveTo,
  back: moveTo,
};
