import path from 'node:path';
import express, { Router } from 'express';
import { addDays, localDateOf } from '../domain/calendar';
import type { Definitions } from '../domain/definitions';
import type { Clock, Store } from '../usecases/ports';
import { CHROME_STYLESHEET, chromeStylesheet, pageSecurity } from '../pages/pages';
import { renderStatsPage } from './stats-page';
import { nodeCatalogue, readRange, summarize } from './usage-figures';

/** The page's stylesheet, served by this app only (no CDN). */
export const STATS_ASSETS = path.join('src', 'stats', 'assets');

export interface StatsRouterOptions {
  store: Pick<Store, 'usage'>;
  /** The running definitions: their flow names the nodes. */
  definitions: Definitions;
  /** Today, in Tokyo, ends the default range. */
  clock: Clock;
  assetsDir: string;
  /** Served over HTTPS behind a proxy (TRUST_PROXY=on): browsers are told to stay on HTTPS. */
  https?: boolean;
}

/** A query parameter as text: absent stays absent, and a repeated one (`?from=a&from=b`) is no date. */
function param(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '?';
}

/**
 * The usage counts as a page, mounted only when STATS_PAGE=on:
 *   GET /stats?from=YYYY-MM-DD&to=YYYY-MM-DD   chart and table (default: the last 30 days in Tokyo)
 *   GET /stats/assets/stats.css
 * The counts carry no user id or text; 1 to 4 show as <5 here as in `npm run stats`.
 */
export function statsRouter(options: StatsRouterOptions): Router {
  const catalogue = nodeCatalogue(options.definitions.flow.flow);
  // The page runs no script.
  const pageHeaders = pageSecurity({ scripts: false, https: options.https ?? false });
  const router = Router();
  router.get('/stats', pageHeaders, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const given = { from: param(req.query.from), to: param(req.query.to) };
    const read = readRange(given, localDateOf(options.clock.now()), addDays);
    if ('problem' in read) {
      res.status(400).type('html').send(renderStatsPage({ kind: 'problem', problem: read.problem, given: { from: given.from ?? '', to: given.to ?? '' } }));
      return;
    }
    const rows = await options.store.usage(read.range.from, read.range.to);
    res.type('html').send(renderStatsPage({ kind: 'figures', range: read.range, summary: summarize(rows, catalogue) }));
  });
  router.get(CHROME_STYLESHEET, pageHeaders, chromeStylesheet);
  router.use('/stats/assets', pageHeaders, express.static(options.assetsDir, { index: false, fallthrough: false }));
  return router;
}
