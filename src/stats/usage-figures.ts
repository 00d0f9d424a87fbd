import type { Flow } from '../domain/flow/schema';
import type { UsageRow } from '../usecases/ports';

/** The figures shown for each node, each read from one metric of `usage_daily`, with its CSV column. */
export const COLUMNS = [
  { key: 'reached', metric: 'reached', csv: 'reached' },
  { key: 'stopped', metric: 'stopped', csv: 'stopped' },
  { key: 'crisis', metric: 'outcome:crisis', csv: 'crisis' },
  { key: 'understood', metric: 'typed:understood', csv: 'understood_from_text' },
  { key: 'unrecognized', metric: 'outcome:unrecognized', csv: 'unrecognized' },
  { key: 'nonText', metric: 'outcome:nonText', csv: 'non_text' },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]['key'];
export type Counts = Record<ColumnKey, number>;

const COLUMN_OF_METRIC = new Map<string, ColumnKey>(COLUMNS.map((c) => [c.metric, c.key]));

/** Counts from 1 to 4 could point at a person, so they are never shown as such. */
export const SMALL_COUNT_LIMIT = 5;
export const SMALL_COUNT_TEXT = `<${SMALL_COUNT_LIMIT}`;

/**
 * A count as it may be shown: a negative count (possible for "stopped", whose marks move when a
 * conversation goes on) is 0, and 1 to 4 are `<5`.
 */
export function shownCount(count: number): string {
  const n = Math.max(0, count);
  if (n === 0) return '0';
  return n < SMALL_COUNT_LIMIT ? SMALL_COUNT_TEXT : String(n);
}

/** Whether a count is shown as `<5` (and so must not be drawn at its size either). */
export function isSuppressed(count: number): boolean {
  return count > 0 && count < SMALL_COUNT_LIMIT;
}

const zero = (): Counts => ({ reached: 0, stopped: 0, crisis: 0, understood: 0, unrecognized: 0, nonText: 0 });

/** Each node of the flow with a label staff recognise, in the order the flow shows them. */
export interface NodeCatalogue {
  order: string[];
  labels: Map<string, string>;
}

export const LABEL_SEPARATOR = ' › ';

/**
 * Names each node by the buttons that lead to it from the start ("家族です › 家族会・親の会"), as
 * several options share a label (仕事・お金・くらし). The start, and a question no option leads to,
 * are named by their prompt; a node only a typed command leads to, by that command's label.
 * Order: depth-first along the options from the start, then the other nodes as the file lists them.
 */
export function nodeCatalogue(flow: Flow): NodeCatalogue {
  const order: string[] = [];
  const labels = new Map<string, string>();
  const visit = (id: string, path: string[]) => {
    const node = flow.nodes[id];
    if (!node || labels.has(id)) return;
    order.push(id);
    labels.set(id, path.length > 0 ? path.join(LABEL_SEPARATOR) : node.kind === 'question' ? node.prompt : id);
    if (node.kind === 'question') for (const option of node.options) visit(option.next, [...path, option.label]);
  };
  visit(flow.start, []);
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (labels.has(id)) continue;
    const command = flow.commands.find((c) => c.next === id);
    visit(id, node.kind !== 'question' && command ? [command.label] : []);
  }
  return { order, labels };
}

export interface NodeFigures {
  node: string;
  /** Empty for a node the flow no longer has. */
  label: string;
  counts: Counts;
}

export interface DayFigures extends NodeFigures {
  day: string;
}

export interface Summary {
  /** Every node of the flow (with zeros where nothing was counted), then nodes only the data knows. */
  nodes: NodeFigures[];
  /** Sums over all nodes. */
  total: Counts;
}

function rank(catalogue: NodeCatalogue): (node: string) => number {
  const index = new Map(catalogue.order.map((id, i) => [id, i]));
  return (node) => index.get(node) ?? catalogue.order.length;
}

function byNodeOrder(catalogue: NodeCatalogue): (a: string, b: string) => number {
  const rankOf = rank(catalogue);
  return (a, b) => rankOf(a) - rankOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Totals over the range per node from the raw daily counts, so that a "stopped" mark moving on to a
 * later day cancels out before anything is clamped; then each node's total is clamped at 0, and the
 * total row adds up the nodes' totals as shown (never less than the rows above it).
 */
export function summarize(rows: readonly UsageRow[], catalogue: NodeCatalogue): Summary {
  const perNode = new Map<string, Counts>(catalogue.order.map((id) => [id, zero()]));
  for (const row of rows) {
    const key = COLUMN_OF_METRIC.get(row.metric);
    if (!key) continue;
    const counts = perNode.get(row.node) ?? zero();
    counts[key] += row.count;
    perNode.set(row.node, counts);
  }
  const total = zero();
  for (const counts of perNode.values()) {
    for (const { key } of COLUMNS) {
      counts[key] = Math.max(0, counts[key]);
      total[key] += counts[key];
    }
  }
  const nodes = [...perNode.keys()].sort(byNodeOrder(catalogue));
  return { nodes: nodes.map((node) => ({ node, label: catalogue.labels.get(node) ?? '', counts: perNode.get(node)! })), total };
}

/** One entry per day and node that has any of the columns' counts, by day then node order. */
export function dailyFigures(rows: readonly UsageRow[], catalogue: NodeCatalogue): DayFigures[] {
  const cells = new Map<string, DayFigures>();
  for (const row of rows) {
    const key = COLUMN_OF_METRIC.get(row.metric);
    if (!key) continue;
    const id = `${row.day}\u0000${row.node}`;
    const cell = cells.get(id) ?? { day: row.day, node: row.node, label: catalogue.labels.get(row.node) ?? '', counts: zero() };
    cell.counts[key] += row.count;
    cells.set(id, cell);
  }
  const order = byNodeOrder(catalogue);
  return [...cells.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : order(a.node, b.node)));
}

/** A date range of the counts: Tokyo calendar dates, both included. */
export interface DayRange {
  from: string;
  to: string;
}

export type RangeProblem = 'from' | 'to' | 'order';

/** Whether `text` is a real calendar date written YYYY-MM-DD. */
export function isDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The days a range covers by default: the last 30 days up to `today`. */
export const DEFAULT_RANGE_DAYS = 30;

/**
 * Checks a range given as text; a missing end defaults to the last 30 days up to `today`, and a
 * missing start to 30 days up to the end. `addDays` is the calendar's.
 */
export function readRange(
  given: { from?: string | undefined; to?: string | undefined },
  today: string,
  addDays: (day: string, days: number) => string,
): { range: DayRange } | { problem: RangeProblem } {
  const to = given.to?.trim() || today;
  if (!isDay(to)) return { problem: 'to' };
  const from = given.from?.trim() || addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (!isDay(from)) return { problem: 'from' };
  if (from > to) return { problem: 'order' };
  return { range: { from, to } };
}
