/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), for the browser suites.
 * Without Chromium a developer's run says which suite did not run and how to get it; in CI
 * (CI=true) the suite fails instead of skipping.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browser');
export const PHONE = { width: 375, height: 812 };

const HOW_TO_INSTALL = 'install it with `npm run test:setup` (as root) or `sudo apt-get install chromium`, or point CHROMIUM_PATH at a Chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const inCI = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/** `describe` when Chromium is there (or in CI, where its absence fails in `requireChromium`); else a loud skip. */
export function describeInChromium(file: string, what: string, name: string, body: () => void): void {
  if (haveChromium || inCI) {
    describe(name, body);
    return;
  }
  // Straight to stderr: Jest does not show console output of a suite whose tests all skip.
  process.stderr.write(`\nBrowser tests NOT run: no Chromium at ${CHROMIUM}. Skipped: ${file} (${what}). To run them, ${HOW_TO_INSTALL}.\n`);
  describe.skip(name, body);
}

/** Call first in beforeAll: in CI a missing browser is a failure, never a skip. */
export function requireChromium(): void {
  if (!haveChromium) throw new Error(`Chromium is required in CI but missing at ${CHROMIUM}: ${HOW_TO_INSTALL}.`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}

/** With DOCS_SCREENSHOTS set (`npm run docs:screenshots`), copies a screenshot to docs/<name>.png. */
export function copyToDocs(file: string, name: string): void {
  if (!process.env.DOCS_SCREENSHOTS) return;
  fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  fs.copyFileSync(file, path.join(ROOT, 'docs', `${name}.png`));
}

export interface PhonePage {
  browser: import('playwright-core').Browser;
  context: import('playwright-core').BrowserContext;
  page: import('playwright-core').Page;
  /** Requests to anything but the app itself (recorded and refused). */
  offsite: string[];
  /** Script errors and Content-Security-Policy refusals on the page. */
  pageErrors: string[];
}

/** Chromium at phone width, in Japanese, allowed to reach only `origin`. */
export async function openPhonePage(origin: string): Promise<PhonePage> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, locale: 'ja-JP' });
  const offsite: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    offsite.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
  });
  return { browser, context, page, offsite, pageErrors };
}

export interface PhoneSession extends PhonePage {
  bot: import('./bot-harness').BotHarness;
  /** A screenshot at phone width into test-artifacts/browser/<name>.png; with `docs`, also docs/<docs>.png under `npm run docs:screenshots`. */
  shoot(name: string, options?: { fullPage?: boolean; element?: ReturnType<import('playwright-core').Page['locator']>; docs?: string }): Promise<void>;
}

/**
 * One phone page against one bot for a whole suite (the tests of a browser suite run in order on it):
 * opened before the first test, checked after every test (no script error or CSP refusal, nothing
 * fetched off-site), closed after the last. Its fields are filled in by the time the tests run.
 */
export function usePhoneSession(start: () => Promise<import('./bot-harness').BotHarness>, prepare?: (session: PhoneSession) => Promise<void>, timeoutMs = 30_000): PhoneSession {
  const session = {
    async shoot(name, options = {}) {
      const file = path.join(ARTIFACTS, `${name}.png`);
      if (options.element) await options.element.screenshot({ path: file });
      else await session.page.screenshot({ path: file, fullPage: options.fullPage ?? false });
      if (options.docs) copyToDocs(file, options.docs);
    },
  } as PhoneSession;

  beforeAll(async () => {
    requireChromium();
    session.bot = await start();
    Object.assign(session, await openPhonePage(session.bot.url));
    await prepare?.(session);
  }, timeoutMs);

  afterAll(async () => {
    await session.browser?.close();
    await session.bot?.close();
  });

  afterEach(() => {
    expect(session.pageErrors).toEqual([]);
    expect(session.offsite).toEqual([]);
  });
  return session;
}
