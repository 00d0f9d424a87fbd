import express from 'express';
import request from 'supertest';
import path from 'node:path';
import { ConfigError, readConfig } from '../../src/config';
import { renderChart, renderStatsPage } from '../../src/stats/stats-page';
import { STATS_ASSETS, statsRouter } from '../../src/stats/stats-router';
import type { Counts, NodeFigures } from '../../src/stats/usage-figures';
import type { UsageRow } from '../../src/usecases/ports';
import { projectDefinitions, ROOT } from '../support/fixtures';

const definitions = projectDefinitions();
const counts = (over: Partial<Counts>): Counts => ({ reached: 0, stopped: 0, crisis: 0, understood: 0, unrecognized: 0, nonText: 0, ...over });
const node = (id: string, over: Partial<Counts>, label = id): NodeFigures => ({ node: id, label, counts: counts(over) });

describe('the chart', () => {
  test('a count under 5 is drawn the same whatever it is (1 or 4), as a dashed outline labelled <5', () => {
    const one = renderChart([node('a', { reached: 1 }), node('b', { reached: 40 })]).html;
    const four = renderChart([node('a', { reached: 4 }), node('b', { reached: 40 })]).html;
    expect(one).toBe(four);
    expect(one).toContain('stroke-dasharray');
    expect(one).toMatch(/data-column="reached"><rect[^>]*class="bar suppressed"\/><text[^>]*>&lt;5<\/text>/);
  });

  test('bars are proportional to the counts shown; 0 draws no bar; a negative count is 0', () => {
    const svg = renderChart([node('a', { reached: 10, stopped: -2 }), node('b', { reached: 5 })]).html;
    const widths = [...svg.matchAll(/<rect x="0" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([300, 150]);
    expect(svg).not.toContain('-2');
  });

  test('labels are escaped, long ones shortened on the chart with the whole label as a tooltip', () => {
    const long = '家族です › とても長いラベルがここに入ってチャートの幅を超えてしまうとき';
    const svg = renderChart([node('a', {}, '<script>x</script>'), node('b', {}, long)]).html;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).toContain(`<title>${long}</title>`);
    expect(svg).toMatch(/class="label">家族です › とても長い[^<]*…<\/text>/);
  });

  test('the SVG is an image named by its title and description', () => {
    const svg = renderChart([node('a', {})]).html;
    expect(svg).toMatch(/^<svg class="chart"[^>]*role="img" aria-labelledby="chart-title chart-desc"/);
    expect(svg).toContain('<title id="chart-title">場所ごとの回数</title>');
  });
});

describe('the page', () => {
  test('a problem with the range is shown in an alert, with what was typed, escaped', () => {
    const page = renderStatsPage({ kind: 'problem', problem: 'from', given: { from: '"><script>alert(1)</script>', to: '2026-11-30' } });
    expect(page).toContain('role="alert"');
    expect(page).toContain('開始日は');
    expect(page).not.toContain('<script>');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;');
  });
});

describe('GET /stats (the router alone, with a stand-in store)', () => {
  const rows: UsageRow[] = [
    { day: '2026-11-20', node: 'family-groups', metric: 'reached', count: 6 },
    { day: '2026-11-20', node: 'family-groups', metric: 'stopped', count: 6 },
    { day: '2026-11-21', node: 'self-living', metric: 'reached', count: 1 },
  ];
  const asked: [string, string][] = [];
  const app = express().use(
    statsRouter({
      definitions,
      store: {
        usage: async (from, to) => {
          asked.push([from, to]);
          return rows.filter((r) => r.day >= from && r.day <= to);
        },
      },
      // 2026-11-25 00:30 in Tokyo is still 11-24 in UTC: "today" is Tokyo's.
      clock: { now: () => new Date('2026-11-24T15:30:00Z') },
      assetsDir: path.join(ROOT, STATS_ASSETS),
    }),
  );

  beforeEach(() => {
    asked.length = 0;
  });

  test('without dates: the last 30 days in Tokyo time, with the figures in the table', async () => {
    const response = await request(app).get('/stats');
    expect(response.status).toBe(200);
    expect(asked).toEqual([['2026-10-27', '2026-11-25']]);
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toMatch(/<tr data-node="family-groups"><th scope="row">家族です › 家族会・親の会 <span class="id">family-groups<\/span><\/th><td data-column="reached">6<\/td><td data-column="stopped">6<\/td>/);
    expect(response.text).toMatch(/<tr data-node="self-living">.*<td data-column="reached">&lt;5<\/td>/);
  });

  test('runs no script, is never framed, sends no referrer, and links the shared chrome before its own stylesheet', async () => {
    const response = await request(app).get('/stats');
    expect(response.headers['content-security-policy']).toContain("script-src 'none'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toContain('<link rel="stylesheet" href="/pages/chrome.css">\n<link rel="stylesheet" href="/stats/assets/stats.css">');
    const chrome = await request(app).get('/pages/chrome.css');
    expect(chrome.status).toBe(200);
    expect(chrome.headers['content-type']).toMatch(/^text\/css/);
    expect(chrome.text).toContain('.bar {');
  });

  test('from/to choose the range', async () => {
    const response = await request(app).get('/stats?from=2026-11-21&to=2026-11-21');
    expect(response.status).toBe(200);
    expect(asked).toEqual([['2026-11-21', '2026-11-21']]);
    expect(response.text).toMatch(/<tr data-node="family-groups">.*<td data-column="reached">0<\/td>/);
  });

  test.each([
    ['from=2026-02-30', '開始日は'],
    ['to=soon', '終了日は'],
    ['from=2026-11-22&to=2026-11-21', '開始日は終了日と同じか'],
    ['from=2026-11-01&from=2026-11-02', '開始日は'],
  ])('?%s → 400 saying what to fix, and the store is not asked', async (query, says) => {
    const response = await request(app).get(`/stats?${query}`);
    expect(response.status).toBe(400);
    expect(response.text).toContain(says);
    expect(asked).toEqual([]);
  });

  test('the stylesheet is served by the app itself', async () => {
    const response = await request(app).get('/stats/assets/stats.css');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/css');
    expect((await request(app).get('/stats/assets/nothing.css')).status).toBe(404);
  });
});

describe('STATS_PAGE', () => {
  test.each([
    [undefined, false],
    ['', false],
    ['off', false],
    ['on', true],
    [' ON ', true],
  ])('%j → the page is %s', (value, on) => {
    expect(readConfig(value === undefined ? {} : { STATS_PAGE: value }, ROOT).statsPage).toBe(on);
  });

  test('anything else stops the start with a clear message', () => {
    expect(() => readConfig({ STATS_PAGE: 'yes' }, ROOT)).toThrow(new ConfigError('STATS_PAGE must be "on" or "off"'));
  });
});
