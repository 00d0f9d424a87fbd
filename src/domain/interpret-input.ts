import { BACK_TARGET, type CommandAction, type Flow } from './flow/schema';
import { decodePostback } from './postback';
import type { ChoiceAction } from './reply';

/** What arrived from a person, whatever the channel. */
export type Input =
  | { kind: 'follow' }
  | { kind: 'text'; text: string }
  | { kind: 'postback'; data: string }
  | { kind: 'nonText' };

/** What an input means: anything a button can ask for, or one of the cases only typing or events give. */
export type Intent =
  | ChoiceAction
  | { kind: 'start' }
  | { kind: 'crisis' }
  | { kind: 'unrecognized' }
  | { kind: 'nonText' }
  | { kind: 'staleButton' };

/** Width, case and kana folded so that ｲﾊﾞｼｮ, イバショ and いばしょ match alike. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s　、。!?!?・]/g, '')
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

interface Term {
  term: string;
  /** A node, $back, or an action prefixed with "!" */
  target: string;
  fromCurrentNode: boolean;
}

const actionIntent: Record<CommandAction, Intent> = {
  'subscribe-reminders': { kind: 'subscribe' },
  'unsubscribe-reminders': { kind: 'unsubscribe' },
  'reminder-settings': { kind: 'reminderSettings' },
};

/** The flow is fixed while loaded: each node's normalized terms are worked out once. */
const termsByFlow = new WeakMap<Flow, Map<string, readonly Term[]>>();

function termsAt(flow: Flow, node: string): readonly Term[] {
  // Only nodes of the flow are kept, whatever a stored state says.
  if (!Object.hasOwn(flow.nodes, node)) return computeTermsAt(flow, node);
  let byNode = termsByFlow.get(flow);
  if (!byNode) termsByFlow.set(flow, (byNode = new Map()));
  let terms = byNode.get(node);
  if (!terms) byNode.set(node, (terms = Object.freeze(computeTermsAt(flow, node))));
  return terms;
}

function computeTermsAt(flow: Flow, node: string): Term[] {
  const terms: Term[] = [];
  const current = flow.nodes[node];
  if (current?.kind === 'question') {
    for (const option of current.options) {
      for (const t of [option.label, ...option.synonyms]) terms.push({ term: normalize(t), target: option.next, fromCurrentNode: true });
    }
  }
  for (const command of flow.commands) {
    const target = command.action ? `!${command.action}` : command.next!;
    for (const t of [command.label, ...command.synonyms]) terms.push({ term: normalize(t), target, fromCurrentNode: false });
  }
  return terms.filter((t) => t.term.length > 0);
}

function matchText(flow: Flow, node: string, text: string): Intent {
  const typed = normalize(text);
  if (typed.length === 0) return { kind: 'unrecognized' };
  const terms = termsAt(flow, node);
  const exact = terms.find((t) => t.term === typed && t.fromCurrentNode) ?? terms.find((t) => t.term === typed);
  const toIntent = (t: Term): Intent => {
    if (t.target === BACK_TARGET) return { kind: 'back' };
    if (t.target.startsWith('!')) return actionIntent[t.target.slice(1) as CommandAction];
    return t.fromCurrentNode ? { kind: 'go', node: t.target, from: node } : { kind: 'go', node: t.target };
  };
  if (exact) return toIntent(exact);

  // Within a sentence, one-character words (母, 心, 会) are too loose: only longer ones count.
  const contained = terms.filter((t) => [...t.term].length >= 2 && typed.includes(t.term));
  if (contained.length === 0) return { kind: 'unrecognized' };
  const longest = Math.max(...contained.map((t) => t.term.length));
  const best = contained.filter((t) => t.term.length === longest);
  const preferred = best.some((t) => t.fromCurrentNode) ? best.filter((t) => t.fromCurrentNode) : best;
  const targets = new Set(preferred.map((t) => t.target));
  return targets.size === 1 ? toIntent(preferred[0]!) : { kind: 'unrecognized' };
}

export function containsCrisisWord(text: string, keywords: readonly string[]): boolean {
  const typed = normalize(text);
  return keywords.some((k) => typed.includes(normalize(k)));
}

/** Decides what an input means at `node`. Crisis words win over everything else. */
export function interpretInput(flow: Flow, crisisKeywords: readonly string[], node: string, input: Input): Intent {
  switch (input.kind) {
    case 'follow':
      return { kind: 'start' };
    case 'nonText':
      return { kind: 'nonText' };
    case 'postback': {
      const action = decodePostback(input.data);
      if (!action) return { kind: 'staleButton' };
      if (action.kind !== 'go') return action;
      if (!Object.prototype.hasOwnProperty.call(flow.nodes, action.node)) return { kind: 'staleButton' };
      return action.from ? { kind: 'go', node: action.node, from: action.from } : { kind: 'go', node: action.node };
    }
    case 'text':
      if (containsCrisisWord(input.text, crisisKeywords)) return { kind: 'crisis' };
      return matchText(flow, node, input.text);
  }
}
