/**
 * One normal form for everything people type and every word staff write in `flows/` and `content/`,
 * so that matching is a plain substring test. Pure; no dictionary.
 *
 * Steps: Unicode NFKC (full-width letters and half-width kana), lower case, katakana → hiragana,
 * small kana → their full-size kana (ゃ → や, っ → つ), long-vowel marks and wave dashes dropped, a
 * kana repeated three times or more kept once (しにたいいい → しにたい), laughter (笑, (笑), www)
 * and punctuation dropped, spaces dropped except between two Latin words (so that English keeps its
 * word boundaries: "want to die"). The kana steps apply to Japanese only.
 */
import type { Lang } from '../lang';

const SMALL_KANA: Record<string, string> = {
  ぁ: 'あ', ぃ: 'い', ぅ: 'う', ぇ: 'え', ぉ: 'お', っ: 'つ', ゃ: 'や', ゅ: 'ゆ', ょ: 'よ', ゎ: 'わ', ゕ: 'か', ゖ: 'け',
};

const KATAKANA = /[\u30a1-\u30f6]/g;
const SMALL = /[ぁぃぅぇぉっゃゅょゎゕゖ]/g;
/** Long-vowel marks, wave dashes and middle dots: ー 〜 ～ ~ ・ and the half-width ｰ after NFKC. */
const STRETCH = /[ー〜～~・‐―−]/g;
/** A hiragana repeated three times or more for emphasis (しにたいいい): kept once. Two stay (いいえ, ううん). */
const REPEATED_KANA = /([\u3041-\u3096])\1{2,}/g;
const LAUGHTER = /[(（]笑[)）]|笑+(?=[\s\p{P}\p{S}]*$)|w{2,}|(?<=[^a-z0-9\s])w+(?=[\s\p{P}\p{S}]*$)/gu;
/** Punctuation, brackets, emoji and symbols that carry no words. */
const NOISE = /[\p{P}\p{S}\p{Extended_Pictographic}\u200b-\u200d\ufe0f]/gu;

export function normalizeText(text: string, lang: Lang = 'ja'): string {
  let s = text.normalize('NFKC').toLowerCase();
  // Kana folding is for Japanese text; other languages keep their letters as typed (after NFKC).
  const japanese = lang === 'ja';
  if (japanese) s = s.replace(KATAKANA, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
  s = s.replace(/'/g, '');
  s = s.replace(LAUGHTER, ' ');
  if (japanese) s = s.replace(STRETCH, '');
  s = s.replace(NOISE, (c) => (c === '○' || c === '◯' || c === '〇' || c === '×' ? c : ' '));
  if (japanese) s = s.replace(SMALL, (c) => SMALL_KANA[c]!);
  if (japanese) s = s.replace(REPEATED_KANA, '$1');
  // Spaces: one between two Latin words, none elsewhere (死 に た い → 死にたい).
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/ (?![a-z0-9])|(?<![a-z0-9]) /g, '');
  return s;
}

/**
 * Spellings of one word unified (しごと → 仕事): each variant, normalised, is replaced by its canonical
 * form, longest variant first. Built once from content.
 */
export interface SpellingTable {
  readonly pairs: readonly (readonly [variant: string, canonical: string])[];
}

export function compileSpellings(spellings: Readonly<Record<string, readonly string[]>>, lang: Lang = 'ja'): SpellingTable {
  const pairs: [string, string][] = [];
  for (const [canonical, variants] of Object.entries(spellings)) {
    const target = normalizeText(canonical, lang);
    for (const variant of variants) {
      const from = normalizeText(variant, lang);
      if (from.length > 0 && from !== target) pairs.push([from, target]);
    }
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  return { pairs };
}

export function applySpellings(normalized: string, table: SpellingTable): string {
  if (table.pairs.length === 0) return normalized;
  let s = normalized;
  for (const [from, to] of table.pairs) if (s.includes(from)) s = s.split(from).join(to);
  return s;
}
