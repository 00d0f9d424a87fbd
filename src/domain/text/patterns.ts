/**
 * Word stems and patterns as staff write them in `content/`, matched against normalised text.
 * A pattern is a stem followed, within a few characters, by one of its endings
 * (死に + たい, 生き + つらい). A word made only of Latin letters and digits matches only as a whole
 * word (od, suicide), so that "good" does not contain "od".
 */
import { normalizeText } from './normalize';

export interface PatternSource {
  stems: readonly string[];
  endings: readonly string[];
  /** How many characters may come between the stem and the ending. */
  within: number;
}

export interface CompiledPattern {
  stems: string[];
  endings: string[];
  within: number;
}

const LATIN = /^[a-z0-9 ]+$/;
const isLatinChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);

export function compileWords(words: readonly string[]): string[] {
  return [...new Set(words.map((w) => normalizeText(w)).filter((w) => w.length > 0))];
}

export function compilePattern(source: PatternSource): CompiledPattern {
  return { stems: compileWords(source.stems), endings: compileWords(source.endings), within: source.within };
}

/**
 * The first index at or after `from` where `word` occurs in `text` (as a whole word when it is Latin),
 * or -1. A plain loop rather than a generator: it runs for every crisis word on every typed message.
 */
function occurrence(text: string, word: string, from: number): number {
  const latin = LATIN.test(word);
  for (let i = text.indexOf(word, from); i >= 0; i = text.indexOf(word, i + 1)) {
    if (latin && (isLatinChar(text[i - 1]) || isLatinChar(text[i + word.length]))) continue;
    return i;
  }
  return -1;
}

/** The first of `words` found in `text`, or null. */
export function findWord(text: string, words: readonly string[]): string | null {
  for (const word of words) {
    if (occurrence(text, word, 0) >= 0) return word;
  }
  return null;
}

export function matchesPattern(text: string, pattern: CompiledPattern): boolean {
  for (const stem of pattern.stems) {
    for (let at = occurrence(text, stem, 0); at >= 0; at = occurrence(text, stem, at + 1)) {
      const after = at + stem.length;
      for (const ending of pattern.endings) {
        for (let gap = 0; gap <= pattern.within; gap++) {
          const start = after + gap;
          if (start + ending.length > text.length) break;
          if (text.startsWith(ending, start) && !(LATIN.test(ending) && isLatinChar(text[start + ending.length]))) return true;
        }
      }
    }
  }
  return false;
}
