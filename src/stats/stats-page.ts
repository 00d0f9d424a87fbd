import { fill } from '../domain/render-reply';
import { html, type Markup } from '../pages/markup';
import { CHROME_STYLESHEET, renderPage } from '../pages/pages';
import { displayWidth } from './text-table';
import { defaultStatsText, type StatsText } from './usage-report';
import {
  COLUMNS,
  isSuppressed,
  shownCount,
  SMALL_COUNT_LIMIT,
  type Counts,
  type DayRange,
  type NodeFigures,
  type RangeProblem,
  type Summary,
} from './usage-figures';

/** What /stats shows: the figures of a range, or why the range given cannot be used. */
export type StatsPageState =
  | { kind: 'figures'; range: DayRange; summary: Summary }
  | { kind: 'problem'; problem: RangeProblem; given: { from: string; to: string } };

/** Drawn at phone width (the page scales it): a label line, then one bar each for reached and stopped. */
const CHART = { width: 360, barMax: 300, row: 66, label: 16, bar: 14, gap: 4, font: 15, maxLabelWidth: 44 } as const;
const BARS = [
  { key: 'reached', colour: '#2e7d5b' },
  { key: 'stopped', colour: '#b35900' },
] as const satisfies readonly { key: keyof Counts; colour: string }[];

/** Cuts a label to what fits on the chart's label line; the table below has it whole. */
function fitLabel(label: string): string {
  if (displayWidth(label) <= CHART.maxLabelWidth) return label;
  let out = '';
  for (const char of label) {
    if (displayWidth(`${out}${char}…`) > CHART.maxLabelWidth) break;
    out += char;
  }
  return `${out}…`;
}

function placeName(node: NodeFigures, text: StatsText): string {
  return node.label || `${node.node} ${text.notInFlow}`;
}

/**
 * Horizontal bars per node, server-rendered: no script, colours as attributes so the SVG reads the
 * same anywhere. A count shown as <5 is drawn as a dashed outline up to 5, never at its real size.
 */
export function renderChart(nodes: readonly NodeFigures[], text: StatsText = defaultStatsText): Markup {
  const largest = Math.max(SMALL_COUNT_LIMIT, ...nodes.flatMap((n) => BARS.map((b) => n.counts[b.key])));
  const scale = CHART.barMax / largest;
  const height = nodes.length * CHART.row + 4;
  const bar = (count: number, y: number, colour: string, name: string) => {
    const value = shownCount(count);
    const suppressed = isSuppressed(count);
    const width = suppressed ? SMALL_COUNT_LIMIT * scale : Math.max(0, count) * scale;
    const rect =
      width <= 0
        ? html``
        : suppressed
          ? html`<rect x="0.75" y="${y + 0.75}" width="${(width - 1.5).toFixed(1)}" height="${CHART.bar - 1.5}" fill="#ffffff" stroke="${colour}" stroke-width="1.5" stroke-dasharray="4 3" class="bar suppressed"/>`
          : html`<rect x="0" y="${y}" width="${width.toFixed(1)}" height="${CHART.bar}" fill="${colour}" class="bar"/>`;
    return html`<g data-column="${name}">${rect}<text x="${(width + 4).toFixed(1)}" y="${y + CHART.bar - 2}" font-size="${CHART.font - 2}" fill="#1a1a1a" class="value">${value}</text></g>`;
  };
  return html`<svg class="chart" viewBox="0 0 ${CHART.width} ${height}" width="${CHART.width}" height="${height}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${text.chartTitle}</title>
<desc id="chart-desc">${text.chartDesc}</desc>
${nodes.map((n, i) => {
  const top = i * CHART.row;
  const name = placeName(n, text);
  return html`<g class="node" data-node="${n.node}">
<title>${name}</title>
<text x="0" y="${top + CHART.label}" font-size="${CHART.font}" fill="#1a1a1a" class="label">${fitLabel(name)}</text>
${BARS.map((b, j) => bar(n.counts[b.key], top + CHART.label + 6 + j * (CHART.bar + CHART.gap), b.colour, b.key))}
</g>
`;
})}</svg>`;
}

function countCells(counts: Counts): Markup {
  return html`${COLUMNS.map((c) => html`<td data-column="${c.key}">${shownCount(counts[c.key])}</td>`)}`;
}

/** The same figures as the chart, as a table screen readers and spreadsheets can use. */
export function renderTable(range: DayRange, summary: Summary, text: StatsText = defaultStatsText): Markup {
  return html`<div class="table-scroll" role="region" aria-labelledby="table-caption" tabindex="0">
<table class="figures">
<caption id="table-caption">${fill(text.tableCaption, { from: range.from, to: range.to })}</caption>
<thead><tr><th scope="col">${text.place}</th>${COLUMNS.map((c) => html`<th scope="col">${text.columns[c.key]}</th>`)}</tr></thead>
<tbody>
${summary.nodes.map(
  (n) => html`<tr data-node="${n.node}"><th scope="row">${n.label || text.notInFlow} <span class="id">${n.node}</span></th>${countCells(n.counts)}</tr>
`,
)}</tbody>
<tfoot><tr data-node=""><th scope="row">${text.total}</th>${countCells(summary.total)}</tr></tfoot>
</table>
</div>`;
}

function rangeForm(values: { from: string; to: string }, text: StatsText): Markup {
  return html`<form class="range" method="get" action="/stats">
<fieldset>
<legend>${text.form.legend}</legend>
<label>${text.form.from} <input type="date" name="from" value="${values.from}"></label>
<label>${text.form.to} <input type="date" name="to" value="${values.to}"></label>
<button type="submit">${text.form.show}</button>
</fieldset>
</form>`;
}

/** The /stats page. */
export function renderStatsPage(state: StatsPageState, text: StatsText = defaultStatsText): string {
  const body =
    state.kind === 'problem'
      ? html`<p class="problem" role="alert">${text.problems[state.problem]}</p>
${rangeForm(state.given, text)}`
      : html`<p class="period">${fill(text.period, { from: state.range.from, to: state.range.to })}</p>
${rangeForm(state.range, text)}
<p class="note">${text.smallNote}</p>
${state.summary.total.reached <= 0 ? html`<p class="notice" role="status">${text.noData}</p>` : ''}
<section aria-labelledby="chart-heading">
<h2 id="chart-heading">${text.chartTitle}</h2>
<ul class="legend">${BARS.map((b) => html`<li><span class="swatch ${b.key}"></span>${text.columns[b.key]}</li>`)}<li><span class="swatch suppressed"></span>${shownCount(1)}</li></ul>
<div class="chart-box">${renderChart(state.summary.nodes, text)}</div>
</section>
<section aria-labelledby="table-heading">
<h2 id="table-heading">${text.tableHeading}</h2>
${renderTable(state.range, state.summary, text)}
<dl class="meanings">${COLUMNS.map((c) => html`<dt>${text.columns[c.key]}</dt><dd>${text.meanings[c.key]}</dd>`)}</dl>
</section>`;
  return renderPage({
    title: text.pageTitle,
    noindex: true,
    icon: { href: 'data:,' },
    stylesheets: [CHROME_STYLESHEET, '/stats/assets/stats.css'],
    headerClass: 'bar',
    header: html`<h1>${text.heading}</h1>`,
    main: html`<p class="lead">${text.lead}</p>
${body}`,
  });
}
