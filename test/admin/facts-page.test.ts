/**
 * The facts page (情報の確認) uses FACT_MAX_AGE_DAYS, the setting content:check reads: a fact checked
 * longer ago is marked 要確認 and listed first. Ages come from the loaded content, a year after its checks.
 */
import { factsToCheck } from '../../src/domain/fact-freshness';
import { startBot, type BotHarness } from '../support/bot-harness';
import { staffCookie } from '../support/staff-login';

const NOW = '2027-12-01T01:00:00Z';

async function factsPage(bot: BotHarness): Promise<string> {
  const response = await bot.http().get('/admin/facts').set('cookie', await staffCookie(bot));
  expect(response.status).toBe(200);
  return response.text;
}

const marked = (page: string) => page.split('<strong>要確認</strong>').length - 1;

test('FACT_MAX_AGE_DAYS reaches the page: its number is stated, and only facts older than it are marked 要確認', async () => {
  const byDefault = await startBot({ now: NOW });
  let oldest = 0;
  try {
    const views = factsToCheck(byDefault.composed.live.view, new Date(NOW), 180);
    const page = await factsPage(byDefault);
    expect(page).toContain('確認してから180日を過ぎたものが先に並びます');
    expect(marked(page)).toBe(views.filter((v) => v.ageDays > 180).length);
    expect(marked(page)).toBeGreaterThan(0);
    oldest = Math.max(...views.map((v) => v.ageDays));
  } finally {
    await byDefault.close();
  }

  const lenient = await startBot({ now: NOW, env: { FACT_MAX_AGE_DAYS: String(oldest) } });
  try {
    const page = await factsPage(lenient);
    expect(page).toContain(`確認してから${oldest}日を過ぎたものが先に並びます`);
    expect(marked(page)).toBe(0);
  } finally {
    await lenient.close();
  }
});
