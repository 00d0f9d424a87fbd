import { assign, setup, type AnyStateMachine } from 'xstate';
import { BACK_TARGET, type Flow } from './schema';

export interface ConversationContext {
  /** The last question shown, where ほかの相談を見る returns to. */
  lastQuestion: string | null;
}

export type FlowEvent = { type: `GO.${string}` } | { type: 'BACK' };

export const goEvent = (node: string): FlowEvent => ({ type: `GO.${node}` });
export const BACK_EVENT: FlowEvent = { type: 'BACK' };

export interface CompiledFlow {
  flow: Flow;
  /** Stored with each user's state; a stored state of another version restarts kindly. */
  version: string;
  machine: AnyStateMachine;
  /** Every event the machine understands, for graph walks. */
  events: FlowEvent[];
}

/**
 * Compiles the validated flow into one xstate machine: a state per node, `GO.<node>` transitions
 * for options (on the question) and commands (on the root, so they work from anywhere), and BACK
 * guarded by where the person came from. Guards and actions are referenced by name.
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
    types: {} as { context: ConversationContext; events: FlowEvent },
    guards: {
      cameFrom: ({ context }, params: { node: string }) => context.lastQuestion === params.node,
    },
    actions: {
      rememberQuestion: assign((_, params: { node: string }) => ({ lastQuestion: params.node })),
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
  return { flow, version: `${flow.id}@${flow.version}`, machine: machine as unknown as AnyStateMachine, events };
}

