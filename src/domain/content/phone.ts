/**
 * Japanese phone numbers as people dial them: 10 digits (landline, 0120, 0570) or 11 (mobile, 050),
 * written with hyphens between the groups.
 */
export function isJapanesePhoneNumber(text: string): boolean {
  if (!/^0\d{1,4}(-\d{1,6}){1,2}$/.test(text)) return false;
  const digits = text.replace(/-/g, '').length;
  return digits === 10 || digits === 11;
}

/** Short numbers that are dialled as written: 110, 119, #7119. */
export function isServiceNumber(text: string): boolean {
  return /^(1\d{2}|#\d{4})$/.test(text);
}

/** The `tel:` URI of a number ("#" must be percent-encoded in a URI). */
export function telUri(number: string): string {
  return `tel:${number.replace(/-/g, '').replace('#', '%23')}`;
}
