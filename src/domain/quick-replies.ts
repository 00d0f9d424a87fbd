/**
 * Quick replies of a turn's reply: every list of choices a turn offers is built here, from where the
 * person is (the node, whether they receive いばしょ reminders, the time) and what the reply was. (The
 * pushes, reminderReply and openNoticeReply in render-reply.ts, carry their own one button.)
 */
import type { Definitions } from './definitions';
import type { QuestionNode } from './flow/schema';
import { closedWindows, splitAnswer } from './render-reply';
import type { Choice } from './reply';

/** A question's options as buttons, each remembering the question it was offered on. */
function questionChoices(node: string, question: QuestionNode): Choice[] {
  return question.options.map((option) => ({ label: option.label, action: { kind: 'go', node: option.next, from: node } }));
}

/** Where a reply is shown: the node the person is at, whether they receive いばしょ reminders, and when. */
export interface ChoicesAt {
  node: string;
  subscribed: boolean;
  now: Date;
}

/** What the reply is, as far as its choices go: arriving at or staying on a node, or one of the turns that adjust them. */
export type ChoicesFor =
  | { kind: 'node'; closedNow?: ReturnType<typeof closedWindows> }
  | { kind: 'crisis'; more: boolean }
  | { kind: 'notUnderstood' }
  | { kind: 'askBack' }
  | { kind: 'danger' }
  | { kind: 'moreWindows' }
  | { kind: 'windowDetail' }
  | { kind: 'subscribed' }
  | { kind: 'unsubscribed' }
  | { kind: 'reminderSettings' }
  | { kind: 'openNoticeSet' };

function reminderChoice(defs: Definitions, subscribed: boolean): Choice {
  const q = defs.content.phrases.quickReply;
  return subscribed ? { label: q.unsubscribe, action: { kind: 'unsubscribe' } } : { label: q.subscribe, action: { kind: 'subscribe' } };
}

/**
 * Under an answer: ほかの相談を見る / いばしょの日程 / 最初から. Where いばしょ's date is shown, its reminder
 * takes the place of いばしょの日程 (and, for families, a message to forward to ご本人); before them come
 * ほかの窓口も見る when the answer has more windows than its cards, then 開いたらお知らせ when one is closed now.
 */
function choicesAfterAnswer(defs: Definitions, { node, subscribed, now }: ChoicesAt, closedNow?: ReturnType<typeof closedWindows>): Choice[] {
  const q = defs.content.phrases.quickReply;
  const start = defs.flow.flow.start;
  const flowNode = defs.flow.flow.nodes[node];
  const windows = flowNode?.kind === 'answer' ? flowNode.windows : [];
  const showsIbasho = windows.includes(defs.ibasho.window);
  const forFamily = flowNode?.kind === 'answer' && flowNode.audience === 'family';
  const closed = (closedNow ?? closedWindows(defs, windows, now))[0];
  const choices: Choice[] = [];
  if (flowNode?.kind === 'answer' && splitAnswer(defs, windows, now).rest.length > 0) {
    choices.push({ label: q.moreWindows, action: { kind: 'moreWindows', node } });
  }
  if (closed) choices.push({ label: q.notifyOpen, action: { kind: 'notifyOpen', window: closed.window.id } });
  if (showsIbasho) choices.push(reminderChoice(defs, subscribed));
  if (showsIbasho && forFamily) choices.push({ label: q.forwardCard, action: { kind: 'forwardCard' } });
  choices.push({ label: q.other, action: { kind: 'back' } });
  if (!showsIbasho) choices.push({ label: q.ibasho, action: { kind: 'go', node: defs.ibasho.node } });
  choices.push({ label: q.restart, action: { kind: 'go', node: start } });
  return choices;
}

/** The quick replies that fit where someone is: a question's options (and 最初から), or an answer's. */
function choicesAtNode(defs: Definitions, at: ChoicesAt, closedNow?: ReturnType<typeof closedWindows>): Choice[] {
  const flowNode = defs.flow.flow.nodes[at.node]!;
  if (flowNode.kind !== 'question') return choicesAfterAnswer(defs, at, closedNow);
  const choices = questionChoices(at.node, flowNode);
  const start = defs.flow.flow.start;
  if (at.node !== start) choices.push({ label: defs.content.phrases.quickReply.restart, action: { kind: 'go', node: start } });
  return choices;
}

const without = (choices: Choice[], ...kinds: Choice['action']['kind'][]) => choices.filter((c) => !kinds.includes(c.action.kind));

/** The quick replies of a reply: where the person is, adjusted for what the reply was. */
export function choicesFor(defs: Definitions, at: ChoicesAt, reply: ChoicesFor): Choice[] {
  const q = defs.content.phrases.quickReply;
  const start = defs.flow.flow.start;
  switch (reply.kind) {
    case 'node':
      return choicesAtNode(defs, at, reply.closedNow);
    case 'crisis':
      return [...(reply.more ? [{ label: q.moreCrisis, action: { kind: 'moreCrisis' } } as Choice] : []), { label: q.menu, action: { kind: 'go', node: start } }];
    case 'notUnderstood':
      // Every reply that did not understand keeps the crisis lines one tap away: first, so that a channel
      // that shows fewer choices keeps it.
      return [{ label: q.crisisLines, action: { kind: 'crisisLines' } } as Choice, ...choicesAtNode(defs, at)];
    case 'askBack': {
      const a = defs.content.phrases.askBack;
      return [
        { label: a.yes, action: { kind: 'askedBack', answer: 'yes' } },
        { label: a.notThatFar, action: { kind: 'askedBack', answer: 'notThatFar' } },
        { label: a.listen, action: { kind: 'askedBack', answer: 'listen' } },
      ];
    }
    case 'danger':
      return [{ label: q.crisisLines, action: { kind: 'crisisLines' } }, { label: q.menu, action: { kind: 'go', node: start } }];
    case 'moreWindows':
      return without(choicesAtNode(defs, at), 'moreWindows');
    case 'windowDetail':
      return [{ label: q.phones, action: { kind: 'go', node: defs.phonesNode ?? start } }, ...without(choicesAtNode(defs, at), 'moreWindows', 'notifyOpen')];
    case 'subscribed':
      return [reminderChoice(defs, true), ...without(choicesAtNode(defs, { ...at, subscribed: true }), 'subscribe', 'unsubscribe')];
    case 'unsubscribed':
      return choicesAtNode(defs, { ...at, subscribed: false });
    case 'reminderSettings':
      return [reminderChoice(defs, at.subscribed), { label: q.restart, action: { kind: 'go', node: start } }];
    case 'openNoticeSet':
      return without(choicesAtNode(defs, at), 'notifyOpen');
  }
}

/** The replies whose buttons can stand where the person is, arriving there first. */
const REPLIES_HERE: ChoicesFor[] = [
  { kind: 'node' },
  { kind: 'crisis', more: true },
  { kind: 'notUnderstood' },
  { kind: 'windowDetail' },
  { kind: 'subscribed' },
  { kind: 'unsubscribed' },
  { kind: 'reminderSettings' },
];

/**
 * The buttons any reply here may have shown, each label once, those of arriving here first: typing a
 * label does what tapping it does, also for a button only the last reply had (ほかの相談先 under the
 * crisis lines, 電話番号の一覧 under a window's details). `notHere` are the labels of buttons that
 * belong to another place (開いたらお知らせ needs a window that is closed now): typed, they are not
 * read as a sentence, where お知らせ would ask for the いばしょ reminders.
 */
export function choicesTypedHere(defs: Definitions, at: ChoicesAt): { offered: Choice[]; notHere: string[] } {
  const offered: Choice[] = [];
  const labels = new Set<string>();
  for (const reply of REPLIES_HERE) {
    for (const choice of choicesFor(defs, at, reply)) {
      if (labels.has(choice.label)) continue;
      labels.add(choice.label);
      offered.push(choice);
    }
  }
  const q = defs.content.phrases.quickReply;
  return { offered, notHere: [q.notifyOpen, q.moreWindows].filter((label) => !labels.has(label)) };
}
