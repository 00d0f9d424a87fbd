/**
 * Where a word of the flow leads, as a typed value: a node, back to the question before, or an action.
 * `flows/` writes them as a node id, `$back`, or a command's `action`; they are read into this once,
 * where the flow's words are compiled (understanding.ts, interpret-input.ts), and never decoded again.
 */
import { BACK_TARGET, type CommandAction } from './schema';

export type Target = { kind: 'node'; node: string } | { kind: 'back' } | { kind: 'action'; action: CommandAction };

export const nodeTarget = (node: string): Target => ({ kind: 'node', node });

/** A command's target: its action, `$back`, or the node it names. */
export function commandTarget(command: { next?: string; action?: CommandAction }): Target {
  if (command.action) return { kind: 'action', action: command.action };
  if (command.next === BACK_TARGET) return { kind: 'back' };
  return nodeTarget(command.next!);
}

/** One string per target, for sets and comparisons. */
export function targetKey(target: Target): string {
  return target.kind === 'node' ? `node:${target.node}` : target.kind === 'back' ? 'back' : `action:${target.action}`;
}
