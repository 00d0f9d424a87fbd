/**
 * Everything the bot needs to read typed sentences, compiled once from `flows/` and `content/`:
 * the normaliser's spelling table, the crisis words and patterns, who is writing, the needs of the
 * whole tree, the FAQ and small talk. Reading a message is then substring tests on one normal form.
 */
import type { CrisisContent, FaqContent, UnderstandingContent } from '../content/schema';
import type { Flow } from '../flow/schema';
import { commandTarget, targetKey, type Target } from '../flow/target';
import type { Lang } from '../lang';
import { applySpellings, compileSpellings, normalizeText, type SpellingTable } from './normalize';
import { findWord, matchesPattern, type CompiledPattern } from './patterns';
import { compileRule, firstMatch, maskEveryday, readSentences, type CompiledRule } from './reading-rules';

export type Audience = 'self' | 'family';

/** A word that leads to an answer node of the tree (an option's label or synonym). */
export interface NeedTerm {
  term: string;
  /**
   * What finding it is worth: its length, divided among the nodes that share it (お金 says less than
   * 家族会), and a fifth of that for a general word (相談, 分からない) that says the person wants help
   * but not with what.
   */
  weight: number;
  node: string;
  /** The question that offers the node. */
  question: string;
  audience: Audience | null;
}

export interface CommandTerm {
  term: string;
  target: Target;
}

export interface Understanding {
  /** The language this understanding reads (the normaliser folds kana for Japanese only). */
  lang: Lang;
  spellings: SpellingTable;
  /** The rules of content/crisis.yaml, compiled: read first, in every state. */
  safety: { crisis: CompiledRule[]; unsure: CompiledRule[]; danger: CompiledRule[]; everyday: CompiledRule[]; aboutSomeoneElse: string[] };
  audience: { family: string[]; parents: Set<string>; self: string[]; selfDescriptions: string[]; particles: string[] };
  needs: NeedTerm[];
  /** Which audience each question and answer belongs to (from the answers' `audience`). */
  audienceOf: Map<string, Audience>;
  commands: CommandTerm[];
  faqs: { id: string; words: string[]; patterns: CompiledPattern[] }[];
  smallTalk: { id: string; words: string[] }[];
  smallTalkFillers: string[];
}

export function compileUnderstanding(flow: Flow, crisis: CrisisContent, faq: FaqContent, content: UnderstandingContent, lang: Lang = 'ja'): Understanding {
  const spellings = compileSpellings(content.spellings, lang);
  const read = (text: string) => applySpellings(normalizeText(text, lang), spellings);
  const wordsOf = (list: readonly string[]) => [...new Set(list.map(read).filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  const pattern = (p: { stems: readonly string[]; endings: readonly string[]; within: number }): CompiledPattern => ({
    stems: wordsOf(p.stems),
    endings: wordsOf(p.endings),
    within: p.within,
  });

  // Who an answer is for, and so the question that offers it.
  const audienceOf = new Map<string, Audience>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    // Needs in typed sentences are read for ご本人 and ご家族; the answer for neighbours and friends
    // (audience 'others') is reached from its own option at the first question.
    if (node.kind === 'answer' && (node.audience === 'self' || node.audience === 'family')) audienceOf.set(id, node.audience);
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'question') continue;
    const kinds = new Set(node.options.map((o) => audienceOf.get(o.next)).filter((a) => a !== undefined));
    if (kinds.size === 1 && node.options.every((o) => audienceOf.has(o.next))) audienceOf.set(id, [...kinds][0]!);
  }

  const general = new Set(wordsOf(content.generalWords));
  const found: Omit<NeedTerm, 'weight'>[] = [];
  for (const [question, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'question') continue;
    for (const option of node.options) {
      if (flow.nodes[option.next]?.kind !== 'answer' || !audienceOf.has(option.next)) continue;
      for (const term of wordsOf([option.label, ...option.synonyms])) {
        found.push({ term, node: option.next, question, audience: audienceOf.get(option.next) ?? null });
      }
    }
  }
  const sharedBy = new Map<string, number>();
  for (const need of found) sharedBy.set(need.term, (sharedBy.get(need.term) ?? 0) + 1);
  const needs: NeedTerm[] = found.map((need) => ({
    ...need,
    weight: ([...need.term].length / sharedBy.get(need.term)!) * (general.has(need.term) ? 0.2 : 1),
  }));

  const commands: CommandTerm[] = [];
  for (const command of flow.commands) {
    // Who is writing (本人, 息子 …) is read by readAudience, not as a command, inside a sentence.
    if (command.next && audienceOf.has(command.next)) continue;
    const target = commandTarget(command);
    for (const term of wordsOf([command.label, ...command.synonyms])) commands.push({ term, target });
  }

  // Every family word of the flow: the start question's option that leads to the family question.
  const familyQuestion = [...audienceOf.entries()].find(([id, a]) => a === 'family' && flow.nodes[id]?.kind === 'question')?.[0];
  const start = flow.nodes[flow.start];
  const flowFamilyWords =
    start?.kind === 'question' ? start.options.filter((o) => o.next === familyQuestion).flatMap((o) => o.synonyms) : [];
  const familyCommandWords = flow.commands.filter((c) => c.next === familyQuestion).flatMap((c) => c.synonyms);

  return {
    lang,
    spellings,
    safety: {
      crisis: crisis.crisis.map((r) => compileRule(r, crisis.classes, read)),
      unsure: crisis.unsure.map((r) => compileRule(r, crisis.classes, read)),
      danger: crisis.danger.map((r) => compileRule(r, crisis.classes, read)),
      everyday: crisis.everyday.map((r) => compileRule(r, crisis.classes, read)),
      aboutSomeoneElse: wordsOf(crisis.aboutSomeoneElse),
    },
    audience: {
      family: wordsOf([...content.audience.family, ...flowFamilyWords, ...familyCommandWords]),
      parents: new Set(wordsOf(content.audience.parents)),
      self: wordsOf(content.audience.self),
      selfDescriptions: wordsOf(content.audience.selfDescriptions),
      particles: wordsOf(content.audience.particles),
    },
    needs,
    audienceOf,
    commands,
    faqs: faq.faqs.map((f) => ({ id: f.id, words: wordsOf(f.asks.words), patterns: f.asks.patterns.map(pattern) })),
    smallTalk: faq.smallTalk.map((s) => ({ id: s.id, words: wordsOf(s.words) })),
    smallTalkFillers: wordsOf(faq.smallTalkFillers),
  };
}

/** The one normal form of a typed message. */
export function readText(understanding: Understanding, text: string): string {
  return applySpellings(normalizeText(text, understanding.lang), understanding.spellings);
}

/** What the safety rules found in a message: each is checked in every state, before anything else. */
export interface SafetyReading {
  /** A crisis rule matched (after the everyday senses were set aside). */
  crisis: boolean;
  /** Written about someone else (a son, a parent, a friend who says they want to die). */
  aboutSomeoneElse: boolean;
  /** Violence or threats at home. */
  danger: boolean;
  /** Exhaustion or hopelessness without a clear intent: the bot asks back. */
  unsure: boolean;
  /** What the first matching rule means (for tests and the eval; never logged with the text). */
  rule: string | null;
}

/** Reads the raw message sentence by sentence; `typed` is its normal form as a whole (for aboutSomeoneElse). */
export function readSafety(understanding: Understanding, raw: string, typed: string): SafetyReading {
  const s = understanding.safety;
  const text = readSentences(raw, (t) => readText(understanding, t), (t) => maskEveryday(t, s.everyday), typed);
  const crisis = firstMatch(s.crisis, text);
  const danger = firstMatch(s.danger, text);
  const unsure = crisis || danger ? null : firstMatch(s.unsure, text);
  return {
    crisis: crisis !== null,
    aboutSomeoneElse: crisis !== null && findWord(typed, s.aboutSomeoneElse) !== null,
    danger: danger !== null,
    unsure: unsure !== null,
    rule: (crisis ?? danger ?? unsure)?.means ?? null,
  };
}

/** Whether a word occurs as a word of its own: a one-character word (母, 子) only before a particle. */
function hasAudienceWord(typed: string, words: readonly string[], particles: readonly string[]): string | null {
  for (const word of words) {
    if ([...word].length > 1) {
      if (typed.includes(word)) return word;
      continue;
    }
    for (let i = typed.indexOf(word); i >= 0; i = typed.indexOf(word, i + 1)) {
      const rest = typed.slice(i + word.length);
      if (rest.length === 0 || particles.some((p) => rest.startsWith(p))) return word;
    }
  }
  return null;
}

/** Who is writing, from the words used; null when the words do not say. */
export function readAudience(understanding: Understanding, typed: string): Audience | null {
  const a = understanding.audience;
  const family = hasAudienceWord(typed, a.family, a.particles);
  // 私, 僕, 俺 need no particle: 「俺、借金があって」 loses its comma to the normaliser.
  const self = findWord(typed, a.self) ?? findWord(typed, a.selfDescriptions);
  if (family && !self) return 'family';
  if (self && !family) return 'self';
  if (!family) return null;
  // Both: a child, partner or sibling named means a family member is writing; a parent alone is
  // what ご本人 mention about their own home.
  const nonParent = a.family.filter((w) => !a.parents.has(w));
  return hasAudienceWord(typed, nonParent, a.particles) ? 'family' : 'self';
}

export function readFaq(understanding: Understanding, typed: string): string | null {
  for (const faq of understanding.faqs) {
    if (findWord(typed, faq.words) !== null || faq.patterns.some((p) => matchesPattern(typed, p))) return faq.id;
  }
  return null;
}

/** A message made only of small-talk words and fillers (ありがとうございます, こんにちは〜). */
export function readSmallTalk(understanding: Understanding, typed: string): string | null {
  if (typed.length === 0) return null;
  for (const talk of understanding.smallTalk) {
    let rest = typed;
    let found = false;
    for (const word of talk.words) {
      if (rest.includes(word)) {
        rest = rest.split(word).join('');
        found = true;
      }
    }
    if (!found) continue;
    for (const filler of understanding.smallTalkFillers) rest = rest.split(filler).join('');
    if (rest.trim().length === 0) return talk.id;
  }
  return null;
}

export interface NeedMatch {
  node: string;
  score: number;
}

/**
 * The answer nodes whose words occur in the message, best first. A node's score adds the weights of
 * its words found (one-character words count only as the whole message).
 */
export function readNeeds(understanding: Understanding, typed: string): NeedMatch[] {
  const scores = new Map<string, number>();
  for (const need of understanding.needs) {
    const found = [...need.term].length >= 2 ? typed.includes(need.term) : typed === need.term;
    if (!found) continue;
    scores.set(need.node, (scores.get(need.node) ?? 0) + need.weight);
  }
  return [...scores.entries()].map(([node, score]) => ({ node, score })).sort((a, b) => b.score - a.score);
}

/** The command (最初から, いばしょ, 電話番号 …) whose longest word occurs in the message. */
export function readCommand(understanding: Understanding, typed: string): { target: Target; length: number } | null {
  let best: { target: Target; length: number } | null = null;
  let ambiguous = false;
  for (const command of understanding.commands) {
    const length = [...command.term].length;
    if (length < 2 || !typed.includes(command.term)) continue;
    if (!best || length > best.length) {
      best = { target: command.target, length };
      ambiguous = false;
    } else if (length === best.length && targetKey(command.target) !== targetKey(best.target)) ambiguous = true;
  }
  return ambiguous ? null : best;
}
