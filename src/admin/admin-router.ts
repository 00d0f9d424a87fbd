import { createHmac, randomBytes } from 'node:crypto';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import { csrfSync } from 'csrf-sync';
import { doubleCsrf } from 'csrf-csrf';
import cookieParser from 'cookie-parser';
import { ipKeyGenerator } from 'express-rate-limit';
import { tokyoTime } from '../domain/calendar';
import { checkableFields, correctableFields, STAFF_SOURCE, type CheckableField } from '../domain/staff-changes/change';
import { applyStaffChanges } from '../domain/staff-changes/merge-over-content';
import { checkNotice, correctedFact, StaffInputError } from '../domain/staff-changes/validation';
import { IBASHO_NOTE_MAX_LENGTH, NOTICE_MAX_LENGTH } from '../domain/content/limits';
import { factsToCheck } from '../domain/fact-freshness';
import { ibashoOverview } from '../domain/ibasho-overview';
import type { WeeklyHours } from '../domain/content/schema';
import { pendingExport } from '../domain/staff-export';
import { NOTICES_SHOWN } from '../domain/notice-lines';
import { replyPastLineLimits } from '../line/notice-fit';
import { localDateOf } from '../domain/calendar';
import { dummyPasswordHash, verifyPassword } from '../staff/passwords';
import type { LiveDefinitions } from '../usecases/live-definitions';
import type { Clock, Logger, LoginRule, StaffStore } from '../usecases/ports';
import { cancelIbashoDate, moveIbashoDate, noteIbashoDate, publishIbashoDate } from '../usecases/staff-operations';
import { pageSecurity } from '../pages/pages';
import { html, type Markup } from '../pages/markup';
import { ADMIN_CSS, csrfField, page } from './html';
import { StaffSessionStore } from './session-store';

export const ADMIN_IDLE_MS = 30 * 60_000;
/** However active, a session ends this long after its login: a stolen or forgotten one does not live on. */
export const ADMIN_SESSION_MAX_MS = 8 * 60 * 60_000;
export const SESSION_COOKIE = 'guide_staff';
/** The login form's CSRF cookie (signed double submit): strangers get no stored session for it. */
export const LOGIN_CSRF_COOKIE = 'guide_login_csrf';
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
}

/** SESSION_SECRET, else one derived from the LINE channel secret, else (local use) a random one. */
export function sessionSecretFrom(config: { sessionSecret: string | null; line: { channelSecret: string } | null }): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (config.line) return createHmac('sha256', config.line.channelSecret).update('staff-session-cookie').digest('hex');
  return randomBytes(32).toString('hex');
}

const ACTION_LABELS: Record<string, string> = {
  'ibasho.publish': 'いばしょ 公開',
  'ibasho.cancel': 'いばしょ 中止',
  'ibasho.move': 'いばしょ 日程変更',
  'ibasho.note': 'いばしょ メモ',
  'ibasho.remove': 'いばしょ 取り消し',
  'notice.add': 'お知らせ 追加',
  'notice.remove': 'お知らせ 終了',
  'fact.check': '情報 確認',
  'fact.correct': '情報 訂正',
  'account.add': 'アカウント 追加',
  'account.disable': 'アカウント 停止',
  'account.reset': 'パスワード 変更',
  'account.enable': 'アカウント 再開',
  'account.login': 'ログイン',
  'account.login-failed': 'ログイン失敗',
  'account.logout': 'ログアウト',
};

function when(at: number): string {
  const t = tokyoTime(at);
  return `${t.date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

const field = (req: Request, name: string): string => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/**
 * The staff console under /admin: server-rendered Japanese pages, sessions in the store, CSRF tokens
 * on every form (csrf-sync), security headers (helmet, CSP 'self'), throttled logins, and an audit
 * row for every change. Also returns the session and login guard for other staff-only pages.
 */
export function adminRouter(options: AdminOptions): { router: Router; staffOnly: (routers: Router[]) => Router } {
  const { staff, live, clock, logger } = options;
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
    getTokenFromRequest: (req) => field(req, '_csrf') || undefined,
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
    getCsrfTokenFromRequest: (req) => field(req, '_csrf') || undefined,
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

  const render = (req: Request, res: Response, title: string, body: Markup, extra: { error?: string; status?: number } = {}) => {
    const flash = req.session?.flash;
    if (flash) delete req.session.flash;
    res
      .status(extra.status ?? 200)
      .type('html')
      // A stranger's page writes nothing into the session: its only form is the login's (its own token).
      .send(page({ title, user: req.session?.username, csrf: req.session?.username ? generateToken(req) : undefined, flash, error: extra.error, links: options.links ?? [] }, body));
  };

  const done = (req: Request, res: Response, message: string, to: string) => {
    req.session.flash = message;
    res.redirect(303, to);
  };

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

  // ---- Login and logout ----

  const loginPage = (req: Request, res: Response, extra: { error?: string; status?: number } = {}) =>
    render(
      req,
      res,
      'ログイン',
      html`<form method="post" action="/admin/login">
${csrfField(loginCsrf.generateCsrfToken(req, res))}
<label>ユーザー名 <input type="text" name="username" autocomplete="username" required autofocus></label>
<label>パスワード <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">ログイン</button>
</form>
<p class="muted">アカウントは担当者が <code>npm run staff -- add 名前 --password-stdin</code> で作ります。</p>`,
      extra,
    );

  admin.get('/login', (req, res) => {
    if (req.session.username) return res.redirect(303, '/admin/ibasho');
    loginPage(req, res);
  });

  admin.post('/login', loginCsrf.doubleCsrfProtection, async (req, res) => {
    const username = field(req, 'username').trim().toLowerCase().slice(0, 64);
    const password = field(req, 'password');
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
      return loginPage(req, res, { status: 429, error: `ログインの失敗が続いたため、この端末からの受け付けを止めています。${minutes}分ほどたってから、もう一度お試しください。` });
    }
    // Verify against a dummy hash when there is no such account, so both cases take as long.
    const valid = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!account || account.disabled || !valid) {
      // The audit row names only an existing account: a password typed into the name field is never kept.
      if (account) await staff.access.recordSignIn('account.login-failed', account.username, at);
      logger.info({ event: 'staff-login-failed', account: known, address }, 'staff login failed');
      return loginPage(req, res, { status: 401, error: 'ユーザー名またはパスワードが違います。' });
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

  admin.post('/logout', requireStaff, csrfSynchronisedProtection, async (req, res) => {
    const username = req.session.username!;
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    await staff.access.recordSignIn('account.logout', username, now().getTime());
    logger.info({ event: 'staff-logout', account: username }, 'staff logout');
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies });
    res.redirect(303, '/admin/login');
  });

  // ---- Everything below needs a signed-in account, and a CSRF token on every form ----

  admin.use(requireStaff);
  admin.use(csrfSynchronisedProtection);

  admin.get('/', (_req, res) => res.redirect(303, '/admin/ibasho'));

  /** Which staff changes content/ does not say yet, so a developer runs the export and commits them. */
  const exportNote = () => {
    const pending = pendingExport(live.base.content, live.staffChanges);
    if (pending.length === 0) return html``;
    return html`<details class="muted"><summary>content/ にまだ書き出していない変更: ${pending.length} 件</summary>
<p>ボットには反映されています。開発担当者が <code>npm run content:export</code> で content/ に書き出し、コミットします。</p>
<ul>${pending.map((line) => html`<li>${line}</li>`)}</ul></details>`;
  };

  const ibashoPage = (req: Request, res: Response, extra: { error?: string; status?: number } = {}) => {
    const defs = live.view;
    const rule = defs.content.ibasho.rule.value;
    const months = ibashoOverview(defs, now());
    const csrf = generateToken(req);
    const fromStaff = (source: string) => source.startsWith(STAFF_SOURCE);
    const sections = months.map((month) => {
      const explicitDays = new Set(month.dates.flatMap((d) => [d.date, ...(d.status === 'moved' ? [d.movedTo] : [])]));
      const candidates = month.candidates.filter((d) => !explicitDays.has(d));
      const scheduled = month.dates.some((d) => d.status !== 'cancelled');
      return html`<section aria-labelledby="m-${month.month}">
<h2 id="m-${month.month}">${month.month.replace('-', '年')}月</h2>
<p class="muted">規則による候補日: ${month.candidates.join('、') || 'なし'}</p>
<ul>
${month.dates.map((d) => {
  const who = fromStaff(d.source) ? '管理画面' : 'content/';
  if (d.status === 'cancelled') return html`<li><span class="tag cancelled">中止</span> ${d.date}(${who})</li>`;
  const day = d.status === 'moved' ? d.movedTo : d.date;
  const times = `${d.start ?? rule.start}〜${d.end ?? rule.end}`;
  const head =
    d.status === 'moved'
      ? html`<span class="tag moved">変更</span> ${d.date} → <strong>${d.movedTo}</strong> ${times}`
      : html`<span class="tag held">公開中</span> <strong>${d.date}</strong> ${times}`;
  const staffControls = fromStaff(d.source)
    ? html`
<form method="post" action="/admin/ibasho/note" class="row"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="date" value="${d.date}">
<label>メモ(部屋など) <input type="text" name="note" maxlength="${IBASHO_NOTE_MAX_LENGTH}" value="${d.note ?? ''}"></label><button type="submit" class="secondary">メモを保存</button></form>`
    : html``;
  return html`<li>${head} ${d.note ? html`<span class="muted">${d.note}</span>` : html``}(${who})
<form method="post" action="/admin/ibasho/cancel" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="date" value="${day}"><button type="submit" class="danger">${day} を中止にする</button></form>
<form method="post" action="/admin/ibasho/move" class="row"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="date" value="${d.status === 'moved' ? d.movedTo : d.date}">
<label>別の日に変更 <input type="date" name="to" required></label><button type="submit" class="secondary">変更する</button></form>${staffControls}</li>`;
})}
${!scheduled
  ? candidates.map(
      (d) => html`<li><span class="tag planned">予定(未確定)</span> ${d}
<form method="post" action="/admin/ibasho/publish" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="date" value="${d}"><button type="submit">${d} に開催として公開</button></form></li>`,
    )
  : html``}
</ul>
</section>`;
    });
    render(
      req,
      res,
      'めぐろのいばしょ 開催日',
      html`<p>公開した日は、ボットが「予定」ではなく確定した開催日として案内し、登録した人にリマインドが届きます。公開していない月は、規則による候補日を「予定」として案内します。</p>
${exportNote()}
<section aria-labelledby="publish">
<h2 id="publish">開催日を公開する</h2>
<form method="post" action="/admin/ibasho/publish">
${csrfField(csrf)}
<div class="row">
<label>日付 <input type="date" name="date" required></label>
<label>開始 <input type="time" name="start" value="${rule.start}"></label>
<label>終了 <input type="time" name="end" value="${rule.end}"></label>
</div>
<label>メモ(部屋など、${IBASHO_NOTE_MAX_LENGTH}文字まで) <input type="text" name="note" maxlength="${IBASHO_NOTE_MAX_LENGTH}"></label>
<button type="submit">公開する</button>
</form>
</section>
${sections}`,
      extra,
    );
  };

  admin.get('/ibasho', (req, res) => ibashoPage(req, res));

  /** Runs a change, makes this instance serve it at once, and reports back; a bad edit re-shows the page. */
  const change = (work: (req: Request, actor: string) => Promise<string>, pageOnError: (req: Request, res: Response, extra: { error?: string; status?: number }) => void, to: string): RequestHandler =>
    async (req, res) => {
      try {
        const message = await work(req, req.session.username!);
        await live.refresh();
        done(req, res, message, to);
      } catch (error) {
        if (!(error instanceof StaffInputError)) throw error;
        pageOnError(req, res, { error: error.message, status: 400 });
      }
    };

  admin.post(
    '/ibasho/publish',
    change(async (req, actor) => {
      const entry = await publishIbashoDate(staff, live.view, { date: field(req, 'date'), start: field(req, 'start'), end: field(req, 'end'), note: field(req, 'note') }, actor, now());
      return `${entry.date} ${entry.start}〜${entry.end} を公開しました。数秒でボットの案内に出ます。`;
    }, ibashoPage, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/cancel',
    change(async (req, actor) => {
      const entry = await cancelIbashoDate(staff, live.view, field(req, 'date'), actor, now());
      return `${entry.date} を中止にしました。`;
    }, ibashoPage, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/move',
    change(async (req, actor) => {
      const entry = await moveIbashoDate(staff, live.view, field(req, 'date'), field(req, 'to'), actor, now());
      return `${entry.date} の回を ${entry.movedTo} に変更しました。`;
    }, ibashoPage, '/admin/ibasho'),
  );
  admin.post(
    '/ibasho/note',
    change(async (req, actor) => {
      const entry = await noteIbashoDate(staff, field(req, 'date'), field(req, 'note'), actor, now());
      return `${entry.date} のメモを保存しました。`;
    }, ibashoPage, '/admin/ibasho'),
  );

  const noticesPage = (req: Request, res: Response, extra: { error?: string; status?: number } = {}) => {
    const defs = live.view;
    const today = localDateOf(now());
    const csrf = generateToken(req);
    const notices = live.staffChanges.notices.filter((n) => n.endsOn >= today);
    const names = (ids: string[]) => (ids.length === 0 ? 'すべての案内' : ids.map((id) => defs.windowsById.get(id)?.name ?? id).join('、'));
    render(
      req,
      res,
      'お知らせ',
      html`<p>お知らせは、表示期間のあいだ、ボットの案内の上に出ます(休館・移転・受付時間の変更など)。期間が過ぎると自動で出なくなります。</p>
<p class="muted">ひとつの案内の上に出るのは、新しいお知らせ${NOTICES_SHOWN}件までです。それより多いときは「ほかのお知らせが あと○件あります」と件数だけが出ます。</p>
<section aria-labelledby="add-notice">
<h2 id="add-notice">お知らせを追加する</h2>
<form method="post" action="/admin/notices/add">
${csrfField(csrf)}
<label>お知らせの文(${NOTICE_MAX_LENGTH}文字まで) <textarea name="text" rows="3" maxlength="${NOTICE_MAX_LENGTH}" required></textarea></label>
<div class="row">
<label>表示開始日 <input type="date" name="startsOn" value="${today}"></label>
<label>表示終了日 <input type="date" name="endsOn" required></label>
</div>
<fieldset><legend>出す窓口(選ばなければ、すべての案内に出ます)</legend>
${defs.content.windows.map((w) => html`<label><input type="checkbox" name="windows" value="${w.id}"> ${w.name}</label>`)}
</fieldset>
<button type="submit">追加する</button>
</form>
</section>
<h2>表示中・表示予定のお知らせ</h2>
${notices.length === 0 ? html`<p class="muted">ありません。</p>` : html``}
${notices.map(
  (n) => html`<section><p>${n.text}</p><p class="muted">${n.startsOn} 〜 ${n.endsOn} / ${names(n.windows)} / ${n.by}</p>
<form method="post" action="/admin/notices/remove" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="id" value="${n.id}"><button type="submit" class="danger">このお知らせを終える</button></form></section>`,
)}`,
      extra,
    );
  };

  admin.get('/notices', (req, res) => noticesPage(req, res));
  admin.post(
    '/notices/add',
    change(async (req, actor) => {
      const raw = (req.body as Record<string, unknown>).windows;
      const windows = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
      const notice = checkNotice(live.view, { text: field(req, 'text'), startsOn: field(req, 'startsOn'), endsOn: field(req, 'endsOn'), windows }, now());
      const added = { ...notice, id: 'new', by: actor, at: now().getTime() };
      // Ordered as the store returns them (first day, then when written), so the same two are shown.
      const notices = [...live.staffChanges.notices, added].sort((a, b) => (a.startsOn === b.startsOn ? a.at - b.at : a.startsOn < b.startsOn ? -1 : 1));
      const tooLong = replyPastLineLimits(applyStaffChanges(live.base, { ...live.staffChanges, notices }), notice.startsOn, notice.endsOn);
      if (tooLong) {
        throw new StaffInputError(
          `このお知らせを加えると、${tooLong.date} の「${tooLong.node}」の案内が、LINEで送れる長さ(${tooLong.max}文字)を超えてしまいます(${tooLong.length}文字)。お知らせの文を短くするか、同じ時期のほかのお知らせを終えてから、もう一度お試しください。`,
        );
      }
      await staff.content.addNotice({ ...notice, by: actor, at: added.at });
      return `お知らせを追加しました(${notice.startsOn} 〜 ${notice.endsOn})。`;
    }, noticesPage, '/admin/notices'),
  );
  admin.post(
    '/notices/remove',
    change(async (req, actor) => {
      if (!(await staff.content.removeNotice(field(req, 'id'), actor, now().getTime()))) throw new StaffInputError('そのお知らせは見つかりません(もう終わっています)');
      return 'お知らせを終えました。';
    }, noticesPage, '/admin/notices'),
  );

  const FIELD_LABELS: Record<CheckableField, string> = { helpsWith: '相談できること', phone: '電話番号', hours: '受付時間', place: '場所', access: '行き方', area: '担当地域' };

  const factsPage = (req: Request, res: Response, extra: { error?: string; status?: number } = {}) => {
    const csrf = generateToken(req);
    const views = factsToCheck(live.view, now(), 180);
    render(
      req,
      res,
      '情報の確認',
      html`<p>窓口ごとの情報と、その出典・最後に確認した日です。確認してから180日を過ぎたものが先に並びます。確かめたら「確認しました」を、電話番号や受付時間が変わっていたら訂正してください(内容ファイルと同じ検査をします)。</p>
${exportNote()}
${views.map((v) => {
  const id = `${v.window.id}-${v.field}`;
  const correctable = (correctableFields as readonly string[]).includes(v.field);
  const hours = v.field === 'hours' && !('unknown' in v.window.hours) ? (v.window.hours.value as WeeklyHours) : null;
  return html`<section aria-labelledby="${id}">
<h2 id="${id}">${v.window.name}: ${FIELD_LABELS[v.field]}</h2>
<p>${v.shown}</p>
<p class="muted">確認日 ${v.checked}(${v.ageDays}日前)${v.ageDays > 180 ? html` <strong>要確認</strong>` : html``} / 出典 ${v.source ?? 'なし'} / ${v.status} / 表の行 ${v.fact}</p>
<form method="post" action="/admin/facts/check" class="row"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="window" value="${v.window.id}"><input type="hidden" name="field" value="${v.field}">
<label>どこで確認したか <input type="text" name="sourceNote" maxlength="200" required placeholder="例: 区のページ、電話で確認"></label><button type="submit" class="secondary">確認しました</button></form>
${correctable
  ? html`<details><summary>訂正する</summary><form method="post" action="/admin/facts/correct"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="window" value="${v.window.id}"><input type="hidden" name="field" value="${v.field}">
${v.field === 'phone'
  ? html`<label>電話番号 <input type="text" name="phone" inputmode="tel" value="${'unknown' in v.window.phone ? '' : v.window.phone.value}"></label>`
  : html`<label>受付時間(案内に出す文) <input type="text" name="hoursText" value="${hours?.text ?? ''}"></label>
<label>曜日と時刻(例: mon,tue,wed,thu,fri 08:30-17:00)<input type="text" name="hoursSlots" value="${(hours?.slots ?? []).map((s) => `${(s.days ?? []).join(',')} ${s.open}-${s.close}`).join('; ')}"></label>
<label><input type="checkbox" name="closedOnHolidays" value="yes"${hours?.closedOnHolidays ? html` checked` : html``}> 祝日は休み</label>
<label><input type="checkbox" name="closedNewYear" value="yes"${hours?.closedNewYear ? html` checked` : html``}> 年末年始は休み</label>`}
<label>出典(どこで確認したか) <input type="text" name="sourceNote" maxlength="200" required></label>
<button type="submit">訂正する</button></form></details>`
  : html``}
</section>`;
})}`,
      extra,
    );
  };

  const isCheckable = (name: string): name is CheckableField => (checkableFields as readonly string[]).includes(name);

  admin.get('/facts', (req, res) => factsPage(req, res));
  admin.post(
    '/facts/check',
    change(async (req, actor) => {
      const windowId = field(req, 'window');
      const name = field(req, 'field');
      const window = live.view.windowsById.get(windowId);
      if (!window || !isCheckable(name) || !window[name]) throw new StaffInputError('その情報は見つかりません');
      const sourceNote = field(req, 'sourceNote').trim();
      if (!sourceNote) throw new StaffInputError('どこで確認したかを書いてください');
      const today = localDateOf(now());
      const previous = live.staffChanges.factChecks.find((c) => c.window === windowId && c.field === name);
      // A re-check keeps an earlier correction and gives it the new date.
      const value = previous?.value ? { ...(previous.value as object), checked: today } : null;
      await staff.content.putFactCheck({ window: windowId, field: name, checked: today, by: actor, sourceNote, value, at: now().getTime() });
      return `${window.name} の${FIELD_LABELS[name]}を「確認しました」にしました(${today})。`;
    }, factsPage, '/admin/facts'),
  );
  admin.post(
    '/facts/correct',
    change(async (req, actor) => {
      const windowId = field(req, 'window');
      const name = field(req, 'field');
      if (name !== 'phone' && name !== 'hours') throw new StaffInputError('訂正できるのは電話番号と受付時間です');
      const today = localDateOf(now());
      const sourceNote = field(req, 'sourceNote').trim();
      if (!sourceNote) throw new StaffInputError('どこで確認したかを書いてください');
      let value: unknown;
      if (name === 'phone') value = field(req, 'phone').trim();
      else {
        const slots = field(req, 'hoursSlots')
          .split(/[;;\n]/)
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => {
            const [days = '', times = ''] = s.split(/\s+/, 2);
            const [open = '', close = ''] = times.split(/[-〜~]/);
            return { days: days.split(',').map((d) => d.trim()), open, close };
          });
        value = { text: field(req, 'hoursText').trim(), ...(slots.length > 0 ? { slots } : {}), closedOnHolidays: field(req, 'closedOnHolidays') === 'yes', closedNewYear: field(req, 'closedNewYear') === 'yes' };
      }
      const fact = correctedFact(live.view, windowId, name, { value, by: actor, sourceNote, today });
      await staff.content.putFactCheck({ window: windowId, field: name, checked: today, by: actor, sourceNote, value: fact, at: now().getTime() });
      return `${live.view.windowsById.get(windowId)?.name ?? windowId} の${FIELD_LABELS[name]}を訂正しました。`;
    }, factsPage, '/admin/facts'),
  );

  admin.get('/audit', async (req, res) => {
    const entries = await staff.content.auditLog(500);
    const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value, null, 1));
    render(
      req,
      res,
      '変更の記録',
      html`<p>管理画面とコマンドで行った変更はすべてここに残ります(自動では消えません)。新しい順に500件まで表示します。</p>
<table><thead><tr><th>日時</th><th>だれが</th><th>内容</th><th>対象</th><th>変更前</th><th>変更後</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${when(e.at)}</td><td>${e.actor}</td><td>${ACTION_LABELS[e.action] ?? e.action}</td><td>${e.subject}</td><td><pre>${json(e.before)}</pre></td><td><pre>${json(e.after)}</pre></td></tr>`)}
</tbody></table>`,
    );
  });

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
