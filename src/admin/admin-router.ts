import { createHmac, randomBytes } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { csrfSync } from 'csrf-sync';
import { doubleCsrf } from 'csrf-csrf';
import cookieParser from 'cookie-parser';
import { pageSecurity } from '../pages/pages';
import { html } from '../pages/markup';
import type { LiveDefinitions } from '../usecases/live-definitions';
import type { Clock, Logger, StaffStore } from '../usecases/ports';
import { auditPage } from './audit-page';
import { consolePage } from './console-page';
import { factsPage } from './facts-page';
import { CSRF_FIELD, formField } from './form';
import { ADMIN_CSS, page } from './html';
import { ibashoPage } from './ibasho-page';
import { loginPage } from './login-page';
import { noticesPage } from './notices-page';
import { StaffSessionStore } from './session-store';

export const ADMIN_IDLE_MS = 30 * 60_000;
/** However active, a session ends this long after its login: a stolen or forgotten one does not live on. */
export const ADMIN_SESSION_MAX_MS = 8 * 60 * 60_000;
export const SESSION_COOKIE = 'guide_staff';
/** The login form's CSRF cookie (signed double submit): strangers get no stored session for it. */
export const LOGIN_CSRF_COOKIE = 'guide_login_csrf';

export interface AdminOptions {
  staff: StaffStore;
  live: LiveDefinitions;
  clock: Clock;
  logger: Logger;
  /** Cookies only over HTTPS: on behind a TLS-terminating proxy (TRUST_PROXY). */
  secureCookies: boolean;
  /** Signs the session cookie; the same on every instance so that they share sessions. */
  sessionSecret: string;
  /** Staff pages elsewhere on the app, linked from the console's menu. */
  links?: { href: string; label: string }[];
  /** FACT_MAX_AGE_DAYS: a fact checked longer ago is marked 要確認 and listed first on the facts page. */
  factMaxAgeDays: number;
}

/** SESSION_SECRET, else one derived from the LINE channel secret, else (local use) a random one. */
export function sessionSecretFrom(config: { sessionSecret: string | null; line: { channelSecret: string } | null }): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (config.line) return createHmac('sha256', config.line.channelSecret).update('staff-session-cookie').digest('hex');
  return randomBytes(32).toString('hex');
}

/**
 * The staff console under /admin: server-rendered Japanese pages (one file each), sessions in the
 * store, CSRF tokens on every form (csrf-sync), security headers (helmet, CSP 'self'), throttled
 * logins, and an audit row for every change. Also returns the session and login guard for other
 * staff-only pages.
 */
export function adminRouter(options: AdminOptions): { router: Router; staffOnly: (routers: Router[]) => Router } {
  const { staff, clock } = options;
  const now = () => clock.now();

  const staffSession = session({
    name: SESSION_COOKIE,
    secret: options.sessionSecret,
    store: new StaffSessionStore(staff, ADMIN_IDLE_MS, () => Date.now()),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: options.secureCookies,
    cookie: { httpOnly: true, sameSite: 'strict', secure: options.secureCookies, maxAge: ADMIN_IDLE_MS, path: '/' },
  });

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => formField(req, CSRF_FIELD) || undefined,
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
  });
  // Before login there is no session to keep a token in, and storing one for every stranger who opens
  // the form would let anyone grow the store: the login form's token is an HMAC-signed double-submit
  // cookie (csrf-csrf, by csrf-sync's authors). Its identifier is constant because no session exists
  // yet; the signature still means only this server can have made the pair.
  const loginCsrf = doubleCsrf({
    getSecret: () => options.sessionSecret,
    getSessionIdentifier: () => 'staff-login',
    cookieName: options.secureCookies ? `__Host-${LOGIN_CSRF_COOKIE}` : LOGIN_CSRF_COOKIE,
    cookieOptions: { httpOnly: true, sameSite: 'strict', secure: options.secureCookies, path: '/' },
    getCsrfTokenFromRequest: (req) => formField(req, CSRF_FIELD) || undefined,
  });

  /** A signed-in, still enabled account whose login is under 8 hours old; otherwise to the login page. */
  const requireStaff: RequestHandler = async (req, res, next) => {
    const username = req.session?.username;
    const account = username ? await staff.access.account(username) : null;
    const loginAt = req.session?.loginAt ?? 0;
    if (!account || account.disabled || now().getTime() - loginAt >= ADMIN_SESSION_MAX_MS) {
      if (username) await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.redirect(303, '/admin/login');
      return;
    }
    next();
  };

  const ctx = consolePage({ staff, live: options.live, logger: options.logger, now, csrf: (req) => generateToken(req), links: options.links ?? [] });

  const router = Router();
  const admin = Router();
  router.use('/admin', admin);

  admin.use(
    pageSecurity({ scripts: true, https: options.secureCookies }),
  );
  admin.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  admin.get('/admin.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'max-age=3600').send(ADMIN_CSS);
  });
  admin.use(express.urlencoded({ extended: false, limit: '16kb' }));
  admin.use(cookieParser());
  admin.use(staffSession);

  loginPage(admin, ctx, {
    loginCsrf,
    requireStaff,
    sessionCsrf: csrfSynchronisedProtection,
    clearSessionCookie: (res) => res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies }),
  });

  // ---- Everything below needs a signed-in account, and a CSRF token on every form ----

  admin.use(requireStaff);
  admin.use(csrfSynchronisedProtection);

  admin.get('/', (_req, res) => res.redirect(303, '/admin/ibasho'));
  ibashoPage(admin, ctx);
  noticesPage(admin, ctx);
  factsPage(admin, ctx, { maxAgeDays: options.factMaxAgeDays });
  auditPage(admin, ctx);

  const errors: ErrorRequestHandler = (error, req, res, next) => {
    if ((error as { code?: string })?.code === 'EBADCSRFTOKEN') {
      res.status(403).type('html').send(page({ title: '送信できませんでした', error: 'フォームの有効期限が切れたか、正しくない送信です。ページを開き直してから、もう一度お試しください。' }, html`<p><a href="/admin/ibasho">管理画面に戻る</a></p>`));
      return;
    }
    next(error);
  };
  admin.use(errors);
  /**
   * Other staff-only pages (the simulator, /stats) mounted behind the same login. The guard is decided
   * by where a router is mounted, not by comparing paths: whatever spelling Express routes to these
   * routers (any letter case, a trailing slash) passes the guard first, and so does any path no
   * earlier router served.
   */
  const staffOnly = (routers: Router[]): Router => {
    const guarded = Router();
    guarded.use(staffSession, requireStaff, ...routers);
    return guarded;
  };
  return { router, staffOnly };
}
