/**
 * What a resident sees on a phone-sized screen (Debian's Chromium at 375×812, playwright-core): the page
 * never scrolls as a whole (only the chat does), phone numbers never break, quick replies that overflow
 * show that they scroll, the rich menu sits under the chat with the labels of `npm run richmenu`, ways in
 * without a call are link buttons, and `?at=` shows what the bot says at another time of day.
 */
import { planRichMenu } from '../../src/domain/rich-menu-plan';
import { describeInChromium, usePhoneSession } from '../support/browser';
import { startBot } from '../support/bot-harness';

describeInChromium('test/browser/phone-screen.test.ts', 'the chat page on a phone', 'the chat page on a 375×812 phone in Chromium', () => {
  // Wednesday 2026-11-25 10:00 in Tokyo; no LINE credentials, so the simulator is on.
  const phone = usePhoneSession(() => startBot({ now: '2026-11-25T01:00:00Z', env: { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' } }));
  const shoot = (name: string, docsName?: string) => phone.shoot(name, docsName ? { docs: docsName } : {});

  const chip = (name: string) => phone.page.locator('#quick-replies').getByRole('button', { name, exact: true });
  const log = () => phone.page.getByRole('log');
  /** Polls an expression in the page (waitForFunction would need eval, which the page's CSP refuses). */
  async function until(expression: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await phone.page.evaluate<boolean>(expression))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
      await phone.page.waitForTimeout(50);
    }
  }

  async function open(query = ''): Promise<void> {
    await phone.page.goto(`${phone.bot.url}/${query}`);
    await phone.page.evaluate('localStorage.clear()');
    await phone.page.goto(`${phone.bot.url}/${query}`);
    await phone.page.locator('html[data-ready="true"]').waitFor();
  }
  async function type(text: string): Promise<void> {
    const rows = await log().locator('.row').count();
    await phone.page.getByLabel('メッセージ').fill(text);
    await phone.page.getByLabel('メッセージ').press('Enter');
    // Typing folds the rich menu away, as in LINE; open it again for the screenshots and the menu test.
    if (await phone.page.locator('#rich-menu').isHidden()) await phone.page.locator('#rich-menu-bar').click();
    await until(`document.querySelectorAll('#log .row').length >= ${rows + 2} && !document.querySelector('#send').disabled`);
  }

  /** The page itself does not scroll: header at the top, composer at the bottom, nothing below. */
  async function pageStaysPut(): Promise<void> {
    await phone.page.evaluate('window.scrollTo(0, 5000); document.documentElement.scrollLeft = 500');
    const m = await phone.page.evaluate<{ scrollY: number; scrollX: number; docH: number; docW: number; innerH: number; innerW: number; barTop: number; composerBottom: number }>(`(() => {
      const se = document.scrollingElement;
      return {
        scrollY: window.scrollY, scrollX: window.scrollX,
        docH: se.scrollHeight, docW: se.scrollWidth, innerH: window.innerHeight, innerW: window.innerWidth,
        barTop: document.querySelector('.bar').getBoundingClientRect().top,
        composerBottom: document.querySelector('.composer').getBoundingClientRect().bottom,
      };
    })()`);
    expect(m.scrollY).toBe(0);
    expect(m.scrollX).toBe(0);
    expect(m.docH).toBeLessThanOrEqual(m.innerH);
    expect(m.docW).toBeLessThanOrEqual(m.innerW);
    expect(m.barTop).toBe(0);
    expect(Math.round(m.composerBottom)).toBe(m.innerH);
  }

  test('after long replies (crisis, an answer, the phone list) only the chat scrolls, never the page', async () => {
    await open();
    await phone.page.getByRole('button', { name: '友だち追加' }).click();
    await chip('本人です').waitFor();
    await type('死にたい');
    await type('本人');
    await chip('話を聞いてほしい').click();
    await phone.page.locator('a[href="tel:0120529528"]').first().waitFor();
    await type('電話番号の一覧');
    await pageStaysPut();
    const chatScrolls = await phone.page.evaluate<boolean>(`(() => { const c = document.getElementById('chat'); return c.scrollHeight > c.clientHeight; })()`);
    expect(chatScrolls).toBe(true);
    // Screen-reader-only text stays inside the chat, not below the phone.page.
    const escaped = await phone.page.evaluate<number>(`(() => {
      const chat = document.getElementById('chat').getBoundingClientRect();
      return [...document.querySelectorAll('#log .visually-hidden')].filter((e) => { const r = e.getBoundingClientRect(); return r.bottom > chat.bottom + document.getElementById('chat').scrollHeight; }).length;
    })()`);
    expect(escaped).toBe(0);
  });

  test('phone numbers never break across lines, in text bubbles and on cards', async () => {
    const broken = await phone.page.evaluate<string[]>(`(() => {
      const out = [];
      for (const e of document.querySelectorAll('#log .nowrap, #log a.tel')) {
        if (e.getClientRects().length > 1) out.push(e.textContent);
      }
      return out;
    })()`);
    const numbers = await phone.page.locator('#log .nowrap').count();
    expect(numbers).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });

  test('the phone list is one compact card: each number once, a name opens the details', async () => {
    const card = log().locator('.row').last().locator('.flex-bubble');
    expect(await card.count()).toBe(1);
    const height = await phone.page.evaluate<number>(`[...document.querySelectorAll('#log .row')].at(-1).querySelector('.flex-bubble').getBoundingClientRect().height`);
    expect(height).toBeLessThan(1400);
    await phone.page.evaluate(`[...document.querySelectorAll('#log .row')].at(-2).scrollIntoView({ block: 'start' })`);
    await shoot('phone-list', 'phone-list');
    await card.getByRole('button', { name: '・福祉のコンシェルジュ(福祉の総合相談窓口)' }).click();
    await log().getByText('「福祉の総合相談窓口(福祉のコンシェルジュ)につないでください」', { exact: false }).waitFor();
  });

  test('quick replies that do not fit show an arrow until scrolled to the end', async () => {
    await type('本人');
    await chip('話を聞いてほしい').click();
    await chip('ほかの窓口も見る').waitFor();
    const arrow = phone.page.locator('#quick-replies-more');
    expect(await arrow.isVisible()).toBe(true);
    expect(await phone.page.getAttribute('#quick-replies', 'aria-label')).toContain('横にスクロール');
    await phone.page.evaluate(`(() => { const q = document.getElementById('quick-replies'); q.scrollLeft = q.scrollWidth; q.dispatchEvent(new Event('scroll')); })()`);
    await until(`document.getElementById('quick-replies-more').hidden`);
    await pageStaysPut();
  });

  test('an answer shows the ways in without a call as link buttons next to the call buttons', async () => {
    const last = log().locator('.row').filter({ has: phone.page.locator('.flex-carousel') }).last();
    const mail = last.getByRole('link', { name: /メールで相談する/ });
    expect(await mail.getAttribute('href')).toBe('https://www.hikikomori-tokyo.jp/howto/index.php');
    expect(await mail.getAttribute('target')).toBe('_blank');
    // The card of ways without a call is a bubble of its own, right after the carousel.
    const ways = log().locator('.row').filter({ hasText: '電話でなくても相談できます' }).last();
    const chat = ways.getByRole('link', { name: /LINEで相談する/ });
    expect(await chat.getAttribute('href')).toBe('https://line.me/R/ti/p/%40373suajs');
    expect((await last.locator('.flex-bubble').count()) + (await ways.locator('.flex-bubble').count())).toBeLessThanOrEqual(3);
    // LINE gives every bubble of a carousel the tallest one's height (documented), so the cards are kept
    // short and alike (details behind くわしく見る): their own contents differ little in height.
    const heights = await phone.page.evaluate<number[]>(`[...[...document.querySelectorAll('#log .row')].filter((r) => r.querySelector('.flex-carousel')).at(-1).querySelectorAll('.flex-bubble')].map((b) => [...b.children].reduce((sum, section) => sum + section.getBoundingClientRect().height, 0))`);
    expect(Math.max(...heights) / Math.min(...heights)).toBeLessThan(1.25);
    await phone.page.evaluate(`document.getElementById('quick-replies').scrollLeft = 0`);
    await phone.page.evaluate(`[...document.querySelectorAll('#log .row')].filter((r) => r.textContent.includes('あなたに合いそうな相談先')).at(-1).scrollIntoView({ block: 'start' })`);
    await shoot('answer', 'simulator');
  });

  test('the rich menu is under the chat with the labels of `npm run richmenu`, and a tile works from anywhere', async () => {
    const plan = planRichMenu(phone.bot.composed.definitions);
    const tiles = phone.page.locator('#rich-menu .rich-menu-tile');
    expect(await tiles.allTextContents()).toEqual(plan.areas.map((a) => a.label));
    expect(await phone.page.locator('#rich-menu-bar').textContent()).toContain(plan.chatBarText);
    const menuTop = await phone.page.evaluate<number>(`document.getElementById('rich-menu').getBoundingClientRect().top`);
    const chatBottom = await phone.page.evaluate<number>(`document.getElementById('chat').getBoundingClientRect().bottom`);
    expect(menuTop).toBeGreaterThanOrEqual(chatBottom);
    await tiles.filter({ hasText: 'いばしょの日程' }).click();
    await log().locator('.bubble-user').filter({ hasText: 'いばしょの日程' }).last().waitFor();
    await log().getByText('13:30〜16:30', { exact: false }).last().waitFor();
    await pageStaysPut();
    await shoot('rich-menu');
    // The menu folds away under its bar, as in LINE.
    await phone.page.locator('#rich-menu-bar').click();
    expect(await phone.page.locator('#rich-menu').isVisible()).toBe(false);
    await phone.page.locator('#rich-menu-bar').click();
    expect(await phone.page.locator('#rich-menu').isVisible()).toBe(true);
  });

  test('?at=…02:00 shows what the bot says at night: the time is shown, the crisis card has the night lines, LINE says when it opens', async () => {
    await open('?at=2026-11-26T02:00');
    expect(await phone.page.locator('#clock-note').textContent()).toContain('2:00');
    await phone.page.getByRole('button', { name: '友だち追加' }).click();
    await chip('本人です').waitFor();
    await type('消えたい');
    const card = log().locator('.row').last();
    await card.locator('a[href="tel:0570087478"]').waitFor();
    expect(await card.getByText('次は 今日 15:00 から受付です', { exact: false }).count()).toBe(1);
    expect(await card.getByRole('link', { name: /LINEで相談する/ }).count()).toBe(0);
    await pageStaysPut();
    await phone.page.evaluate(`[...document.querySelectorAll('#log .row')].at(-1).scrollIntoView({ block: 'start' })`);
    await shoot('crisis-night', 'simulator-crisis');
  });

  test('?at=…19:30 puts the LINE consultation first, with its button', async () => {
    await open('?at=2026-11-25T19:30');
    await phone.page.getByRole('button', { name: '友だち追加' }).click();
    await chip('本人です').waitFor();
    await type('死にたい');
    const links = await phone.page.evaluate<string[]>(`[...[...document.querySelectorAll('#log .row')].at(-1).querySelectorAll('a')].map((a) => a.getAttribute('href'))`);
    expect(links.slice(0, 3)).toEqual(['tel:119', 'tel:110', 'https://line.me/R/ti/p/%40373suajs']);
  });
});
