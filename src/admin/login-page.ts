import type { Request, RequestHandler, Response, Router } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { html } from '../pages/markup';
import { dummyPasswordHash, verifyPassword } from '../staff/passwords';
import type { LoginRule } from '../usecases/ports';
import type { ConsolePage, PageExtra } from './console-page';
import { formField, postForm } from './form';

const DAY_MS = 24 * 60 * 60_000;
/**
 * Login limits, counted in the store so that they hold across instances and parallel requests.
 * One account typed from one address: 5 attempts, then 1 minute, doubling up to an hour; so a
 * stranger elsewhere cannot lock a member of staff out of the office. One address, whatever the
 * accounts: 20 attempts, then 15 minutes, doubling up to a day. A success clears both; a key left
 * alone for a day starts afresh.
 */
export const LOGIN_PER_ACCOUNT_AND_ADDRESS: LoginRule = { free: 5, delayMs: 60_000, maxDelayMs: 60 * 60_000, quietMs: DAY_MS };
export const LOGIN_PER_ADDRESS: LoginRule = { free: 20, delayMs: 15 * 60_000, maxDelayMs: DAY_MS, quietMs: DAY_MS };

export interface LoginGuards {
  /** The login form's own token (signed double submit: no session exists yet) and its check. */
  loginCsrf: { generateCsrfToken: (req: Request, res: Response) => string; doubleCsrfProtection: RequestHandler };
  /** A signed-in account and the session's CSRF token, for logging out. */
  requireStaff: RequestHandler;
  sessionCsrf: RequestHandler;
  /** Clears the session cookie on logout. */
  clearSessionCookie: (res: Response) => void;
}

/** ログイン: the login form (throttled, audited) at /admin/login, and logging out. */
export function loginPage(admin: Router, ctx: ConsolePage, guards: LoginGuards): void {
  const { staff, logger, now } = ctx;

  const show = (req: Request, res: Response, extra: PageExtra = {}) =>
    ctx.render(
      req,
      res,
      'ログイン',
      html`${postForm('/admin/login', { csrf: guards.loginCsrf.generateCsrfToken(req, res) }, html`
<label>ユーザー名 <input type="text" name="username" autocomplete="username" required autofocus></label>
<label>パスワード <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">ログイン</button>
`)}
<p class="muted">アカウントは担当者が <code>npm run staff -- add 名前 --password-stdin</code> で作ります。</p>`,
      extra,
    );

  admin.get('/login', (req, res) => {
    if (req.session.username) return res.redirect(303, '/admin/ibasho');
    show(req, res);
  });

  admin.post('/login', guards.loginCsrf.doubleCsrfProtection, async (req, res) => {
    const username = formField(req, 'username').trim().toLowerCase().slice(0, 64);
    const password = formField(req, 'password');
    const at = now().getTime();
    // The address as the proxies we trust report it ('trust proxy'); IPv6 by its /56, as the simulator's limiter does.
    const address = req.ip ?? 'unknown';
    const addressKey = `ip:${ipKeyGenerator(address)}`;
    const pairKey = `pair:${ipKeyGenerator(address)}:${username}`;
    // Reserved before the password is verified, so that parallel tries cannot pass the limits.
    const reserved = await staff.access.reserveLoginAttempt(addressKey, LOGIN_PER_ADDRESS, at);
    const allowed = reserved.allowed ? await staff.access.reserveLoginAttempt(pairKey, LOGIN_PER_ACCOUNT_AND_ADDRESS, at) : reserved;
    const account = username ? await staff.access.account(username) : null;
    const known = account ? account.username : 'unknown';
    if (!allowed.allowed) {
      const minutes = Math.max(1, Math.ceil((allowed.until - at) / 60_000));
      logger.warn({ event: 'staff-login-throttled', account: known, address, minutes }, 'staff login refused: too many attempts');
      res.set('Retry-After', String(minutes * 60));
      return show(req, res, { status: 429, error: `ログインの失敗が続いたため、この端末からの受け付けを止めています。${minutes}分ほどたってから、もう一度お試しください。` });
    }
    // Verify against a dummy hash when there is no such account, so both cases take as long.
    const valid = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!account || account.disabled || !valid) {
      // The audit row names only an existing account: a password typed into the name field is never kept.
      if (account) await staff.access.recordSignIn('account.login-failed', account.username, at);
      logger.info({ event: 'staff-login-failed', account: known, address }, 'staff login failed');
      return show(req, res, { status: 401, error: 'ユーザー名またはパスワードが違います。' });
    }
    await staff.access.clearLoginAttempts([pairKey, addressKey]);
    // A new session id at login, so that a session fixed before it is worth nothing.
    await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
    req.session.username = account.username;
    req.session.loginAt = at;
    req.session.flash = `${account.username} さん、ログインしました。`;
    await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    await staff.access.recordSignIn('account.login', account.username, at);
    logger.info({ event: 'staff-login', account: account.username, address }, 'staff login');
    res.redirect(303, '/admin/ibasho');
  });

  admin.post('/logout', guards.requireStaff, guards.sessionCsrf, async (req, res) => {
    const username = req.session.username!;
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    await staff.access.recordSignIn('account.logout', username, now().getTime());
    logger.info({ event: 'staff-logout', account: username }, 'staff logout');
    guards.clearSessionCookie(res);
    res.redirect(303, '/admin/login');
  });
}
