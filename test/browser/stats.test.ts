/**
 * /stats in a real Chromium (Debian's, driven by playwright-core; no browser is ever downloaded), at
 * phone width, against the real server with LINE credentials and STATS_PAGE=on. The counts come from
 * signed webhooks, as in production. The tests of this file run in order on one page.
 *
 * Screenshots go to test-artifacts/browser/. `npm run docs:screenshots` also copies stats.png to docs/.
 */
import { randomBytes } from 'node:crypto';
import { PHONE, describeInChromium, usePhoneSession } from '../support/browser';
import { staffCookie } from '../support/staff-login';
import { say, startBot, tap } from '../support/bot-harness';
import { followEvent, textEvent } from '../support/line-webhook';

const newUser = () => `U${randomBytes(16).toString('hex')}`;

describeInChromium('test/browser/stats.test.ts', 'the usage counts page at /stats', '/stats in Chromium at 375px', () => {
  const phone = usePhoneSession(
    async () => {
      // Wednesday 2026-11-25 10:00 in Tokyo.
      const bot = await startBot({ now: '2026-11-25T01:00:00Z', env: { STATS_PAGE: 'on' } });
      const walk = async (user: string, ...labels: string[]) => {
        let messages = await say(bot, followEvent(user));
        for (const label of labels) messages = await say(bot, tap(user, messages, label));
      };
      for (let i = 0; i < 6; i++) await walk(newUser(), '家族です', '家族会・親の会');
      for (let i = 0; i < 5; i++) await walk(newUser(), '家族です', '接し方が分からない');
      await walk(newUser(), '本人です', '仕事・お金・くらし');
      const crisis = newUser();
      await walk(crisis);
      await say(bot, textEvent(crisis, '死にたい'));
      return bot;
    },
    async ({ bot, context }) => {
      // With LINE credentials /stats is behind the staff login: the page carries a signed-in session.
      const cookie = await staffCookie(bot);
      const at = cookie.indexOf('=');
      await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: bot.url }]);
    },
    60_000,
  );
  /** A screenshot at phone width (the whole page, or one part of it); `stats` is also copied to docs/ by `npm run docs:screenshots`. */
  const shoot = (name: string, options: Parameters<typeof phone.shoot>[1] = {}) => phone.shoot(name, { ...options, ...(name === 'stats' ? { docs: name } : {}) });

  const noSidewaysScroll = () => phone.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  const table = () => phone.page.getByRole('table', { name: /場所ごとの数/ });
  /** The cells of a node's row in the data table, by their column header. */
  async function rowOf(label: string): Promise<Record<string, string>> {
    const headers = await table().locator('thead th').allInnerTexts();
    const row = table().getByRole('row', { name: label });
    const cells = [await row.getByRole('rowheader').innerText(), ...(await row.getByRole('cell').allInnerTexts())];
    return Object.fromEntries(headers.map((h, i) => [h, cells[i]!.trim()]));
  }

  test('/stats shows the last 30 days in Tokyo time as a chart with a data table, in Japanese, readable at 375px', async () => {
    const response = await phone.page.goto(`${phone.bot.url}/stats`);
    expect(response?.status()).toBe(200);
    expect(await phone.page.getAttribute('html', 'lang')).toBe('ja');
    await expect(phone.page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('利用の集計');
    await expect(phone.page.locator('.period').innerText()).resolves.toContain('2026-10-27 〜 2026-11-25');

    const chart = phone.page.getByRole('img', { name: '場所ごとの回数' });
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);

    expect(await rowOf('家族です › 家族会・親の会 family-groups')).toMatchObject({ 表示された: '6', ここで終了: '6', つらい気持ち: '0' });
    expect(await rowOf('家族です › 接し方が分からない family-consult')).toMatchObject({ 表示された: '5', ここで終了: '5' });
    expect(await rowOf('本人です › 仕事・お金・くらし self-living')).toMatchObject({ 表示された: '<5', ここで終了: '<5' });
    expect(await rowOf('ご本人ですか、ご家族ですか? start')).toMatchObject({ つらい気持ち: '<5' });
    expect(await rowOf('家族です › 親のわたしが高齢で心配 family-care')).toMatchObject({ 表示された: '0', ここで終了: '0' });

    expect(await noSidewaysScroll()).toBe(true);
    const fontSize = await phone.page.evaluate<number>('parseFloat(getComputedStyle(document.body).fontSize)');
    expect(fontSize).toBeGreaterThanOrEqual(16);
    await shoot('stats-top');
  });

  test('the chart draws the same figures: a bar of 6 for 家族会・親の会, a dashed <5 for 仕事 (本人), none for 0', async () => {
    const group = (node: string, column: string) => phone.page.locator(`svg.chart g[data-node="${node}"] g[data-column="${column}"]`);
    await expect(group('family-groups', 'reached').locator('text').textContent()).resolves.toBe('6');
    await expect(group('family-groups', 'reached').locator('rect.bar:not(.suppressed)').count()).resolves.toBe(1);
    await expect(group('self-living', 'reached').locator('text').textContent()).resolves.toBe('<5');
    await expect(group('self-living', 'reached').locator('rect.suppressed').count()).resolves.toBe(1);
    await expect(group('family-care', 'reached').locator('rect').count()).resolves.toBe(0);

    const width = async (node: string) => (await group(node, 'reached').locator('rect').boundingBox())!.width;
    // Bars are in proportion: 家族会・親の会 (6) is 6/5 of 接し方が分からない (5).
    expect((await width('family-groups')) / (await width('family-consult'))).toBeCloseTo(6 / 5, 1);
    await shoot('stats-page', { fullPage: true });
    await shoot('stats-table', { element: phone.page.locator('section', { has: table() }) });
    await shoot('stats', { element: phone.page.locator('section', { has: phone.page.getByRole('img', { name: '場所ごとの回数' }) }) });
  });

  test('choosing dates in the form shows that range (a day with nothing: zeros and a note)', async () => {
    await phone.page.getByLabel('開始日').fill('2026-11-01');
    await phone.page.getByLabel('終了日').fill('2026-11-01');
    await phone.page.getByRole('button', { name: '表示する' }).click();
    await phone.page.waitForURL(/from=2026-11-01&to=2026-11-01/);
    await expect(phone.page.locator('.period').innerText()).resolves.toContain('2026-11-01 〜 2026-11-01');
    await expect(phone.page.getByRole('status').innerText()).resolves.toContain('記録はありません');
    expect(await rowOf('家族です › 家族会・親の会 family-groups')).toMatchObject({ 表示された: '0' });
  });

  test('a start after the end is refused with a message saying what to fix', async () => {
    const response = await phone.page.goto(`${phone.bot.url}/stats?from=2026-11-30&to=2026-11-01`);
    expect(response?.status()).toBe(400);
    await expect(phone.page.getByRole('alert').innerText()).resolves.toContain('開始日は終了日と同じか');
    expect(await phone.page.getByLabel('開始日').inputValue()).toBe('2026-11-30');
    expect(await phone.page.getByRole('table').count()).toBe(0);
  });

  test('with STATS_PAGE off (the default) there is no /stats: 404', async () => {
    const off = await startBot({ now: '2026-11-25T01:00:00Z' });
    try {
      await phone.context.route(`${off.url}/**`, (route) => route.continue());
      const response = await phone.page.goto(`${off.url}/stats`);
      expect(response?.status()).toBe(404);
      expect(await phone.page.getByRole('img', { name: '場所ごとの回数' }).count()).toBe(0);
    } finally {
      await off.close();
    }
  });
});
