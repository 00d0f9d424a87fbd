/**
 * What is stored per person, and how it is read back: the node, the question it answered, and two
 * one-turn memories (a need typed before saying who is asking; the question asked back). Pure.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Definitions } from './definitions';
import type { ConversationContext } from './flow/compile';
import { DEFAULT_LANG, langOf, type Lang } from './lang';

/** What is stored per person: which flow it belongs to and where in it they are. */
export interface ConversationState {
  flowVersion: string;
  /** The conversation's language; absent means Japanese (states stored before languages were kept). */
  lang?: Lang;
  snapshot: { value: string; context: StoredContext };
}

/** The language of a stored state (Japanese when it has none, or one the guide does not know). */
export function storedLang(stored: unknown): Lang {
  return langOf((stored as { lang?: unknown } | null)?.lang);
}

/**
 * The machine's context, and a need typed before the person said who they are (the answer nodes it
 * means for ご本人 and for ご家族): the next 本人/家族 answers it directly. Kept for one turn, like
 * `askedBack` (the last reply asked 死にたいほどつらい気持ちがありますか?).
 */
export type StoredContext = ConversationContext & { pendingNeed?: string[]; askedBack?: true };

export function toState(defs: Definitions, snapshot: AnyMachineSnapshot, pendingNeed?: string[], askedBack = false): ConversationState {
  const context: StoredContext = { lastQuestion: snapshot.context.lastQuestion ?? null };
  if (pendingNeed && pendingNeed.length > 0) context.pendingNeed = pendingNeed;
  if (askedBack) context.askedBack = true;
  const state: ConversationState = { flowVersion: defs.flow.version, snapshot: { value: snapshot.value as string, context } };
  if (defs.lang !== DEFAULT_LANG) state.lang = defs.lang;
  return state;
}

/** The pending need kept in a stored state, if its nodes still exist. */
export function storedPendingNeed(defs: Definitions, stored: unknown): string[] {
  const pending = (stored as { snapshot?: { context?: { pendingNeed?: unknown } } } | null)?.snapshot?.context?.pendingNeed;
  if (!Array.isArray(pending)) return [];
  return pending.filter((n): n is string => typeof n === 'string' && defs.flow.flow.nodes[n]?.kind === 'answer');
}

/** Whether the last reply asked 死にたいほどつらい気持ちがありますか? */
export function storedAskedBack(stored: unknown): boolean {
  return (stored as { snapshot?: { context?: { askedBack?: unknown } } } | null)?.snapshot?.context?.askedBack === true;
}

export function initialSnapshot(defs: Definitions): AnyMachineSnapshot {
  return defs.flow.at(defs.flow.flow.start, defs.flow.flow.start);
}

/** Restores a stored state; null when it does not fit the current flow (old version, unknown node, corrupt). */
export function restore(defs: Definitions, stored: unknown): AnyMachineSnapshot | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { flowVersion, snapshot } = stored as Partial<ConversationState>;
  if (flowVersion !== defs.flow.version || typeof snapshot?.value !== 'string') return null;
  if (storedLang(stored) !== defs.lang) return null;
  if (!Object.prototype.hasOwnProperty.call(defs.flow.flow.nodes, snapshot.value)) return null;
  const lastQuestion = snapshot.context?.lastQuestion;
  const context: ConversationContext = {
    lastQuestion: typeof lastQuestion === 'string' && defs.flow.flow.nodes[lastQuestion]?.kind === 'question' ? lastQuestion : null,
  };
  return defs.flow.at(snapshot.value, context.lastQuestion);
}
