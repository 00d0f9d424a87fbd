/**
 * "The next date is decided": when staff publish the next いばしょ date, the people who asked for the
 * reminders get one push, once per date, through the reminder outbox, within the quota, and never
 * between 21:00 and 08:00. Signed webhooks in, the stand-in LINE API out.
 */
import { CHANNEL_ACCESS_TOKEN, botPerTest, quickReplies, replyText } from '../support/bot-harness';
import { followEvent, postbackEvent, textEvent } from '../support/line-webhook';
import { dispatchReminders } from '../../src/usecases/dispatch-reminders';
import { publishIbashoDate, moveIbashoDate } from '../../src/usecases/staff-operations';
import { LineMessenger } from '../../src/line/line-messenger';
import { createLogger } from '../../src/log/pino-logger';
import { newUser } from '../support/fixtures';

const tokyo = (local: string) => new Date(`${local}+09:00`);


const each = botPerTest({ now: tokyo('2026-12-01T10:00:00') });
const say = each.say;

async function subscribe(user: string): Promise<void> {
  await say(followEvent(user));
  const item = quickReplies(await say(textEvent(user, 'いばしょ'))).find((q) => q.label.includes('お知らせ'));
  await say(postbackEvent(user, item!.data));
}

function pass(now: Date) {
  const messenger = new LineMessenger({ channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: each.bot.fake.baseUrl });
  return dispatchReminders(
    {
      definitions: each.bot.composed.definitions,
      store: each.bot.composed.store,
      messenger,
      logger: createLogger('silent'),
      retry: { attempts: 2, baseDelayMs: 1 },
      staffDates: () => each.bot.composed.live.staffChanges.ibashoDates,
    },
    now,
  );
}

async function publish(date: string, at: Date) {
  await publishIbashoDate(each.bot.composed.staff, each.bot.composed.definitions, { date }, 'tanaka', at);
  await each.bot.composed.live.refresh();
}

test('one push to subscribers only, once per date, held back from 21:00 until 08:00', async () => {
  const subscribers = [newUser(), newUser()];
  for (const user of subscribers) await subscribe(user);
  const bystander = newUser();
  await say(followEvent(bystander));
  await say(textEvent(bystander, 'いばしょ'));

  await publish('2026-12-22', tokyo('2026-12-01T21:30:00'));
  const night = await pass(tokyo('2026-12-01T21:31:00'));
  expect(night.summary.sent).toBe(0);
  expect(each.bot.fake.multicasts()).toHaveLength(0);

  const morning = await pass(tokyo('2026-12-02T08:00:00'));
  expect(morning.summary).toMatchObject({ sent: 1, recipients: 2 });
  const [push] = each.bot.fake.multicasts();
  expect(push!.to.sort()).toEqual([...subscribers].sort());
  const text = replyText(push!.messages);
  expect(text.split('\n')[0]).toBe('目黒区からのお知らせ: 次回の日程');
  expect(text).toContain('次回の日にちが決まりました。');
  expect(text).toContain('めぐろのいばしょ 12月22日(火) 13:30〜16:30');

  await pass(tokyo('2026-12-02T09:00:00'));
  await pass(tokyo('2026-12-10T12:00:00'));
  expect(each.bot.fake.multicasts()).toHaveLength(1);

  // The day-before reminder is a separate message and still comes.
  await pass(tokyo('2026-12-21T18:00:30'));
  expect(each.bot.fake.multicasts()).toHaveLength(2);
});

test('people who subscribe after the date was published are not pushed it (they saw it in the answer)', async () => {
  await publish('2026-12-22', tokyo('2026-12-01T10:00:00'));
  each.bot.setNow(tokyo('2026-12-01T11:00:00'));
  const late = newUser();
  await subscribe(late);
  await pass(tokyo('2026-12-01T12:00:00'));
  expect(each.bot.fake.multicasts()).toHaveLength(0);
});

test('a date moved to another day is announced again for the new day; a quota too small sends nothing', async () => {
  await subscribe(newUser());
  await publish('2026-12-22', tokyo('2026-12-01T10:30:00'));
  await pass(tokyo('2026-12-01T11:00:00'));
  expect(each.bot.fake.multicasts()).toHaveLength(1);
  await moveIbashoDate(each.bot.composed.staff, each.bot.composed.definitions, '2026-12-22', '2026-12-23', 'tanaka', tokyo('2026-12-02T10:00:00'));
  await each.bot.composed.live.refresh();
  each.bot.fake.setQuota({ limit: 100, used: 100 });
  const blocked = await pass(tokyo('2026-12-02T11:00:00'));
  expect(blocked.summary.skipped).toBe(1);
  expect(each.bot.fake.multicasts()).toHaveLength(1);
  each.bot.fake.setQuota({ limit: 1000, used: 100 });
  await pass(tokyo('2026-12-02T11:01:00'));
  expect(each.bot.fake.multicasts()).toHaveLength(2);
  expect(replyText(each.bot.fake.multicasts()[1]!.messages)).toContain('12月23日');
});
