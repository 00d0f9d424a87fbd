import { assign, not, setup, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { BACK_TARGET, type Flow } from './schema';

export interface ConversationContext {
  /** The last question shown, where ほかの相談を見る returns to. */
  lastQuestion: string | null;
}

export type FlowEvent = { type: `GO.${string}` } | { type: 'BACK' };

/**
 * What a person asks for without moving: the いばしょ reminders on or off (`subscribed` is what the
 * store knows now), and one push when a closed window opens (`sendAt`, epoch ms).
 */
export type PersonEvent =
  | { type: 'SUBSCRIBE'; subscribed: boolean }
  | { type: 'UNSUBSCRIBE'; subscribed: boolean }
  | { type: 'NOTIFY_OPEN'; window: string; sendAt: number };

export type ConversationEvent = FlowEvent | PersonEvent;

/**
 * The effects a turn asks the use case to carry out, as the named actions `transition()` returns:
 * the machine decides them, the use case saves them with the turn.
 */
export type TurnEffect =
  | { type: 'subscribe'; params?: undefined }
  | { type: 'unsubscribe'; params?: undefined }
  | { type: 'notifyWhenOpen'; params: { window: string; sendAt: number } };

export const goEvent = (node: string): FlowEvent => ({ type: `GO.${node}` });
export const BACK_EVENT: FlowEvent = { type: 'BACK' };

export interface CompiledFlow {
  flow: Flow;
  /** Stored with each user's state; a stored state of another version restarts kindly. */
  version: string;
  machine: AnyStateMachine;
  /** Every event the machine understands, for graph walks. */
  events: FlowEvent[];
  /** The machine's snapshot at a node, with the last question shown (see flowMoves). */
  at(node: string, lastQuestion: string | null): AnyMachineSnapshot;
  /** Where a flow event leads from a snapshot, or null where the machine does not take it (see flowMoves). */
  next(snapshot: AnyMachineSnapshot, event: FlowEvent): AnyMachineSnapshot | null;
}

/**
 * The machine's answers to the flow's own events, kept for the life of the compiled flow. Where a GO
 * or BACK leads depends only on the node and the last question shown, never on the person or the
 * clock; xstate's `transition()` builds a whole inert actor (with its initial snapshot) for every
 * call, almost half of what the conversation step allocated. So each (node, last question, event)
 * goes through `resolveState`, `can` and `transition` once, and the snapshots it gives are shared:
 * nothing here or in conversation.ts changes a snapshot, it only reads `value` and `context`. Memory
 * is bounded by nodes × questions × events, a few thousand small objects (readInput turns a button
 * for a node of no flow into a stale button before it gets here; the cap guards against a caller
 * that does not). Person events (SUBSCRIBE …) carry the person's data and still go through
 * `transition()` each time.
 */
const MOVES_KEPT = 20_000;

function flowMoves(machine: AnyStateMachine): Pick<CompiledFlow, 'at' | 'next'> {
  const snapshots = new Map<string, AnyMachineSnapshot>();
  const moves = new Map<string, AnyMachineSnapshot | null>();
  const keyOf = (node: string, lastQuestion: string | null) => `${node}\u0000${lastQuestion ?? ''}`;
  return {
    at(node, lastQuestion) {
      const key = keyOf(node, lastQuestion);
      let snapshot = snapshots.get(key);
      if (!snapshot) {
        snapshot = machine.resolveState({ value: node, context: { lastQuestion } });
        snapshots.set(key, snapshot);
      }
      return snapshot;
    },
    next(snapshot, event) {
      const context = snapshot.context as ConversationContext;
      const key = `${keyOf(snapshot.value as string, context.lastQuestion)}\u0000${event.type}`;
      let next = moves.get(key);
      if (next === undefined) {
        next = snapshot.can(event) ? transition(machine, snapshot, event)[0] : null;
        if (moves.size < MOVES_KEPT) moves.set(key, next);
      }
      return next;
    },
  };
}

/**
 * Compiles the validated flow into one xstate machine: a state per node, `GO.<node>` transitions
 * for options (on the question) and commands (on the root, so they work from anywhere), and BACK
 * guarded by where the person came from. SUBSCRIBE, UNSUBSCRIBE and NOTIFY_OPEN work from anywhere
 * without moving; their named actions (`subscribe`, `unsubscribe`, `notifyWhenOpen`) are what the
 * pure `transition()` hands back as the turn's effects, so they do nothing when run here. Guards and
 * actions are referenced by name.
 */
export function compileFlow(flow: Flow): CompiledFlow {
  const questionIds = Object.entries(flow.nodes)
    .filter(([, node]) => node.kind === 'question')
    .map(([id]) => id);
  const target = (node: string) => `#${flow.id}.${node}`;

  const backTransitions = [
    ...questionIds.map((node) => ({ guard: { type: 'cameFrom' as const, params: { node } }, target: target(node) })),
    { target: target(flow.start) },
  ];

  const rootOn: Record<string, unknown> = {};
  for (const command of flow.commands) {
    if (command.next === undefined) continue;
    rootOn[command.next === BACK_TARGET ? 'BACK' : `GO.${command.next}`] =
      command.next === BACK_TARGET ? backTransitions : { target: target(command.next) };
  }
  rootOn.BACK ??= backTransitions;
  rootOn[`GO.${flow.start}`] ??= { target: target(flow.start) };
  // Already subscribed (or not): nothing to change, so no effect.
  rootOn.SUBSCRIBE = { guard: not('subscribed'), actions: 'subscribe' };
  rootOn.UNSUBSCRIBE = { guard: 'subscribed', actions: 'unsubscribe' };
  rootOn.NOTIFY_OPEN = {
    actions: {
      type: 'notifyWhenOpen',
      params: ({ event }: { event: Extract<PersonEvent, { type: 'NOTIFY_OPEN' }> }) => ({ window: event.window, sendAt: event.sendAt }),
    },
  };

  const states: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind === 'question') {
      states[id] = {
        entry: { type: 'rememberQuestion', params: { node: id } },
        on: Object.fromEntries(node.options.map((option) => [`GO.${option.next}`, { target: target(option.next) }])),
      };
    } else {
      states[id] = {};
    }
  }

  const machine = setup({
    types: {} as { context: ConversationContext; events: ConversationEvent },
    guards: {
      cameFrom: ({ context }, params: { node: string }) => context.lastQuestion === params.node,
      subscribed: ({ event }) => (event.type === 'SUBSCRIBE' || event.type === 'UNSUBSCRIBE') && event.subscribed,
    },
    actions: {
      rememberQuestion: assign((_, params: { node: string }) => ({ lastQuestion: params.node })),
      // Effects carried out by the use case (see TurnEffect).
      subscribe: () => {},
      unsubscribe: () => {},
      notifyWhenOpen: (_, _params: { window: string; sendAt: number }) => {},
    },
  }).createMachine({
    id: flow.id,
    initial: flow.start,
    context: { lastQuestion: null },
    on: rootOn as never,
    states: states as never,
  });

  const targets = new Set<string>([flow.start]);
  for (const command of flow.commands) if (command.next) targets.add(command.next);
  for (const node of Object.values(flow.nodes)) {
    if (node.kind === 'question') node.options.forEach((o) => targets.add(o.next));
  }
  const events: FlowEvent[] = [...targets].filter((t) => t !== BACK_TARGET).map(goEvent);
  events.push(BACK_EVENT);

  // The machine's states are only known at run time, so its precise type helps no one.
  const anyMachine = machine as unknown as AnyStateMachine;
  return { flow, version: `${flow.id}@${flow.version}`, machine: anyMachine, events, ...flowMoves(anyMachine) };
}

