/**
 * The staff console as a security surface, driven in-process over HTTP (supertest) against the real
 * app and a real SQLite store: login, sessions, CSRF, headers, throttling, escaping and the audit log.
 */
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { startBot, type BotHarness } from '../support/bot-harness';
import { hashPassword } from '../../src/staff/passwords';
import { describeWithPostgres, freshDatabase } from '../support/postgres';

const tokyo = (local: string) => new Date(`${local}+09:00`);
const T = tokyo('2026-12-01T10:00:00');
const PASSWORD = 'correct horse battery staple';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

interface StoreUnderTest {
  open(): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
}

/** The same checks on the embedded SQLite store and on PostgreSQL (sessions, throttling, audit live in the store). */
function securitySuite(store: StoreUnderTest) {
  let database: { env: Record<string, string>; drop(): Promise<void> };
  let bot: BotHarness;

  beforeAll(async () => {
    database = await store.open();
    bot = await startBot({ now: T, env: database.env });
    const hash = await hashPassword(PASSWORD);
    for (const name of ['tanaka', 'suzuki', 'sato', 'kato']) await bot.composed.staff.access.addAccount(name, hash, 'test', Date.now());
  });
  afterAll(async () => {
    await bot.close();
    await database.drop();
  });

  /** Each test logs in from its own address, so that the per-address login limit of one does not touch another. */
  let ipCounter = 0;
  const newIp = () => `198.51.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

  function agent(ip = newIp()) {
    const a = request.agent(bot.composed.handleRequest);
    return { a, ip };
  }


  async function loginPage(client: ReturnType<typeof agent>) {
    const res = await client.a.get('/admin/login').set('X-Forwarded-For', client.ip);
    expect(res.status).toBe(200);
    return csrfOf(res.text);
  }

  async function login(client: ReturnType<typeof agent>, username = 'tanaka', password = PASSWORD) {
    const csrf = await loginPage(client);
    return client.a.post('/admin/login').set('X-Forwarded-For', client.ip).type('form').send({ _csrf: csrf, username, password });
  }

  async function signedIn(username = 'tanaka') {
    const client = agent();
    const res = await login(client, username);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/ibasho');
    const page = await client.a.get('/admin/ibasho');
    expect(page.status).toBe(200);
    return { ...client, csrf: csrfOf(page.text) };
  }

  describe('without a session', () => {
    test.each([
      ['get', '/admin'],
      ['get', '/admin/ibasho'],
      ['get', '/admin/audit'],
      ['post', '/admin/ibasho/publish'],
      ['post', '/admin/ibasho/cancel'],
      ['post', '/admin/ibasho/move'],
      ['post', '/admin/ibasho/note'],
      ['post', '/admin/logout'],
      ['get', '/admin/notices'],
      ['get', '/admin/facts'],
      ['post', '/admin/facts/check'],
      ['post', '/admin/facts/correct'],
      ['post', '/admin/notices/add'],
      ['post', '/admin/notices/remove'],
    ])('%s %s leads to the login page', async (method, path) => {
      const res = await (method === 'get' ? request(bot.composed.handleRequest).get(path) : request(bot.composed.handleRequest).post(path).type('form').send({ date: '2026-12-22' }));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/login');
    });
  });

  describe('the login form', () => {
    test('has the fields username and password, security headers and no external assets', async () => {
      const res = await request(bot.composed.handleRequest).get('/admin/login');
      expect(res.text).toContain('name="username"');
      expect(res.text).toContain('name="password"');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toMatch(/(src|href)="https?:/);
    });

    test('a good login sets an HttpOnly, SameSite=Strict session cookie that lasts 30 idle minutes', async () => {
      const client = agent();
      const res = await login(client);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/guide_staff=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).not.toMatch(/Secure/i);
      const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)![1]!);
      expect(expires - Date.now()).toBeGreaterThan(29 * 60_000);
      expect(expires - Date.now()).toBeLessThanOrEqual(30 * 60_000 + 1000);
    });

    test('the login form itself needs its CSRF token', async () => {
      const client = agent();
      await loginPage(client);
      const res = await client.a.post('/admin/login').set('X-Forwarded-For', client.ip).type('form').send({ username: 'tanaka', password: PASSWORD });
      expect(res.status).toBe(403);
    });

    test('5 wrong passwords from one address lock that account there, even with the right password; the same account elsewhere still gets in', async () => {
      const ip = newIp();
      for (let i = 0; i < 5; i++) {
        const res = await login(agent(ip), 'sato', 'wrong password here');
        expect(res.status).toBe(401);
        expect(res.text).toContain('ユーザー名またはパスワードが違います');
      }
      const blocked = await login(agent(ip), 'sato', PASSWORD);
      expect(blocked.status).toBe(429);
      expect(blocked.text).toContain('1分ほどたってから');
      expect(blocked.headers['retry-after']).toBe('60');
      expect((await login(agent(), 'sato', PASSWORD)).status).toBe(303);
    });

    test('the lock grows: after it ends one more try is let through, and a wrong one locks twice as long', async () => {
      const ip = newIp();
      for (let i = 0; i < 5; i++) expect((await login(agent(ip), 'kato', 'wrong password here')).status).toBe(401);
      bot.setNow(new Date(T.getTime() + 60_000));
      try {
        expect((await login(agent(ip), 'kato', 'still the wrong one')).status).toBe(401);
        const again = await login(agent(ip), 'kato', PASSWORD);
        expect(again.status).toBe(429);
        expect(again.text).toContain('2分ほどたってから');
        bot.setNow(new Date(T.getTime() + 180_000));
        expect((await login(agent(ip), 'kato', PASSWORD)).status).toBe(303);
      } finally {
        bot.setNow(T);
      }
    });

    test('30 wrong passwords sent at once on one session: at most 5 are evaluated, and the right one is refused while locked', async () => {
      const client = agent();
      const csrf = await loginPage(client);
      const auditBefore = (await bot.composed.staff.content.auditLog()).filter((e) => e.action === 'account.login-failed' && e.subject === 'account:tanaka').length;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => client.a.post('/admin/login').set('X-Forwarded-For', client.ip).type('form').send({ _csrf: csrf, username: 'tanaka', password: `wrong guess number ${i}` })),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      const evaluated = (await bot.composed.staff.content.auditLog()).filter((e) => e.action === 'account.login-failed' && e.subject === 'account:tanaka').length - auditBefore;
      expect(evaluated).toBe(statuses.filter((s) => s === 401).length);
      const right = await client.a.post('/admin/login').set('X-Forwarded-For', client.ip).type('form').send({ _csrf: csrf, username: 'tanaka', password: PASSWORD });
      expect(right.status).toBe(429);
    });

    test('logins, failed logins (by account name only) and logouts leave audit rows; log lines name the account and the address', async () => {
      const counts = async () => {
        const log = await bot.composed.staff.content.auditLog(100_000);
        const n = (action: string, actor: string) => log.filter((e) => e.action === action && e.actor === actor && e.subject === 'account:tanaka').length;
        return { login: n('account.login', 'tanaka'), failed: n('account.login-failed', 'anonymous'), logout: n('account.logout', 'tanaka'), nobody: log.filter((e) => e.subject.includes('nobody')).length };
      };
      const before = await counts();
      const client = agent();
      expect((await login(client, 'tanaka', 'not the password')).status).toBe(401);
      expect((await login(agent(client.ip), 'nobody-such', 'my password typed here')).status).toBe(401);
      const res = await login(client, 'tanaka');
      expect(res.status).toBe(303);
      const page = await client.a.get('/admin/ibasho');
      await client.a.post('/admin/logout').type('form').send({ _csrf: csrfOf(page.text) });
      expect(await counts()).toEqual({ login: before.login + 1, failed: before.failed + 1, logout: before.logout + 1, nobody: 0 });
      expect(JSON.stringify(await bot.composed.staff.content.auditLog())).not.toContain('my password typed here');
      expect(bot.logs.filter((l) => l.event === 'staff-login-failed' && l.address === client.ip).map((l) => l.account)).toEqual(expect.arrayContaining(['tanaka', 'unknown']));
      expect(bot.logs.some((l) => l.event === 'staff-login' && l.account === 'tanaka' && l.address === client.ip)).toBe(true);
      const audit = await (await signedIn()).a.get('/admin/audit');
      expect(audit.text).toContain('ログイン失敗');
    });

    test('opening the login form, and failing to log in, store no session', async () => {
      const sessions = async () => Number((await (bot.composed.store.database as any).selectFrom('staff_sessions').select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()).n);
      const before = await sessions();
      for (let i = 0; i < 20; i++) expect((await request(bot.composed.handleRequest).get('/admin/login')).status).toBe(200);
      expect((await login(agent(), 'tanaka', 'not the password')).status).toBe(401);
      expect(await sessions()).toBe(before);
    });

    test('one address trying many accounts is throttled too', async () => {
      const ip = newIp();
      for (let i = 0; i < 20; i++) expect((await login(agent(ip), `nobody${i}`, 'whatever password')).status).toBe(401);
      expect((await login(agent(ip), 'kato', PASSWORD)).status).toBe(429);
      expect((await login(agent(), 'kato', PASSWORD)).status).toBe(303);
    });

    test('a disabled account cannot log in, and its open session ends', async () => {
      const open = await signedIn('suzuki');
      await bot.composed.staff.access.disableAccount('suzuki', 'test', Date.now());
      expect((await open.a.get('/admin/ibasho')).headers.location).toBe('/admin/login');
      const res = await login(agent(), 'suzuki');
      expect(res.status).toBe(401);
    });
  });

  describe('with a session', () => {
    test('a form without the CSRF token, or with a wrong one, is refused with 403 and changes nothing', async () => {
      const client = await signedIn();
      const before = (await bot.composed.staff.content.auditLog()).length;
      expect((await client.a.post('/admin/ibasho/publish').type('form').send({ date: '2026-12-22' })).status).toBe(403);
      expect((await client.a.post('/admin/ibasho/publish').type('form').send({ date: '2026-12-22', _csrf: 'x'.repeat(40) })).status).toBe(403);
      expect((await bot.composed.staff.content.auditLog()).length).toBe(before);
    });

    test('after logout the old cookie is refused', async () => {
      const client = await signedIn();
      const cookie = String((await client.a.get('/admin/ibasho')).headers['set-cookie'] ?? '');
      const out = await client.a.post('/admin/logout').type('form').send({ _csrf: client.csrf });
      expect(out.headers.location).toBe('/admin/login');
      const stolen = await request(bot.composed.handleRequest).get('/admin/ibasho').set('Cookie', cookie.split(';')[0]!);
      expect(stolen.status).toBe(303);
      expect(stolen.headers.location).toBe('/admin/login');
      expect((await client.a.get('/admin/ibasho')).headers.location).toBe('/admin/login');
    });

    test('a session ends 8 hours after its login, however active', async () => {
      const client = await signedIn();
      bot.setNow(new Date(T.getTime() + 8 * 60 * 60_000 - 60_000));
      try {
        expect((await client.a.get('/admin/ibasho')).status).toBe(200);
        bot.setNow(new Date(T.getTime() + 8 * 60 * 60_000));
        expect((await client.a.get('/admin/ibasho')).headers.location).toBe('/admin/login');
      } finally {
        bot.setNow(T);
      }
    });

    test('a session idle for 30 minutes is over', async () => {
      const client = await signedIn();
      const { database } = bot.composed.store;
      await (database as any).updateTable('staff_sessions').set({ expires_at: Date.now() - 1 }).execute();
      expect((await client.a.get('/admin/ibasho')).headers.location).toBe('/admin/login');
    });

    test('text with <script>, quotes and SQL is stored and shown literally', async () => {
      const client = await signedIn();
      const note = `<script>alert("x")</script>'; DROP TABLE staff_audit_log;--`;
      const res = await client.a.post('/admin/ibasho/publish').type('form').send({ _csrf: client.csrf, date: '2027-01-24', start: '13:30', end: '16:30', note });
      expect(res.status).toBe(303);
      const page = await client.a.get('/admin/ibasho');
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;; DROP TABLE staff_audit_log;--');
      expect(page.text).toContain('を公開しました');
      expect((await bot.composed.staff.content.ibashoDate('2027-01-24'))!.note).toBe(note);
      const audit = await client.a.get('/admin/audit');
      expect(audit.text).not.toContain('<script>alert');
    });

    test('a bad date is shown as an error on the page, in Japanese', async () => {
      const client = await signedIn();
      const res = await client.a.post('/admin/ibasho/publish').type('form').send({ _csrf: client.csrf, date: '2026-11-01' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('もう過ぎています');
    });

    test('every change leaves an audit row with who, what before and what after, shown on the audit page', async () => {
      const client = await signedIn('tanaka');
      const post = (path: string, form: Record<string, string>) => client.a.post(path).type('form').send({ _csrf: client.csrf, ...form });
      expect((await post('/admin/ibasho/publish', { date: '2026-12-22' })).status).toBe(303);
      expect((await post('/admin/ibasho/note', { date: '2026-12-22', note: '本館5階' })).status).toBe(303);
      expect((await post('/admin/ibasho/move', { date: '2026-12-22', to: '2026-12-23' })).status).toBe(303);
      expect((await post('/admin/ibasho/cancel', { date: '2027-02-28' })).status).toBe(303);
      const log = (await bot.composed.staff.content.auditLog()).filter((e) => e.actor === 'tanaka');
      expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['ibasho.publish', 'ibasho.note', 'ibasho.move', 'ibasho.cancel']));
      const move = log.find((e) => e.action === 'ibasho.move')!;
      expect(move.before).toMatchObject({ status: 'held', note: '本館5階' });
      expect(move.after).toMatchObject({ status: 'moved', movedTo: '2026-12-23', note: '本館5階' });
      const audit = await client.a.get('/admin/audit');
      expect(audit.text).toContain('いばしょ 日程変更');
      expect(audit.text).toContain('ibasho:2026-12-22');
    });

    test('a notice is shown above the answers of its window while it runs, and can be ended', async () => {
      const client = await signedIn('tanaka');
      const post = (path: string, form: Record<string, unknown>) => client.a.post(path).type('form').send({ _csrf: client.csrf, ...form });
      const bad = await post('/admin/notices/add', { text: '', endsOn: '2026-12-31' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('お知らせの文を書いてください');
      expect((await post('/admin/notices/add', { text: '<b>12月28日から1月3日まで</b>お休みです', startsOn: '2026-12-01', endsOn: '2026-12-31' })).status).toBe(303);
      const page = await client.a.get('/admin/notices');
      expect(page.text).toContain('&lt;b&gt;12月28日から1月3日まで&lt;/b&gt;お休みです');
      const user = `U${randomBytes(16).toString('hex')}`;
      const { followEvent, textEvent } = await import('../support/line-webhook');
      const { replyText } = await import('../support/bot-harness');
      await bot.send([followEvent(user)]);
      const before = bot.fake.replies().length;
      await bot.send([textEvent(user, 'いばしょ')]);
      const answer = bot.fake.replies()[before]!.messages;
      expect(replyText(answer).startsWith('【お知らせ】<b>12月28日から1月3日まで</b>お休みです')).toBe(true);
      const id = (await bot.composed.staff.content.changes()).notices[0]!.id;
      expect((await post('/admin/notices/remove', { id })).status).toBe(303);
      const after = bot.fake.replies().length;
      await bot.send([textEvent(user, 'いばしょ')]);
      expect(replyText(bot.fake.replies()[after]!.messages)).not.toContain('【お知らせ】');
      const actions = (await bot.composed.staff.content.auditLog()).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['notice.add', 'notice.remove']));
    });

    test('fact checks: mark 確認しました, and correct a phone number through the content schema', async () => {
      const client = await signedIn('tanaka');
      const post = (path: string, form: Record<string, unknown>) => client.a.post(path).type('form').send({ _csrf: client.csrf, ...form });
      const page = await client.a.get('/admin/facts');
      expect(page.status).toBe(200);
      expect(page.text).toContain('03-5722-9370');
      expect((await post('/admin/facts/check', { window: 'kurashi', field: 'helpsWith', sourceNote: '区のページ' })).status).toBe(303);
      const bad = await post('/admin/facts/correct', { window: 'kurashi', field: 'phone', phone: '03-1234', sourceNote: '電話で確認' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/content\/windows\.yaml: windows\[\d+\]\.phone(\.value)?: not a Japanese phone number/);
      expect((await post('/admin/facts/correct', { window: 'kurashi', field: 'phone', phone: '03-5722-9371', sourceNote: '電話で確認' })).status).toBe(303);
      expect(bot.composed.definitions.windowsById.get('kurashi')!.phone).toMatchObject({ value: '03-5722-9371', status: 'confirmed', source: '電話で確認' });
      expect(bot.composed.definitions.windowsById.get('kurashi')!.helpsWith.checked).toBe('2026-12-01');
      const log = await bot.composed.staff.content.auditLog();
      expect(log.find((e) => e.action === 'fact.correct')).toMatchObject({ actor: 'tanaka', subject: 'fact:kurashi.phone' });
      expect(log.find((e) => e.action === 'fact.check')).toMatchObject({ actor: 'tanaka', subject: 'fact:kurashi.helpsWith' });
      const after = await client.a.get('/admin/facts');
      expect(after.text).toMatch(/content\/ にまだ書き出していない変更: \d+ 件/);
      expect(after.text).toContain('npm run content:export');
    });

    test('passwords never reach the logs', () => {
      expect(bot.logText()).not.toContain(PASSWORD);
    });
  });
}

describe('the console on SQLite', () => securitySuite({ open: async () => ({ env: {}, drop: async () => undefined }) }));
describeWithPostgres('the console on PostgreSQL', () =>
  securitySuite({
    open: async () => {
      const database = await freshDatabase();
      return { env: { DATABASE_URL: database.url }, drop: () => database.drop() };
    },
  }),
);

describe('behind HTTPS (TRUST_PROXY=on)', () => {
  test('the session cookie is Secure', async () => {
    const secure = await startBot({ env: { TRUST_PROXY: 'on' } });
    try {
      await secure.composed.staff.access.addAccount('tanaka', await hashPassword(PASSWORD), 'test', Date.now());
      // The test talks plain HTTP to the app as the proxy would, so the Secure cookie is carried by hand.
      const form = await request(secure.composed.handleRequest).get('/admin/login').set('X-Forwarded-Proto', 'https');
      const cookie = String(form.headers['set-cookie']).split(';')[0]!;
      const res = await request(secure.composed.handleRequest)
        .post('/admin/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrfOf(form.text), username: 'tanaka', password: PASSWORD });
      expect(res.status).toBe(303);
      expect(String(res.headers['set-cookie'])).toMatch(/;\s*Secure/i);
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await secure.close();
    }
  });
});

describe('the simulator and /stats when LINE credentials are set', () => {
  test('need the staff login; signed in, they open; the console links to them', async () => {
    const onLine = await startBot({ env: { SIMULATOR: 'on', STATS_PAGE: 'on' } });
    try {
      for (const path of ['/', '/flow', '/flow.svg', '/stats', '/stats/assets/stats.css', '/simulator/assets/chat.js']) {
        const res = await request(onLine.composed.handleRequest).get(path);
        expect([path, res.status, res.headers.location]).toEqual([path, 303, '/admin/login']);
      }
      expect((await request(onLine.composed.handleRequest).post('/simulator/api/users')).headers.location).toBe('/admin/login');
      expect((await request(onLine.composed.handleRequest).get('/healthz')).status).toBe(200);
      const { staffCookie } = await import('../support/staff-login');
      const cookie = await staffCookie(onLine);
      for (const path of ['/', '/flow', '/stats']) expect([path, (await request(onLine.composed.handleRequest).get(path).set('Cookie', cookie)).status]).toEqual([path, 200]);
      const console = await request(onLine.composed.handleRequest).get('/admin/ibasho').set('Cookie', cookie);
      expect(console.text).toContain('<a href="/">シミュレーター</a>');
      expect(console.text).toContain('<a href="/stats">利用状況</a>');
    } finally {
      await onLine.close();
    }
  });

  test('without LINE credentials the simulator stays open', async () => {
    const local = await startBot({ env: { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' } });
    try {
      expect((await request(local.composed.handleRequest).get('/')).status).toBe(200);
      expect((await request(local.composed.handleRequest).post('/simulator/api/users')).status).toBe(201);
    } finally {
      await local.close();
    }
  });
});
