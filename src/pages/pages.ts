import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { html, type Markup } from './markup';

/**
 * What every server-rendered page (/flow, /stats, /admin) shares: the document around its content,
 * the security headers, and the chrome stylesheet (colours, type, the title bar) of /flow and /stats.
 */

export interface PageSecurity {
  /** The page runs its own scripts ('self'); otherwise no script at all. */
  scripts: boolean;
  /** Served over HTTPS (behind a proxy): ask browsers to stay on HTTPS (HSTS, upgrade-insecure-requests). */
  https?: boolean;
}

/**
 * Security headers through helmet: only this app's own files (no CDN, no inline script or style),
 * never framed, no referrer, nosniff, and the rest of helmet's defaults.
 */
export function pageSecurity(options: PageSecurity): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [options.scripts ? "'self'" : "'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.https ?? false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Where the shared chrome stylesheet is served; a page links it before its own. */
export const CHROME_STYLESHEET = '/pages/chrome.css';

/** Serves the chrome stylesheet (mount it at CHROME_STYLESHEET on every router whose pages link it). */
export const chromeStylesheet: RequestHandler = (_req, res) => {
  res.type('css').set('Cache-Control', 'max-age=3600').send(CHROME_CSS);
};

export interface PageDocument {
  title: string;
  /** Stylesheets in cascade order: CHROME_STYLESHEET first when the page uses the chrome. */
  stylesheets: string[];
  icon?: { href: string; type?: string };
  /** Staff and statistics pages stay out of search engines. */
  noindex?: boolean;
  /** The title bar's content and its class (none for the staff console's own header style). */
  header: Markup;
  headerClass?: string;
  main: Markup;
}

/** A whole page: Japanese, phone-width viewport, the page's stylesheets, title bar and main content. */
export function renderPage(page: PageDocument): string {
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${page.noindex ? html`<meta name="robots" content="noindex">\n` : ''}<title>${page.title}</title>
${page.icon ? html`<link rel="icon" href="${page.icon.href}"${page.icon.type ? html` type="${page.icon.type}"` : ''}>\n` : ''}${page.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}">\n`)}</head>
<body>
<header${page.headerClass ? html` class="${page.headerClass}"` : ''}>${page.header}</header>
<main>
${page.main}
</main>
</body>
</html>
`.html;
}

/** The chrome of /flow and /stats: each page's own stylesheet adds to it (and sets main's width). */
const CHROME_CSS = `/* Shared by /flow and /stats: colours, type, the title bar; readable at 375px and printable. */
:root {
  --ink: #1a1a1a;
  --muted: #4a5560;
  --red: #b00020;
  font-family: 'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, system-ui, sans-serif;
  font-size: 17px;
  line-height: 1.6;
  color: var(--ink);
}

* {
  box-sizing: border-box;
}

body {
  margin: 0;
  background: #f7f9f8;
}

:focus-visible {
  outline: 3px solid #ffbf47;
  outline-offset: 2px;
}

.bar {
  padding: 10px 14px;
  background: #243447;
  color: #ffffff;
}

.bar h1 {
  margin: 0;
  font-size: 1.2rem;
}

main {
  margin: 0 auto;
  padding: 12px 12px 40px;
}

h2 {
  font-size: 1.15rem;
}

.notice {
  padding: 10px 14px;
  border: 2px solid #a15c00;
  border-radius: 10px;
  background: #fff8e6;
}

.id {
  font-family: ui-monospace, 'Noto Sans Mono CJK JP', monospace;
  font-size: 0.8rem;
  color: var(--muted);
}

@media print {
  body {
    background: #ffffff;
  }
}
`;
