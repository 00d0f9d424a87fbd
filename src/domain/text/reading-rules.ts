/**
 * Meaning classes and the rules that combine them, as staff write them in `content/crisis.yaml`:
 * a class is a named list of words (ways of dying, means, verbs of getting, family words …); a rule
 * says which words, or which classes together, mean "this may be a crisis". Pure: compiled once from
 * content, then matched against the normalised sentences of a message.
 *
 * Rule shapes (exactly one per rule):
 * - `words`: any of these words, anywhere;
 * - `first` … `then` within N characters: a stem, then one of its endings (死に + たい);
 * - `together`: a word of every listed class in one sentence, in any order (means + a verb of getting);
 * - `whole`: the message is one of these words and nothing else (疲れた, しんどい);
 * - `atLeast` N `of` these classes: words of N different classes (weak signals that together say more:
 *   a farewell, a closing of contact, affairs put in order, a time);
 * and `unless`: the rule does not count in a sentence that also has one of these words (its everyday
 * sense: 練炭 with バーベキュー). Other rules still count there.
 */
import { findWord, matchesPattern, type CompiledPattern } from './patterns';

/** A class's name (lowercase, e.g. `means`) or a list of words written in the rule itself. */
export type WordsOrClass = string | readonly string[];

export interface ReadingRuleSource {
  means: string;
  words?: WordsOrClass;
  first?: WordsOrClass;
  then?: WordsOrClass;
  within?: number;
  together?: readonly WordsOrClass[];
  atLeast?: number;
  of?: readonly WordsOrClass[];
  whole?: WordsOrClass;
  unless?: WordsOrClass;
  /** `message`: the rule reads the whole message (the classes of `together` may be in different sentences; `unless` looks at every sentence). */
  scope?: 'sentence' | 'message';
}

export type CompiledRule =
  | { means: string; kind: 'words'; words: string[]; unless: string[]; scope: 'sentence' | 'message' }
  | { means: string; kind: 'whole'; words: Set<string>; unless: string[]; scope: 'message' }
  | { means: string; kind: 'near'; pattern: CompiledPattern; unless: string[]; scope: 'sentence' }
  | { means: string; kind: 'together'; classes: string[][]; unless: string[]; scope: 'sentence' | 'message' }
  | { means: string; kind: 'atLeast'; count: number; classes: string[][]; unless: string[]; scope: 'sentence' | 'message' };

export const CLASS_NAME = /^[a-z][a-z0-9-]*$/;

export function isClassName(value: WordsOrClass): value is string {
  return typeof value === 'string' && CLASS_NAME.test(value);
}

/** The words a rule names: a class's words, or its own list, each in the normal form (`read`). */
function resolve(value: WordsOrClass | undefined, classes: Readonly<Record<string, readonly string[]>>, read: (w: string) => string): string[] {
  if (value === undefined) return [];
  const raw = typeof value === 'string' ? (isClassName(value) ? (classes[value] ?? []) : [value]) : value;
  // Longest first, so that the first word found is the most specific.
  return [...new Set(raw.map(read).filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
}

export function compileRule(rule: ReadingRuleSource, classes: Readonly<Record<string, readonly string[]>>, read: (w: string) => string): CompiledRule {
  const unless = resolve(rule.unless, classes, read);
  if (rule.whole !== undefined) return { means: rule.means, kind: 'whole', words: new Set(resolve(rule.whole, classes, read)), unless, scope: 'message' };
  if (rule.of && rule.atLeast !== undefined) {
    return { means: rule.means, kind: 'atLeast', count: rule.atLeast, classes: rule.of.map((c) => resolve(c, classes, read)), unless, scope: rule.scope ?? 'sentence' };
  }
  if (rule.together) {
    return { means: rule.means, kind: 'together', classes: rule.together.map((c) => resolve(c, classes, read)), unless, scope: rule.scope ?? 'sentence' };
  }
  if (rule.first !== undefined && rule.then !== undefined) {
    const pattern = { stems: resolve(rule.first, classes, read), endings: resolve(rule.then, classes, read), within: rule.within ?? 4 };
    return { means: rule.means, kind: 'near', pattern, unless, scope: 'sentence' };
  }
  return { means: rule.means, kind: 'words', words: resolve(rule.words, classes, read), unless, scope: rule.scope ?? 'sentence' };
}

/** Whether one rule matches one sentence (or, for a message-wide `together`, the whole message). */
function matchesIn(rule: CompiledRule, text: string): boolean {
  if (rule.unless.length > 0 && findWord(text, rule.unless) !== null) return false;
  switch (rule.kind) {
    case 'words':
      return findWord(text, rule.words) !== null;
    case 'whole':
      return rule.words.has(text.replace(/[|\s]/g, ''));
    case 'near':
      return matchesPattern(text, rule.pattern);
    case 'together':
      return rule.classes.every((words) => findWord(text, words) !== null);
    case 'atLeast': {
      // Distinct words: a word that two classes share counts once.
      const seen: string[] = [];
      for (const words of rule.classes) {
        const word = findWord(text, words);
        if (word === null || seen.some((w) => w.includes(word) || word.includes(w))) continue;
        seen.push(word);
        if (seen.length >= rule.count) return true;
      }
      return false;
    }
  }
}

/** A message as the rules read it: its sentences, each in the normal form, and all of them together. */
export interface ReadSentences {
  sentences: string[];
  /** The sentences joined by a separator no word contains, for message-wide rules. */
  message: string;
}

/** Sentence ends people type: 。！？.!? and line breaks (the normaliser drops them, so split first). */
const SENTENCE_END = /[。．｡!?！？\n]+/;

export function readSentences(raw: string, read: (s: string) => string, mask: (s: string) => string, whole?: string): ReadSentences {
  const parts = raw.split(SENTENCE_END).filter((s) => s.trim().length > 0);
  // One sentence (most messages): its normal form is the whole message's, already read by the caller.
  const sentences = (parts.length <= 1 && whole !== undefined ? [mask(whole)] : parts.map((s) => mask(read(s)))).filter((s) => s.trim().length > 0);
  return { sentences, message: sentences.join('|') };
}

/** The first rule that matches the message, or null. */
export function firstMatch(rules: readonly CompiledRule[], text: ReadSentences): CompiledRule | null {
  for (const rule of rules) {
    if (rule.scope === 'message') {
      if (matchesIn(rule, text.message)) return rule;
      continue;
    }
    for (const sentence of text.sentences) if (matchesIn(rule, sentence)) return rule;
  }
  return null;
}

/**
 * Everyday senses (死ぬほど笑った, 自殺対策のニュース): the words a negative rule matches are hidden
 * before the crisis rules read the sentence, so only they stop counting; any other crisis word in the
 * message is still read, and crisis wins.
 */
export function maskEveryday(text: string, negatives: readonly CompiledRule[]): string {
  let s = text;
  for (const rule of negatives) {
    if (rule.kind === 'words') {
      for (const word of rule.words) if (s.includes(word)) s = s.split(word).join(' ');
    } else if (rule.kind === 'near') {
      s = maskNear(s, rule.pattern);
    }
  }
  return s;
}

/** Hides every stem … ending span of a pattern (from the stem's start to the ending's end). */
function maskNear(text: string, pattern: CompiledPattern): string {
  let s = text;
  for (const stem of pattern.stems) {
    for (let at = s.indexOf(stem); at >= 0; at = s.indexOf(stem, at + 1)) {
      const after = at + stem.length;
      let end = -1;
      for (const ending of pattern.endings) {
        for (let gap = 0; gap <= pattern.within && end < 0; gap++) if (s.startsWith(ending, after + gap)) end = after + gap + ending.length;
        if (end >= 0) break;
      }
      if (end >= 0) s = s.slice(0, at) + ' '.repeat(end - at) + s.slice(end);
    }
  }
  return s;
}
