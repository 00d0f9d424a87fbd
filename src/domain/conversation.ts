/**
 * One turn of the conversation: what was stored and what arrived are read (crisis and danger first),
 * then the handler of turn-handlers.ts for what it means ends the turn. Pure.
 */
import type { Definitions } from './definitions';
import { initialSnapshot, restore, storedAskedBack, storedLang, storedPendingNeed, toState } from './conversation-state';
import type { ByLang } from './lang';
import { readInput, type Input, type Intent } from './interpret-input';
import { choicesFor } from './quick-replies';
import { TURN_HANDLERS } from './turn-handlers';
import { isSafetyReply, turnScope, typedThisMinute, type PersonFacts, type Turn } from './turn';

export type { ConversationState, StoredContext } from './conversation-state';

/** The definitions in the conversation's language (the stored state says which; Japanese when none). */
export function definitionsFor(byLang: ByLang<Definitions>, stored: unknown): Definitions {
  return byLang[storedLang(stored)];
}
export { isSafetyReply, remindersCanFire, type PersonFacts, type Turn, type TurnOutcome } from './turn';

/** Typed after the question asked back: はい / いいえ in their everyday forms answer it. */
function askedBackAnswer(intent: Intent): Intent {
  if (intent.kind === 'smallTalk' && intent.id === 'yes') return { kind: 'askedBack', answer: 'yes' };
  if (intent.kind === 'smallTalk' && intent.id === 'no') return { kind: 'askedBack', answer: 'notThatFar' };
  return intent;
}

/**
 * One turn of the conversation: pure. Given what was stored, what arrived and the time, it returns
 * the state to store and the reply to send. It never throws for anything a person can send.
 */
export function step(defs: Definitions, stored: unknown, input: Input, now: Date, person: PersonFacts = { subscribed: false }): Turn {
  const restored = stored === null || stored === undefined ? null : restore(defs, stored);
  const snapshot = restored ?? initialSnapshot(defs);
  const node = snapshot.value as string;
  // At an answer, typed words are matched against the question it answered: 仕事 after 話を聞いてほしい
  // means the 仕事 option of that question.
  const matchingNode = defs.flow.flow.nodes[node]?.kind === 'question' ? node : (snapshot.context.lastQuestion ?? node);
  const u = defs.understanding;
  const audience = u.audienceOf.get(node) ?? u.audienceOf.get(matchingNode) ?? null;
  const typedHere = input.kind === 'text' && defs.flow.flow.nodes[node] ? typedThisMinute(defs, `${person.subscribed ? 's' : 'n'}${node}`, now) : undefined;
  // After the question asked back, its three labels typed are its answers.
  const askedBack = restored !== null && storedAskedBack(stored);
  const askBackChoices = askedBack && typedHere ? choicesFor(defs, { node, subscribed: person.subscribed, now }, { kind: 'askBack' }) : [];
  const offered = typedHere ? { ...typedHere, offered: [...askBackChoices, ...typedHere.offered] } : undefined;
  const reading = readInput(u, defs.flow.flow, { node: matchingNode, audience, ...offered }, input);
  const intent = askedBack ? askedBackAnswer(reading.intent) : reading.intent;
  const typed: Turn['typed'] =
    input.kind !== 'text' ? undefined : intent.kind === 'unrecognized' ? 'notUnderstood' : reading.understood ? 'understood' : undefined;
  const wasReset = stored !== null && stored !== undefined && restored === null;
  const pendingNeed = restored ? storedPendingNeed(defs, stored) : [];
  const scope = turnScope(defs, now, person, { snapshot, wasReset, pendingNeed, typed });
  return (TURN_HANDLERS[intent.kind] as (t: typeof scope, i: Intent) => Turn)(scope, intent);
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
