import type { AnyMachineSnapshot } from 'xstate';
import { transition } from 'xstate';
import type { Definitions } from './definitions';
import { BACK_EVENT, goEvent, type ConversationContext, type FlowEvent } from './flow/compile';
import { interpretInput, type Input, type Intent } from './interpret-input';
import { answerMessages, crisisMessages, directoryMessages, questionChoices } from './render-reply';
import type { Choice, Reply, ReplyMessage } from './reply';

/** What is stored per person: which flow it belongs to and where in it they are. */
export interface ConversationState {
  flowVersion: string;
  snapshot: { value: string; context: ConversationContext };
}

export type TurnOutcome =
  | 'greeted'
  | 'question'
  | 'answer'
  | 'directory'
  | 'crisis'
  | 'unrecognized'
  | 'nonText'
  | 'staleButton'
  | 'reset';

export interface Turn {
  state: ConversationState;
  reply: Reply;
  outcome: TurnOutcome;
  /** The node shown, for usage counts. */
  node: string;
}

function toState(defs: Definitions, snapshot: AnyMachineSnapshot): ConversationState {
  return {
    flowVersion: defs.flow.version,
    snapshot: { value: snapshot.value as string, context: { lastQuestion: snapshot.context.lastQuestion ?? null } },
  };
}

function initialSnapshot(defs: Definitions): AnyMachineSnapshot {
  return defs.flow.machine.resolveState({ value: defs.flow.flow.start, context: { lastQuestion: defs.flow.flow.start } });
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
  return defs.flow.machine.resolveState({ value: snapshot.value, context });
}

function choicesAfterAnswer(defs: Definitions): Choice[] {
  const q = defs.content.phrases.quickReply;
  const start = defs.flow.flow.start;
  return [
    { label: q.other, action: { kind: 'back' } },
    { label: q.ibasho, action: { kind: 'go', node: ibashoNode(defs) ?? start } },
    { label: q.restart, action: { kind: 'go', node: start } },
  ];
}

function ibashoNode(defs: Definitions): string | undefined {
  const ibashoWindow = defs.content.windows.find((w) => w.schedule === 'ibasho');
  return Object.entries(defs.flow.flow.nodes).find(
    ([, node]) => node.kind === 'answer' && node.windows.length === 1 && node.windows[0] === ibashoWindow?.id,
  )?.[0];
}

/** The messages and quick replies of a node, as shown on arrival. */
function present(defs: Definitions, node: string, now: Date): { messages: ReplyMessage[]; choices: Choice[]; outcome: TurnOutcome } {
  const flowNode = defs.flow.flow.nodes[node]!;
  const q = defs.content.phrases.quickReply;
  switch (flowNode.kind) {
    case 'question': {
      const choices = questionChoices(node, flowNode);
      if (node !== defs.flow.flow.start) choices.push({ label: q.restart, action: { kind: 'go', node: defs.flow.flow.start } });
      return { messages: [{ kind: 'text', text: flowNode.prompt }], choices, outcome: 'question' };
    }
    case 'answer':
      return { messages: answerMessages(defs, flowNode.windows, flowNode.audience, now), choices: choicesAfterAnswer(defs), outcome: 'answer' };
    case 'directory':
      return { messages: directoryMessages(defs, now), choices: choicesAfterAnswer(defs), outcome: 'directory' };
  }
}

/** The quick replies that fit where someone is, for replies that do not move them. */
function choicesAt(defs: Definitions, node: string): Choice[] {
  const flowNode = defs.flow.flow.nodes[node]!;
  if (flowNode.kind !== 'question') return choicesAfterAnswer(defs);
  const choices = questionChoices(node, flowNode);
  if (node !== defs.flow.flow.start) choices.push({ label: defs.content.phrases.quickReply.restart, action: { kind: 'go', node: defs.flow.flow.start } });
  return choices;
}

function apply(defs: Definitions, snapshot: AnyMachineSnapshot, intent: Extract<Intent, { kind: 'go' | 'back' }>): AnyMachineSnapshot | null {
  const event: FlowEvent = intent.kind === 'back' ? BACK_EVENT : goEvent(intent.node);
  if (snapshot.can(event)) return transition(defs.flow.machine, snapshot, event)[0];
  // A button from an earlier question: replay it from the question it was offered on.
  if (intent.kind === 'go' && intent.from && defs.flow.flow.nodes[intent.from]) {
    const origin = defs.flow.machine.resolveState({ value: intent.from, context: { lastQuestion: intent.from } });
    if (origin.can(event)) return transition(defs.flow.machine, origin, event)[0];
  }
  return null;
}

/**
 * One turn of the conversation: pure. Given what was stored, what arrived and the time, it returns
 * the state to store and the reply to send. It never throws for anything a person can send.
 */
export function step(defs: Definitions, stored: unknown, input: Input, now: Date): Turn {
  const phrases = defs.content.phrases;
  const start = defs.flow.flow.start;
  const restored = stored === null || stored === undefined ? null : restore(defs, stored);
  const wasReset = stored !== null && stored !== undefined && restored === null;
  const snapshot = restored ?? initialSnapshot(defs);
  const node = snapshot.value as string;
  const intent = interpretInput(defs.flow.flow, defs.content.crisis.keywords, node, input);

  const turn = (next: AnyMachineSnapshot, lead: ReplyMessage[], outcome: TurnOutcome | null): Turn => {
    const shown = present(defs, next.value as string, now);
    const notice: ReplyMessage[] = wasReset ? [{ kind: 'text', text: phrases.resetNotice }] : [];
    return {
      state: toState(defs, next),
      reply: { messages: [...notice, ...lead, ...shown.messages], choices: shown.choices },
      outcome: wasReset ? 'reset' : (outcome ?? shown.outcome),
      node: next.value as string,
    };
  };
  const stay = (messages: ReplyMessage[], outcome: TurnOutcome): Turn => ({
    state: toState(defs, snapshot),
    reply: { messages: wasReset ? [{ kind: 'text', text: phrases.resetNotice }, ...messages] : messages, choices: choicesAt(defs, node) },
    outcome,
    node,
  });

  switch (intent.kind) {
    case 'start':
      return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.greeting }], 'greeted');
    case 'crisis':
      return {
        state: toState(defs, snapshot),
        reply: { messages: crisisMessages(defs, now), choices: [{ label: phrases.quickReply.menu, action: { kind: 'go', node: start } }] },
        outcome: 'crisis',
        node,
      };
    case 'nonText':
      return stay([{ kind: 'text', text: phrases.nonText }], 'nonText');
    case 'unrecognized':
      return stay([{ kind: 'text', text: phrases.fallbackText }], 'unrecognized');
    case 'staleButton':
      return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
    case 'go':
    case 'back': {
      const next = apply(defs, snapshot, intent);
      if (!next) return turn(initialSnapshot(defs), [{ kind: 'text', text: phrases.staleButton }], 'staleButton');
      const lead: ReplyMessage[] =
        next.value === start && intent.kind === 'go' && node !== start ? [{ kind: 'text', text: phrases.restartIntro }] : [];
      return turn(next, lead, null);
    }
  }
}
