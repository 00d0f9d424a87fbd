/** A signed-in staff session, through the real login form, for the pages that need one when LINE credentials are set. */
import { hashPassword } from '../../src/staff/passwords';
import type { BotHarness } from './bot-harness';

const sessions = new WeakMap<BotHarness, Promise<string>>();

/**
 * Logs in at `baseUrl` (a test bot, a server process, or the proxy in front of one) with an account
 * that exists; resolves with the Cookie header value and the Set-Cookie header of the signed-in
 * session as the server sent it. `fetchFn` reaches a TLS proxy with the test's CA.
 */
export async function signIn(baseUrl: string, username: string, password: string, fetchFn: typeof fetch = fetch): Promise<{ cookie: string; setCookie: string }> {
  const form = await fetchFn(`${baseUrl}/admin/login`);
  const first = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const login = await fetchFn(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: first },
    body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
  });
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
