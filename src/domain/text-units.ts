/**
 * How LINE counts the length of a text (https://developers.line.biz/en/docs/messaging-api/text-character-count/):
 * in UTF-16 code units, JavaScript's own `length`, so an emoji or a rarer kanji outside the Basic
 * Multilingual Plane counts two. Every limit LINE states in characters (a text message's 5000, an
 * altText's 1500) is checked with this, here and in the tests' stand-in LINE.
 */
export function utf16Length(text: string): number {
  return text.length;
}
