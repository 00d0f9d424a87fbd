import { fill } from '../domain/render-reply';
import { toCsv } from './csv';
import statsText from './stats-text.json';
import { textTable, type Align } from './text-table';
import { COLUMNS, shownCount, type Counts, type DayFigures, type DayRange, type Summary } from './usage-figures';

/** The words of the staff's statistics (not what residents read). */
export type StatsText = typeof statsText;
export const defaultStatsText: StatsText = statsText;

const shown = (counts: Counts) => COLUMNS.map((c) => shownCount(counts[c.key]));

/** The printed report: one row per node with its totals over the range, a total row, and what each column means. */
export function usageTable(range: DayRange, summary: Summary, text: StatsText = defaultStatsText): string {
  const header = [text.node, text.place, ...COLUMNS.map((c) => text.columns[c.key])];
  const rows = summary.nodes.map((n) => [n.node, n.label || text.notInFlow, ...shown(n.counts)]);
  rows.push([text.total, '', ...shown(summary.total)]);
  const align = header.map((_, i): Align => (i < 2 ? 'left' : 'right'));
  return [
    `${text.heading}  ${fill(text.period, { from: range.from, to: range.to })}`,
    '',
    textTable(header, rows, align),
    '',
    text.smallNote,
    ...COLUMNS.map((c) => `${text.columns[c.key]}: ${text.meanings[c.key]}`),
  ].join('\n');
}

/** The CSV's columns: stable English names, for spreadsheets and scripts. */
export const CSV_HEADER = ['day', 'node', 'label', ...COLUMNS.map((c) => c.csv)];

/** One line per day and node, every count under the same `<5` rule as the table. */
export function usageCsv(days: readonly DayFigures[]): string {
  return toCsv(CSV_HEADER, days.map((d) => [d.day, d.node, d.label, ...shown(d.counts)]));
}
