import type { Request, RequestHandler, Response } from 'express';
import { StaffInputError } from '../domain/staff-changes/validation';
import type { Markup } from '../pages/markup';
import type { LiveDefinitions } from '../usecases/live-definitions';
import type { Logger, StaffStore } from '../usecases/ports';
import { page } from './html';

/** What a page shows besides its body: the error of a refused edit, and the status to answer with. */
export interface PageExtra {
  error?: string;
  status?: number;
}

/** Shows a page (again, with the error of a refused edit). */
export type ShowPage = (req: Request, res: Response, extra?: PageExtra) => void;

/** What every console page (one file each) gets from the router: the data, the clock, and one way to answer. */
export interface ConsolePage {
  staff: StaffStore;
  live: LiveDefinitions;
  logger: Logger;
  now(): Date;
  /** The session's CSRF token, for the page's forms. */
  csrf(req: Request): string;
  /** The page in the console's chrome, with the flash message of the last change (shown once). */
  render(req: Request, res: Response, title: string, body: Markup, extra?: PageExtra): void;
  /** Runs a change, makes this instance serve it at once, and reports back; a bad edit re-shows the page. */
  change(work: (req: Request, actor: string) => Promise<string>, pageOnError: ShowPage, to: string): RequestHandler;
}

export function consolePage(deps: {
  staff: StaffStore;
  live: LiveDefinitions;
  logger: Logger;
  now: () => Date;
  csrf: (req: Request) => string;
  links: { href: string; label: string }[];
}): ConsolePage {
  const { live, csrf } = deps;
  const render: ConsolePage['render'] = (req, res, title, body, extra = {}) => {
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    res
      .status(extra.status ?? 200)
      .type('html')
      // A stranger's page writes nothing into the session: its only form is the login's (its own token).
      .send(page({ title, user: req.session?.username, csrf: req.session?.username ? csrf(req) : undefined, flash, error: extra.error, links: deps.links }, body));
  };
  const change: ConsolePage['change'] = (work, pageOnError, to) => async (req, res) => {
    try {
      const message = await work(req, req.session.username!);
      await live.refresh();
      req.session.flash = message;
      res.redirect(303, to);
    } catch (error) {
      if (!(error instanceof StaffInputError)) throw error;
      pageOnError(req, res, { error: error.message, status: 400 });
    }
  };
  return { staff: deps.staff, live, logger: deps.logger, now: deps.now, csrf, render, change };
}
