/**
 * The languages the guide answers in. Only Japanese today; a second language is content (its own
 * flows/ and content/ texts) plus its entry here. A conversation keeps its language in its state.
 */
export const LANGS = ['ja'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'ja';

/** One value per language, e.g. the definitions compiled for each. */
export type ByLang<T> = Readonly<Record<Lang, T>>;

/** A stored or typed language, read safely: anything unknown is the default. */
export function langOf(value: unknown): Lang {
  return (LANGS as readonly unknown[]).includes(value) ? (value as Lang) : DEFAULT_LANG;
}
