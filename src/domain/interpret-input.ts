import type { CommandAction, Flow } from './flow/schema';
import { commandTarget, nodeTarget, targetKey, type Target } from './flow/target';
import { decodePostback } from './postback';
import type { Choice, ChoiceAction } from './reply';
import {
  readAudience,
  readCommand,
  readFaq,
  readSafety,
  readNeeds,
  readSmallTalk,
  readText,
  type Audience,
  type Understanding,
} from './text/understanding';

/** What arrived from a person, whatever the channel. */
export type Input =
  | { kind: 'follow' }
  | { kind: 'text'; text: string }
  | { kind: 'postback'; data: string }
  | { kind: 'nonText' };

/** What an input means: anything a button can ask for, or one of the cases only typing or events give. */
export type Intent =
  | Exclude<ChoiceAction, { kind: 'crisisLines' }>
  | { kind: 'start' }
  | { kind: 'crisis'; aboutSomeoneElse: boolean; danger?: boolean }
  /** Violence or threats at home (and no crisis words). */
  | { kind: 'danger' }
  /** Exhaustion or hopelessness without a clear intent: ask back whether it is that hard. */
  | { kind: 'askBack' }
  | { kind: 'faq'; id: string }
  | { kind: 'smallTalk'; id: string }
  /** A need is clear but not who is asking: the answer nodes it means for each audience. */
  | { kind: 'askAudience'; needs: string[] }
  | { kind: 'unrecognized' }
  | { kind: 'nonText' }
  | { kind: 'staleButton' };

/**
 * How an input was read: `understood` when typed text was read as a sentence (a need, a question,
 * small talk) rather than as a button or one of the flow's words.
 */
export interface Reading {
  intent: Intent;
  understood: boolean;
}

/** Where the person is, as far as reading their words goes. */
export interface ReadingContext {
  /** The question whose options typed words pick first (the current one, or the one an answer answered). */
  node: string;
  /** Who the person said they are, from where they are in the tree. */
  audience: Audience | null;
  /**
   * The quick replies the person sees here: typing one's label exactly does what tapping it does, so
   * 「開いたらお知らせ」 typed under an answer asks for that notice, not for the いばしょ reminders.
   */
  offered?: readonly Choice[];
  /** Labels of buttons this place does not offer (see choicesTypedHere): typed, they are not understood. */
  notHere?: readonly string[];
}

interface Term {
  term: string;
  target: Target;
  fromCurrentNode: boolean;
}

const actionIntent: Record<CommandAction, Intent> = {
  'subscribe-reminders': { kind: 'subscribe' },
  'unsubscribe-reminders': { kind: 'unsubscribe' },
  'reminder-settings': { kind: 'reminderSettings' },
};

/** The flow is fixed while loaded: each node's normalized terms are worked out once. */
const termsByFlow = new WeakMap<Flow, Map<string, readonly Term[]>>();

function termsAt(u: Understanding, flow: Flow, node: string): readonly Term[] {
  // Only nodes of the flow are kept, whatever a stored state says.
  if (!Object.hasOwn(flow.nodes, node)) return computeTermsAt(u, flow, node);
  let byNode = termsByFlow.get(flow);
  if (!byNode) termsByFlow.set(flow, (byNode = new Map()));
  let terms = byNode.get(node);
  if (!terms) byNode.set(node, (terms = Object.freeze(computeTermsAt(u, flow, node))));
  return terms;
}

function computeTermsAt(u: Understanding, flow: Flow, node: string): Term[] {
  const terms: Term[] = [];
  const current = flow.nodes[node];
  if (current?.kind === 'question') {
    for (const option of current.options) {
      for (const t of [option.label, ...option.synonyms]) terms.push({ term: readText(u, t), target: nodeTarget(option.next), fromCurrentNode: true });
    }
  }
  for (const command of flow.commands) {
    const target = commandTarget(command);
    for (const t of [command.label, ...command.synonyms]) terms.push({ term: readText(u, t), target, fromCurrentNode: false });
  }
  return terms.filter((t) => t.term.length > 0);
}

function targetIntent(target: Target, from?: string): Intent {
  if (target.kind === 'back') return { kind: 'back' };
  if (target.kind === 'action') return actionIntent[target.action];
  return from ? { kind: 'go', node: target.node, from } : { kind: 'go', node: target.node };
}

/** The question that offers `node` as an option (so the move can be replayed from there). */
function questionOffering(u: Understanding, node: string): string | undefined {
  return u.needs.find((n) => n.node === node)?.question;
}

/** Typed words that are exactly one of the flow's labels or synonyms: the current question's first. */
function exactWord(u: Understanding, flow: Flow, node: string, typed: string): Intent | null {
  const terms = termsAt(u, flow, node);
  const exact = terms.find((t) => t.term === typed && t.fromCurrentNode) ?? terms.find((t) => t.term === typed);
  if (!exact) return null;
  return targetIntent(exact.target, exact.fromCurrentNode ? node : undefined);
}

/** A sentence: a need of the whole tree (with who is asking), a command in its everyday form, or who is writing. */
function sentence(u: Understanding, flow: Flow, at: ReadingContext, typed: string): Intent | null {
  const said = readAudience(u, typed);
  const audience = said ?? at.audience;
  const needs = readNeeds(u, typed);
  const command = readCommand(u, typed);

  // The current question's own options, contained in the sentence, as before (居場所 at family → family-place).
  const own = termsAt(u, flow, at.node).filter((t) => t.fromCurrentNode && [...t.term].length >= 2 && typed.includes(t.term));
  const ownBest = own.length > 0 ? Math.max(...own.map((t) => [...t.term].length)) : 0;

  if (needs.length > 0) {
    const fitting = audience ? needs.filter((n) => u.audienceOf.get(n.node) === audience) : [];
    // Someone who said who they are, whose words fit only the other audience's answers: their question.
    if (said && fitting.length === 0 && !command) return audienceQuestion(u, flow, at, said);
    const candidates = fitting.length > 0 ? fitting : needs;
    // Among equals, the current question's own option (仕事 at the family question → family-living).
    const top = candidates.filter((n) => n.score === candidates[0]!.score);
    const best = top.find((n) => questionOffering(u, n.node) === at.node) ?? top[0]!;
    if (command && command.length > best.score) return targetIntent(command.target);
    if (audience) return targetIntent(nodeTarget(best.node), questionOffering(u, best.node));
    // Who is asking is not known: the best node of each audience the words fit. One audience → answer;
    // both → ask, and answer once the person says who they are.
    // The other audience counts when its best is close (お金 fits both; 訪問 + 相談 is the family's visit).
    const perAudience = new Map<Audience, string>([[u.audienceOf.get(best.node)!, best.node]]);
    for (const n of candidates) {
      const a = u.audienceOf.get(n.node)!;
      if (!perAudience.has(a) && n.score >= best.score * CLOSE) perAudience.set(a, n.node);
    }
    if (perAudience.size === 1) return targetIntent(nodeTarget(best.node), questionOffering(u, best.node));
    return { kind: 'askAudience', needs: [...perAudience.values()] };
  }
  if (command && command.length > ownBest) return targetIntent(command.target);
  if (own.length > 0) {
    const longest = own.filter((t) => [...t.term].length === ownBest);
    if (new Set(longest.map((t) => targetKey(t.target))).size === 1) return targetIntent(longest[0]!.target, at.node);
  }
  if (said) return audienceQuestion(u, flow, at, said);
  return null;
}

/** How close another audience's best need must be to the best one for the bot to ask who is writing. */
const CLOSE = 0.75;

function audienceQuestion(u: Understanding, flow: Flow, at: ReadingContext, said: Audience): Intent | null {
  const question = [...u.audienceOf.entries()].find(([id, a]) => a === said && flow.nodes[id]?.kind === 'question')?.[0];
  return question ? targetIntent(nodeTarget(question), flow.start === at.node ? at.node : undefined) : null;
}

/** Reads typed text: crisis first, then the flow's own words, small talk, questions, then sentences. */
export function readTyped(u: Understanding, flow: Flow, at: ReadingContext, text: string): Reading {
  const typed = readText(u, text);
  if (typed.length === 0) return { intent: { kind: 'unrecognized' }, understood: false };
  const safety = readSafety(u, text, typed);
  if (safety.crisis) {
    const intent: Intent = safety.danger
      ? { kind: 'crisis', aboutSomeoneElse: safety.aboutSomeoneElse, danger: true }
      : { kind: 'crisis', aboutSomeoneElse: safety.aboutSomeoneElse };
    return { intent, understood: false };
  }
  if (safety.danger) return { intent: { kind: 'danger' }, understood: false };
  if (safety.unsure) return { intent: { kind: 'askBack' }, understood: false };
  const label = at.offered?.find((choice) => readText(u, choice.label) === typed);
  if (label) return { intent: intentOfAction(flow, label.action), understood: false };
  if (at.notHere?.some((l) => readText(u, l) === typed)) return { intent: { kind: 'unrecognized' }, understood: false };
  const exact = exactWord(u, flow, at.node, typed);
  if (exact) return { intent: exact, understood: false };
  const talk = readSmallTalk(u, typed);
  if (talk) return { intent: { kind: 'smallTalk', id: talk }, understood: true };
  const faq = readFaq(u, typed);
  if (faq) return { intent: { kind: 'faq', id: faq }, understood: true };
  const meant = sentence(u, flow, at, typed);
  if (meant) return { intent: meant, understood: true };
  return { intent: { kind: 'unrecognized' }, understood: false };
}

/** What a button asks for, tapped or typed: a node the flow no longer has is a stale button. */
function intentOfAction(flow: Flow, action: ChoiceAction): Intent {
  if (action.kind === 'crisisLines') return { kind: 'crisis', aboutSomeoneElse: false };
  if (action.kind !== 'go') return action;
  if (!Object.prototype.hasOwnProperty.call(flow.nodes, action.node)) return { kind: 'staleButton' };
  return action.from ? { kind: 'go', node: action.node, from: action.from } : { kind: 'go', node: action.node };
}

/** Decides what an input means where the person is. Crisis words win over everything else. */
export function readInput(u: Understanding, flow: Flow, at: ReadingContext, input: Input): Reading {
  switch (input.kind) {
    case 'follow':
      return { intent: { kind: 'start' }, understood: false };
    case 'nonText':
      return { intent: { kind: 'nonText' }, understood: false };
    case 'postback': {
      const action = decodePostback(input.data);
      return { intent: action ? intentOfAction(flow, action) : { kind: 'staleButton' }, understood: false };
    }
    case 'text':
      return readTyped(u, flow, at, input.text);
  }
}

/** readInput's intent, for callers that do not count how it was read. */
export function interpretInput(u: Understanding, flow: Flow, at: ReadingContext, input: Input): Intent {
  return readInput(u, flow, at, input).intent;
}
