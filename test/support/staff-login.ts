/** A signed-in staff session, through the real login form, for the pages that need one when LINE credentials are set. */
import { hashPassword } from '../../src/staff/passwords';
import type { BotHarness } from './bot-harness';

const sessions = new WeakMap<BotHarness, Promise<string>>();

export interface LoginForm {
  /** The Cookie header value the form's response set (its CSRF cookie). */
  cookie: string;
  csrf: string;
}

/** GET /admin/login over real HTTP: the form's CSRF token and the cookie that goes with it. */
export async function openLoginForm(baseUrl: string, headers: Record<string, string> = {}, fetchFn: typeof fetch = fetch): Promise<LoginForm> {
  const form = await fetchFn(`${baseUrl}/admin/login`, { headers });
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  return { cookie, csrf };
}

/** POST /admin/login with a form opened before; the answer is not followed (303 on success). */
export function postLogin(
  baseUrl: string,
  form: LoginForm,
  username: string,
  password: string,
  headers: Record<string, string> = {},
  fetchFn: typeof fetch = fetch,
): Promise<Response> {
  return fetchFn(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, ...headers },
    body: new URLSearchParams({ _csrf: form.csrf, username, password }).toString(),
  });
}

/**
 * Logs in at `baseUrl` (a test bot, a server process, or the proxy in front of one) with an account
 * that exists; resolves with the Cookie header value and the Set-Cookie header of the signed-in
 * session as the server sent it. `fetchFn` reaches a TLS proxy with the test's CA.
 */
export async function signIn(baseUrl: string, username: string, password: string, fetchFn: typeof fetch = fetch): Promise<{ cookie: string; setCookie: string }> {
  const login = await postLogin(baseUrl, await openLoginForm(baseUrl, {}, fetchFn), username, password, {}, fetchFn);
  if (login.status !== 303) throw new Error(`staff login failed: ${login.status}`);
  const setCookie = login.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

/** Creates an account and logs in through the real form; resolves with the Cookie header value (cached per bot). */
export function staffCookie(bot: BotHarness, username = 'test-staff'): Promise<string> {
  let cookie = sessions.get(bot);
  if (!cookie) {
    cookie = (async () => {
      const password = 'test staff password 123';
      await bot.composed.staff.access.addAccount(username, await hashPassword(password), 'test', Date.now());
      return (await signIn(bot.url, username, password)).cookie;
    })();
    sessions.set(bot, cookie);
  }
  return cookie;
}
