/**
 * CSV as RFC 4180 has it (CRLF line ends; a field with a comma, quote or line break is quoted, its
 * quotes doubled), read by Excel: a UTF-8 byte order mark so Japanese shows correctly, and text that
 * would start a formula (= + - @, tab, CR) prefixed with ' (OWASP "CSV injection").
 */
export const CSV_BOM = '\uFEFF';

export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return CSV_BOM + [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
