/**
 * The chat simulator and /flow in a real Chromium (Debian's, driven by playwright-core; no browser is
 * ever downloaded), at phone width, against the real server started in-process without LINE
 * credentials. One resident's visit, step by step: the tests of this file run in order on one page.
 *
 * Screenshots go to test-artifacts/browser/. `npm run docs:screenshots` also copies them to docs/.
 */
import { describeInChromium, usePhoneSession } from '../support/browser';
import { startBot } from '../support/bot-harness';

/** Copied to docs/ as named (docs/simulator.png comes from phone-screen.test.ts). */
const DOCS_SHOTS: Record<string, string> = { 'flow-open': 'flow' };

describeInChromium('test/browser/simulator.test.ts', 'the chat page at / and the tree at /flow', 'the chat simulator and /flow in Chromium at 375px', () => {
  // Wednesday 2026-11-25 10:00 in Tokyo; no LINE credentials, so the simulator is on.
  const phone = usePhoneSession(() => startBot({ now: '2026-11-25T01:00:00Z', env: { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' } }));
  /** A screenshot at phone width; the ones named in DOCS_SHOTS are also copied to docs/ by `npm run docs:screenshots`. */
  const shoot = (name: string) => phone.shoot(name, { ...(DOCS_SHOTS[name] ? { docs: DOCS_SHOTS[name] } : {}) });

  const chip = (name: string) => phone.page.locator('#quick-replies').getByRole('button', { name, exact: true });
  const log = () => phone.page.getByRole('log');
  // Evaluated in the page (as strings: this project compiles without the DOM library).
  const noSidewaysScroll = () => phone.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  const simUserId = () => phone.page.evaluate<string | null>(`JSON.parse(localStorage.getItem('guide-simulator:v1') ?? 'null')?.userId ?? null`);

  test('/ opens a Japanese chat page with a 友だち追加 start, readable at 375px', async () => {
    await phone.page.goto(`${phone.bot.url}/`);
    await phone.page.locator('html[data-ready="true"]').waitFor();
    expect(await phone.page.getAttribute('html', 'lang')).toBe('ja');
    await expect(phone.page.getByRole('button', { name: '友だち追加' }).isVisible()).resolves.toBe(true);
    expect(await noSidewaysScroll()).toBe(true);
    const fontSize = await phone.page.evaluate<number>('parseFloat(getComputedStyle(document.body).fontSize)');
    expect(fontSize).toBeGreaterThanOrEqual(16);
    await shoot('simulator-start');
  });

  test('友だち追加 → greeting with quick-reply chips; 家族 → 家族会・親の会 shows 社会福祉協議会 with a tel: link', async () => {
    await phone.page.getByRole('button', { name: '友だち追加' }).click();
    await log().getByText('ご本人ですか、ご家族ですか').waitFor();
    await chip('家族です').click();
    await log().getByText('家族です', { exact: true }).waitFor(); // the tapped label shows as my message, as in LINE
    await chip('家族会・親の会').click();

    const call = phone.page.locator('a[href="tel:0337198909"]');
    await call.waitFor();
    expect(await call.isVisible()).toBe(true);
    expect(await call.textContent()).toContain('03-3719-8909');
    await log().getByText('目黒区社会福祉協議会', { exact: false }).first().waitFor();
    await expect(chip('ほかの相談を見る').isVisible()).resolves.toBe(true);
    expect(await noSidewaysScroll()).toBe(true);
    await shoot('simulator');
  });

  test('typing 死にたい shows the crisis lines at once, with phone links', async () => {
    await phone.page.getByLabel('メッセージ').fill('死にたい');
    await phone.page.keyboard.press('Enter');
    const inochi = phone.page.locator('a[href="tel:0332644343"]').first();
    await inochi.waitFor();
    await log().getByText('03-3264-4343').first().waitFor();
    // One card: 119 and 110 first.
    const calls = await phone.page.evaluate<string[]>(`[...[...document.querySelectorAll('#log .row')].at(-1).querySelectorAll('a[href^="tel:"]')].map((a) => a.getAttribute('href'))`);
    expect(calls.slice(0, 2)).toEqual(['tel:119', 'tel:110']);
    await expect(chip('ほかの相談先').isVisible()).resolves.toBe(true);
    await expect(chip('メニューへ戻る').isVisible()).resolves.toBe(true);
    await shoot('simulator-crisis');
  });

  test('after a reload the transcript and the quick replies are back, and tapping continues the conversation', async () => {
    const before = await log().locator('.row').count();
    const userId = await simUserId();
    await phone.page.reload();
    await phone.page.locator('html[data-ready="true"]').waitFor();
    expect(await log().locator('.row').count()).toBe(before);
    expect(await phone.page.locator('a[href="tel:0337198909"]').count()).toBeGreaterThan(0);
    await expect(chip('メニューへ戻る').isVisible()).resolves.toBe(true);
    expect(await phone.page.getByRole('button', { name: '友だち追加' }).isVisible()).toBe(false);

    await chip('メニューへ戻る').click();
    await chip('本人です').waitFor();
    await chip('本人です').click();
    await chip('話を聞いてほしい').waitFor();
    expect(await simUserId()).toBe(userId);
    const stored = (await phone.bot.composed.simulatorStore!.loadTurnContext(userId as string)).conversation;
    expect(JSON.stringify(stored?.state)).toContain('"self"');
  });

  test('quick replies are real buttons that work from the keyboard', async () => {
    const talk = chip('話を聞いてほしい');
    await talk.focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.locator('a[href="tel:0120529528"]').first().waitFor();
  });

  test('a sticker is sent from the sticker panel and answered kindly', async () => {
    await phone.page.getByRole('button', { name: 'スタンプ', exact: true }).click();
    await phone.page.getByRole('button', { name: 'スタンプ: ありがとう' }).click();
    await log().getByText('文字とボタンで', { exact: false }).waitFor();
    await expect(phone.page.getByRole('img', { name: 'スタンプ: ありがとう' }).isVisible()).resolves.toBe(true);
  });

  test('会話を消す deletes the conversation on the server, as blocking on LINE does, and starts over', async () => {
    const userId = (await simUserId()) as string;
    expect((await phone.bot.composed.simulatorStore!.loadTurnContext(userId)).conversation).not.toBeNull();
    phone.page.once('dialog', (dialog) => void dialog.accept());
    await phone.page.getByRole('button', { name: '会話を消す' }).click();
    await phone.page.getByRole('button', { name: '友だち追加' }).waitFor();
    expect((await phone.bot.composed.simulatorStore!.loadTurnContext(userId)).conversation).toBeNull();
    expect(await simUserId()).toBeNull();
    expect(await phone.page.locator('#quick-replies').isVisible()).toBe(false);
  });

  test('/flow shows the whole tree with every window number, readable at 375px', async () => {
    await phone.page.goto(`${phone.bot.url}/flow`);
    const text = (await phone.page.locator('body').innerText()).replace(/\s+/g, '');
    const windows = phone.bot.composed.definitions.content.windows.filter((w) => 'value' in w.phone);
    expect(windows.length).toBeGreaterThan(5);
    for (const window of windows) {
      const number = (window.phone as { value: string }).value;
      expect([window.id, text.includes(number)]).toEqual([window.id, true]);
    }
    await expect(phone.page.locator('.problems').count()).resolves.toBe(0);
    expect(await noSidewaysScroll()).toBe(true);
    await shoot('flow');
  });

  test('/flow is a compact tree: plain labels, no raw ids, branches open on demand, each window detailed once', async () => {
    const height = await phone.page.evaluate<number>('document.documentElement.scrollHeight');
    expect(height).toBeLessThan(4500); // was about 6,500 px with every branch and card drawn out
    // The tree itself, branches closed, fits about one phone screen.
    expect(await phone.page.evaluate<number>(`document.querySelector('ol.tree').getBoundingClientRect().height`)).toBeLessThan(812);
    const text = await phone.page.locator('main').innerText();
    for (const rawId of ['self-talk', 'family-care', 'concierge', 'hokenyobo']) expect(text).not.toContain(rawId);
    const defs = phone.bot.composed.definitions;
    expect(await phone.page.locator('.window-detail').count()).toBe(defs.content.windows.length);
    // The bot's own sentences where it says them.
    for (const sentence of [defs.content.phrases.fallbackText, defs.content.phrases.answerOutro]) expect(text).toContain(sentence);
    expect(text).toContain(defs.content.phrases.greeting.split('\n')[0]!);
    expect(text).toContain(defs.content.phrases.crisisIntro.split('\n')[0]!);
    // Opening a branch shows its question and answers.
    await phone.page.getByText('家族です', { exact: true }).first().click();
    await phone.page.getByText('親のわたしが高齢で心配', { exact: true }).click();
    await phone.page.getByText('「親なきあと」のこと', { exact: false }).first().waitFor();
    await phone.page.evaluate(`document.querySelector('.branches details[open] .branches details[open]').scrollIntoView({ block: 'start' })`);
    await shoot('flow-open');
  });

  test('/flow marks each fact confirmed, seed-only or unknown, and says where いばしょ stands', async () => {
    const concierge = phone.page.locator('#window-concierge');
    await concierge.locator('summary').click();
    expect(await concierge.locator('.fact-unknown').count()).toBeGreaterThanOrEqual(2); // its number and hours
    expect(await concierge.locator('.fact-confirmed').count()).toBe(1); // the place
    const hss = phone.page.locator('#window-tokyo-hss');
    await hss.locator('summary').click();
    expect(await hss.locator('.fact-confirmed').count()).toBeGreaterThanOrEqual(2);
    expect(await phone.page.locator('#window-kurashi .fact-seed-only').count()).toBeGreaterThanOrEqual(1);
    const ibasho = await phone.page.locator('.ibasho-state').innerText();
    expect(ibasho).toContain('発表なし');
    expect(ibasho).toContain('12月22日(火) または 12月27日(日)');
    expect(ibasho).toContain('お知らせ: 送りません');
    expect(ibasho).toContain('記事のみ');
  });
});
