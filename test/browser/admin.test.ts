/**
 * The staff console in a real Chromium (Debian's, through playwright-core), at phone width, against the
 * real server started in-process without LINE credentials (so the simulator is open): log in, publish
 * a いばしょ date and see it in the simulator's answer without 予定, cancel it, add a notice and see it
 * above an answer, log out. The tests run in order on one page.
 *
 * Screenshots go to test-artifacts/browser/; `npm run docs:screenshots` copies them to docs/ for the README.
 */
import { describeInChromium, usePhoneSession } from '../support/browser';
import { startBot } from '../support/bot-harness';
import { hashPassword } from '../../src/staff/passwords';

const PASSWORD = 'correct horse battery staple';

describeInChromium('test/browser/admin.test.ts', 'the staff console at /admin', 'the staff console in Chromium at 375px', () => {
  const phone = usePhoneSession(async () => {
    // Tuesday 2026-12-01 10:00 in Tokyo; no LINE credentials, so the simulator is on.
    const bot = await startBot({ now: '2026-12-01T01:00:00Z', env: { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '' } });
    await bot.composed.staff.access.addAccount('tanaka', await hashPassword(PASSWORD), 'test', Date.now());
    return bot;
  });
  /** A screenshot; the console's pages are also copied to docs/ by `npm run docs:screenshots`. */
  const shoot = (name: string) => phone.shoot(name, { fullPage: name === 'admin-notices', docs: name });

  const log = () => phone.page.getByRole('log');

  /** Asks the simulator about いばしょ in a fresh conversation and returns the text of the answer. */
  async function askSimulator(): Promise<string> {
    await phone.page.goto(`${phone.bot.url}/`);
    await phone.page.locator('html[data-ready="true"]').waitFor();
    await phone.page.evaluate('localStorage.clear()');
    await phone.page.reload();
    await phone.page.locator('html[data-ready="true"]').waitFor();
    await phone.page.getByRole('button', { name: '友だち追加' }).click();
    await log().getByText('ご本人ですか、ご家族ですか').waitFor();
    await phone.page.getByLabel('メッセージ').fill('いばしょ');
    await phone.page.keyboard.press('Enter');
    await log().getByText('めぐろのいばしょ', { exact: false }).first().waitFor();
    await log().getByText('次回は', { exact: false }).first().waitFor();
    return (await log().innerText()).replace(/\s+/g, ' ');
  }

  test('a wrong password is refused; the right one opens the いばしょ dates', async () => {
    await phone.page.goto(`${phone.bot.url}/admin/ibasho`);
    await phone.page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await phone.page.getByLabel('ユーザー名').fill('tanaka');
    await phone.page.getByLabel('パスワード').fill('not the password');
    await phone.page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await phone.page.getByRole('alert').getByText('ユーザー名またはパスワードが違います').waitFor();
    await phone.page.getByLabel('ユーザー名').fill('tanaka');
    await phone.page.getByLabel('パスワード').fill(PASSWORD);
    await shoot('admin-login');
    await phone.page.keyboard.press('Enter');
    await phone.page.getByRole('heading', { name: 'めぐろのいばしょ 開催日' }).waitFor();
    expect(await phone.page.getByRole('status').innerText()).toContain('ログインしました');
    expect(await phone.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  });

  test('publishing a date makes the simulator show it without 予定', async () => {
    expect(await askSimulator()).toContain('予定');
    await phone.page.goto(`${phone.bot.url}/admin/ibasho`);
    await phone.page.getByRole('button', { name: '2026-12-22 に開催として公開' }).click();
    await phone.page.getByRole('status').getByText('2026-12-22 13:30〜16:30 を公開しました').waitFor();
    await phone.page.getByRole('heading', { name: '2026年12月' }).waitFor();
    await shoot('admin-ibasho');
    const answer = await askSimulator();
    expect(answer).toContain('次回は 12月22日(火) 13:30〜16:30 です');
    expect(answer).not.toContain('予定');
  });

  test('cancelling it brings back the other candidate as 予定', async () => {
    await phone.page.goto(`${phone.bot.url}/admin/ibasho`);
    await phone.page.getByRole('button', { name: '2026-12-22 を中止にする' }).click();
    await phone.page.getByRole('status').getByText('2026-12-22 を中止にしました').waitFor();
    const answer = await askSimulator();
    expect(answer).toContain('12月22日(火)の回は お休みです');
    expect(answer).toContain('予定');
  });

  test('a notice is shown above the answer', async () => {
    await phone.page.goto(`${phone.bot.url}/admin/notices`);
    await phone.page.getByLabel('お知らせの文', { exact: false }).fill('12月28日から1月3日まで、区役所はお休みです。');
    await phone.page.getByLabel('表示終了日').fill('2027-01-03');
    await phone.page.getByRole('button', { name: '追加する' }).click();
    await phone.page.getByRole('status').getByText('お知らせを追加しました').waitFor();
    await shoot('admin-notices');
    const answer = await askSimulator();
    expect(answer).toContain('【お知らせ】12月28日から1月3日まで、区役所はお休みです。');
    expect(answer.indexOf('【お知らせ】')).toBeLessThan(answer.indexOf('次回は'));
  });

  test('a fact is marked 確認しました with where it was checked', async () => {
    await phone.page.goto(`${phone.bot.url}/admin/facts`);
    const section = phone.page.getByRole('region', { name: 'めぐろ くらしの相談窓口: 電話番号' });
    await section.getByLabel('どこで確認したか', { exact: true }).fill('区のホームページ');
    await section.getByRole('button', { name: '確認しました' }).click();
    await phone.page.getByRole('status').getByText('めぐろ くらしの相談窓口 の電話番号を「確認しました」にしました(2026-12-01)').waitFor();
    await shoot('admin-facts');
  });

  test('logging out ends the session', async () => {
    await phone.page.goto(`${phone.bot.url}/admin/audit`);
    await phone.page.getByRole('cell', { name: 'いばしょ 公開' }).first().waitFor();
    await phone.page.getByRole('button', { name: /ログアウト/ }).click();
    await phone.page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await phone.page.goto(`${phone.bot.url}/admin/ibasho`);
    await phone.page.getByRole('heading', { name: 'ログイン' }).waitFor();
  });
});
