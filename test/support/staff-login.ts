/** A signed-in staff session on a test bot, for the pages that need one when LINE credentials are set. */
import { hashPassword } from '../../src/staff/passwords';
import type { BotHarness } from './bot-harness';

const sessions = new WeakMap<BotHarness, Promise<string>>();

/** Creates an account and logs in through the real form; resolves with the Cookie header value (cached per bot). */
export function staffCookie(bot: BotHarness, username = 'test-staff'): Promise<string> {
  let cookie = sessions.get(bot);
  if (!cookie) {
    cookie = (async () => {
      const password = 'test staff password 123';
      await bot.composed.staff.access.addAccount(username, await hashPassword(password), 'test', Date.now());
      const form = await fetch(`${bot.url}/admin/login`);
      const first = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const login = await fetch(`${bot.url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: first },
        body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
      });
      if (login.status !== 303) throw new Error(`staff login failed: ${login.status}`);
      return (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    })();
    sessions.set(bot, cookie);
  }
  return cookie;
}
