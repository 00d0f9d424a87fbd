import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import { startBot, quickReplies, replyText, telLinks, type BotHarness } from '../support/bot-harness';
import {
  followEvent,
  imageEvent,
  locationEvent,
  postbackEvent,
  stickerEvent,
  textEvent,
  unfollowEvent,
  webhookBody,
  signBody,
} from '../support/line-webhook';
import { CHANNEL_SECRET } from '../support/bot-harness';

const newUser = () => `U${randomBytes(16).toString('hex')}`;

let bot: BotHarness;

beforeEach(async () => {
  // Wednesday 2026-11-25 10:00 in Tokyo.
  bot = await startBot({ now: '2026-11-25T01:00:00Z' });
});

afterEach(async () => {
  expect(bot.fake.violations()).toEqual([]);
  await bot.close();
});

/** Sends one event and returns the messages of the reply it produced. */
async function say(event: Parameters<BotHarness['send']>[0][number]): Promise<any[]> {
  const before = bot.fake.replies().length;
  const response = await bot.send([event]);
  expect(response.status).toBe(200);
  const replies = bot.fake.replies();
  expect(replies.length).toBe(before + 1);
  return replies[replies.length - 1]!.messages;
}

/** Taps the quick reply whose label contains `label` in `messages`. */
function tap(user: string, messages: any[], label: string) {
  const item = quickReplies(messages).find((q) => q.label.includes(label));
  if (!item) throw new Error(`no quick reply "${label}" in ${JSON.stringify(quickReplies(messages))}`);
  return postbackEvent(user, item.data);
}

function conversationRow(userId: string): any {
  const db = new BetterSqlite3(path.join(bot.dataDir, 'guide.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM conversations WHERE user_id = ?').get(userId);
  } finally {
    db.close();
  }
}

describe('a new friend', () => {
  test('follow → a warm greeting and the first question with 本人 and 家族 buttons, いばしょ and phone list', async () => {
    const user = newUser();
    const messages = await say(followEvent(user));
    const text = replyText(messages);
    expect(text).toContain('無料');
    expect(text).toContain('ご本人ですか、ご家族ですか');
    const labels = quickReplies(messages).map((q) => q.label);
    expect(labels.some((l) => l.includes('本人'))).toBe(true);
    expect(labels.some((l) => l.includes('家族'))).toBe(true);
    expect(labels.some((l) => l.includes('いばしょ'))).toBe(true);
    expect(labels.some((l) => l.includes('電話番号'))).toBe(true);
    expect(conversationRow(user).snapshot).toContain('"start"');
  });
});

describe('every branch answers with the right phone numbers', () => {
  const branches: [string, string, string[]][] = [
    ['本人', '話を聞いてほしい', ['tel:0337151111', 'tel:0357229504', 'tel:0337116447', 'tel:0120529528']],
    ['本人', '仕事・お金・くらし', ['tel:0357229370', 'tel:0337151111']],
    ['本人', '居場所がほしい', ['tel:0337151111', 'tel:0120529528']],
    ['本人', 'こころや体調', ['tel:0357229504', 'tel:0337116447', 'tel:0333027575']],
    ['家族', '接し方が分からない', ['tel:0337151111', 'tel:0357229504', 'tel:0337116447', 'tel:0120529528']],
    ['家族', '家族会・親の会', ['tel:0337198909', 'tel:0357229504']],
    ['家族', '家に来てほしい', ['tel:0357229504', 'tel:0337116447', 'tel:0120529528']],
    ['家族', '仕事・お金・くらし', ['tel:0357229370', 'tel:0337151111']],
    ['家族', '介護', ['tel:0337151111']],
    ['家族', '本人の居場所', ['tel:0337151111']],
  ];
  test.each(branches)('%s → %s', async (role, need, numbers) => {
    const user = newUser();
    const greeting = await say(followEvent(user));
    const question = await say(tap(user, greeting, role));
    expect(replyText(question)).toContain('どんなことが');
    const answer = await say(tap(user, question, need));
    expect([...new Set(telLinks(answer))].sort()).toEqual([...new Set(numbers)].sort());
    expect(answer.some((m) => m.type === 'flex' && m.altText.length > 0)).toBe(true);
    const labels = quickReplies(answer).map((q) => q.label);
    // Where いばしょ's date is shown, its reminder takes the place of いばしょの日程 (and families may make a
    // message to forward to ご本人).
    const showsIbasho = replyText(answer).includes('めぐろのいばしょ');
    const expected = !showsIbasho
      ? ['ほかの相談を見る', 'いばしょの日程', '最初から']
      : role === '家族'
        ? ['いばしょのお知らせを受け取る', '本人に送る文をつくる', 'ほかの相談を見る', '最初から']
        : ['いばしょのお知らせを受け取る', 'ほかの相談を見る', '最初から'];
    expect(labels).toEqual(expected);
  });

  test('family answers say that family may consult alone; いばしょ says free and nickname is fine', async () => {
    const user = newUser();
    await say(followEvent(user));
    const answer = await say(textEvent(user, '家族'));
    const consult = await say(tap(user, answer, '接し方'));
    expect(replyText(consult)).toContain('ご家族だけでの相談もできます');
    const place = await say(textEvent(user, 'いばしょ'));
    expect(replyText(place)).toContain('無料');
    expect(replyText(place)).toContain('ニックネーム');
  });

  test('the phone list names every window with a number', async () => {
    const user = newUser();
    await say(followEvent(user));
    const list = await say(textEvent(user, '電話番号'));
    const text = replyText(list);
    for (const number of ['03-3715-1111', '03-5722-9504', '03-3711-6447', '03-5722-9370', '03-3719-8909', '0120-529-528', '03-3302-7575']) {
      expect(text).toContain(number);
    }
  });
});

describe('typing works like tapping', () => {
  test('家族 then 仕事 → くらしの相談窓口', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    const answer = await say(textEvent(user, '仕事'));
    expect(replyText(answer)).toContain('めぐろ くらしの相談窓口');
    expect(telLinks(answer)).toContain('tel:0357229370');
  });

  test('at an answer, a typed word picks from the question it answered (本人 → 話を聞いてほしい, then 仕事)', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    await say(textEvent(user, '話を聞いてほしい'));
    const answer = await say(textEvent(user, '仕事'));
    expect(telLinks(answer)).toContain('tel:0357229370');
  });

  test('a person who never sent follow (an old friend) is still answered', async () => {
    const user = newUser();
    const answer = await say(textEvent(user, '本人'));
    expect(replyText(answer)).toContain('どんなことが');
  });
});

describe('open now', () => {
  test('a window with known hours says it is open on a weekday morning', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('いま受付中です');
  });

  test('on a public holiday it is closed and says when it next opens', async () => {
    bot.setNow('2026-11-23T02:00:00Z'); // Monday 11:00, 勤労感謝の日
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('いまは受付時間外です。次は 明日 10:00 から受付です。');
  });

  test('at 年末年始 the next opening is after 1/3', async () => {
    bot.setNow('2026-12-30T03:00:00Z');
    const user = newUser();
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('次は 1月4日(月) 10:00 から受付です');
  });
});

describe('when a window is closed now', () => {
  test('outside its hours the answer offers 開いたらお知らせ and shows the 24-hour lines; one push when it opens', async () => {
    bot.setNow('2026-11-23T02:00:00Z'); // Monday 11:00, a public holiday: 東京都ひきこもりサポートネット is closed
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('24時間の相談電話');
    expect(replyText(answer)).toContain('0120-279-338');
    const confirmation = await say(tap(user, answer, '開いたらお知らせ'));
    expect(replyText(confirmation)).toContain('明日 10:00 に、一度だけお知らせします');

    const pass = bot.composed.runReminders!;
    await pass(new Date('2026-11-24T00:59:00Z'));
    expect(bot.fake.multicasts()).toHaveLength(0);
    await pass(new Date('2026-11-24T01:00:30Z'));
    await pass(new Date('2026-11-24T01:05:00Z'));
    expect(bot.fake.multicasts().map((m) => m.to)).toEqual([[user]]);
    const text = bot.fake.multicasts()[0]!.messages[0].text as string;
    expect(text.split('\n')[0]).toBe('目黒区からのお知らせ: 受付が始まりました');
    expect(text).toContain('0120-529-528');
  });

  test('while it is open there is no such offer', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(quickReplies(answer).map((q) => q.label)).not.toContain('開いたらお知らせ');
    expect(replyText(answer)).not.toContain('24時間の相談電話');
  });
});

describe('a message a family member can forward to ご本人', () => {
  test('家族 → 本人の居場所 → 本人に送る文をつくる: the date, the place, nickname, free, come and go, no pressure', async () => {
    const user = newUser();
    await say(followEvent(user));
    const question = await say(textEvent(user, '家族'));
    const answer = await say(tap(user, question, '本人の居場所'));
    const messages = await say(tap(user, answer, '本人に送る文をつくる'));
    expect(messages[0].text).toContain('転送');
    const card = messages[1].text as string;
    expect(card).toContain('12月22日(火) または 12月27日(日) 13:30〜16:30');
    expect(card).toContain('目黒区総合庁舎 本館');
    expect(card).toContain('ニックネーム');
    expect(card).toContain('無料');
    expect(card).toContain('途中');
    expect(card).not.toMatch(/ひきこもり|ぜひ|がんばって|べき|早く/);
  });
});

describe('お知らせ設定', () => {
  test('says whether reminders are on and offers to change it', async () => {
    const user = newUser();
    await say(followEvent(user));
    const off = await say(postbackEvent(user, 'do=reminder-settings'));
    expect(replyText(off)).toContain('いまは お知らせを受け取っていません');
    await say(tap(user, off, 'お知らせを受け取る'));
    const on = await say(textEvent(user, 'お知らせ設定'));
    expect(replyText(on)).toContain('受け取っています');
    expect(quickReplies(on).map((q) => q.label)).toContain('リマインド停止');
  });
});

describe('crisis words', () => {
  test.each(['死にたい', 'もう消えたい', '自殺したい', '消えてしまいたい'])('"%s" in any state → crisis lines and 119/110 first, then the way back', async (words) => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    const messages = await say(textEvent(user, words));
    expect(messages[0].type).toBe('text');
    expect(messages[0].text).toContain('119');
    expect(messages[0].text).toContain('110');
    expect(messages[0].text).toContain('03-3264-4343');
    expect(telLinks(messages)).toEqual(expect.arrayContaining(['tel:0332644343', 'tel:0120279338']));
    expect(quickReplies(messages).map((q) => q.label)).toEqual(['メニューへ戻る']);
    expect(conversationRow(user).snapshot).toContain('"family"');
  });
});

describe('restart, いばしょ and old buttons', () => {
  test('最初から and メニュー always go back to the first question', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    await say(textEvent(user, '仕事'));
    for (const word of ['最初から', 'メニュー']) {
      const messages = await say(textEvent(user, word));
      expect(replyText(messages)).toContain('ご本人ですか、ご家族ですか');
      expect(conversationRow(user).snapshot).toContain('"start"');
      await say(textEvent(user, '本人'));
    }
  });

  test('いばしょ from any state → next date with weekday, 13:30〜16:30, venue, access, free, nickname', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    const messages = await say(textEvent(user, 'いばしょ'));
    const text = replyText(messages);
    expect(text).toContain('12月22日(火) または 12月27日(日)');
    expect(text).toContain('13:30〜16:30');
    expect(text).toContain('予定');
    expect(text).toContain('目黒区総合庁舎 本館');
    expect(text).toContain('中目黒駅から徒歩5分');
    expect(text).toContain('無料');
    expect(text).toContain('ニックネーム');
  });

  test('a button from an earlier question still does what its label says', async () => {
    const user = newUser();
    await say(followEvent(user));
    const familyQuestion = await say(textEvent(user, '家族'));
    const oldButton = tap(user, familyQuestion, '家族会');
    await say(textEvent(user, '最初から'));
    await say(textEvent(user, '本人'));
    await say(textEvent(user, 'こころ'));
    const messages = await say(oldButton);
    expect(telLinks(messages)).toContain('tel:0337198909');
  });

  test('ほかの相談を見る returns to the question the answer came from', async () => {
    const user = newUser();
    await say(followEvent(user));
    const question = await say(textEvent(user, '家族'));
    const answer = await say(tap(user, question, '介護'));
    const back = await say(tap(user, answer, 'ほかの相談'));
    expect(quickReplies(back).map((q) => q.label)).toEqual(quickReplies(question).map((q) => q.label));
  });

  test('a postback that means nothing now → a kind word and the first question', async () => {
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(postbackEvent(user, 'go=a-node-removed-last-year&from=start'));
    expect(replyText(messages)).toContain('はじめから');
    expect(replyText(messages)).toContain('ご本人ですか');
  });
});

describe('anything else gets a gentle reply, never silence', () => {
  test.each([
    ['a sticker', stickerEvent],
    ['an image', imageEvent],
    ['a location', locationEvent],
  ])('%s → a gentle reply with the menu', async (_name, make) => {
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(make(user));
    expect(replyText(messages)).toContain('ボタン');
    expect(quickReplies(messages).length).toBeGreaterThan(0);
  });

  test('unknown text → a gentle reply, the crisis lines one tap away, and the same options again', async () => {
    const user = newUser();
    const question = await say(followEvent(user));
    const messages = await say(textEvent(user, 'qwerty'));
    expect(replyText(messages)).toContain('うまく受け取れませんでした');
    expect(quickReplies(messages)[0]!.label).toBe('つらいときの相談先');
    expect(quickReplies(messages).slice(1)).toEqual(quickReplies(question));
  });

  test('events we do not serve (e.g. a group join) are acknowledged and ignored', async () => {
    const join = { type: 'join', mode: 'active', timestamp: Date.now(), source: { type: 'group', groupId: 'C' + '0'.repeat(32) }, webhookEventId: '01JOIN0000000000000000000', deliveryContext: { isRedelivery: false }, replyToken: 'f'.repeat(32) };
    const response = await bot.send([join as any]);
    expect(response.status).toBe(200);
    expect(bot.fake.requests.length).toBe(0);
  });
});

describe('the webhook endpoint as LINE uses it', () => {
  test('the verify request (no events) → 200', async () => {
    expect((await bot.send([])).status).toBe(200);
  });

  test.each([
    ['missing', null],
    ['wrong', signBody('{"events":[]}', CHANNEL_SECRET)],
    ['made with another secret', 'x'],
    ['truncated', 'AAAA'],
  ])('a %s signature → 401 and nothing processed', async (_name, signature) => {
    const user = newUser();
    const response = await bot.send([followEvent(user)], { signature });
    expect(response.status).toBe(401);
    expect(bot.fake.requests.length).toBe(0);
    expect(conversationRow(user)).toBeUndefined();
  });

  test('a body re-serialised after signing (same JSON, other bytes) → 401', async () => {
    const body = webhookBody([followEvent(newUser())]);
    const signature = signBody(body, CHANNEL_SECRET);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect((await bot.post(reserialised, { 'x-line-signature': signature })).status).toBe(401);
  });

  test('a correctly signed body that is not JSON → 400', async () => {
    const body = '{"events": [';
    expect((await bot.post(body, { 'x-line-signature': signBody(body, CHANNEL_SECRET) })).status).toBe(400);
  });

  test('a body far larger than LINE sends → 413, not read into memory, nothing processed', async () => {
    const user = newUser();
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const body = JSON.stringify({ destination: 'U0', events: [followEvent(user)], padding });
    const response = await bot.post(body, { 'x-line-signature': signBody(body, CHANNEL_SECRET) });
    expect(response.status).toBe(413);
    expect(conversationRow(user)).toBeUndefined();
    expect(bot.logs.some((l) => l.msg === 'webhook rejected: body too large')).toBe(true);
  });

  test('/webhook/ with a trailing slash or a query string is the same endpoint', async () => {
    for (const suffix of ['/', '?from=line']) {
      const user = newUser();
      const body = webhookBody([followEvent(user)]);
      const response = await fetch(`${bot.url}/webhook${suffix}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) },
        body,
      });
      expect(response.status).toBe(200);
      expect(conversationRow(user)).toBeDefined();
    }
  });

  test('GET /webhook is not the webhook', async () => {
    expect((await fetch(`${bot.url}/webhook`)).status).toBe(404);
  });

  test('a redelivered event is answered once and changes the state once', async () => {
    const user = newUser();
    await say(followEvent(user));
    const event = textEvent(user, '家族');
    await say(event);
    const version = conversationRow(user).version;
    const redelivered = { ...event, deliveryContext: { isRedelivery: true } };
    const response = await bot.send([redelivered]);
    expect(response.status).toBe(200);
    expect(bot.fake.replies().length).toBe(2);
    expect(conversationRow(user).version).toBe(version);
  });

  test('LINE answers 500 → the webhook answers 500; the redelivery sends the same reply once, state changed once', async () => {
    const user = newUser();
    await say(followEvent(user));
    bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500, body: { message: 'Internal error' } }]);
    const event = textEvent(user, '家族');
    expect((await bot.send([event])).status).toBe(500);
    const version = conversationRow(user).version;
    const response = await bot.send([{ ...event, deliveryContext: { isRedelivery: true } }]);
    expect(response.status).toBe(200);
    const replies = bot.fake.replies();
    expect(replies.length).toBe(2);
    expect(replyText(replies[1]!.messages)).toContain('どんなことが');
    expect(conversationRow(user).version).toBe(version);
    expect(conversationRow(user).snapshot).toContain('"family"');
  });

  test('a reply token that expired before redelivery → the answer is pushed once, with a retry key', async () => {
    const user = newUser();
    await say(followEvent(user));
    bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500 }, { status: 400, body: { message: 'Invalid reply token' } }]);
    const event = textEvent(user, '本人');
    expect((await bot.send([event])).status).toBe(500);
    expect((await bot.send([event])).status).toBe(200);
    expect((await bot.send([event])).status).toBe(200);
    const pushes = bot.fake.pushes();
    expect(pushes.length).toBe(1);
    expect(pushes[0]!.to).toBe(user);
    expect(pushes[0]!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(replyText(pushes[0]!.messages)).toContain('どんなことが');
  });

  test('two users interleaved keep their own conversations', async () => {
    const a = newUser();
    const b = newUser();
    await say(followEvent(a));
    await say(followEvent(b));
    await say(textEvent(a, '本人'));
    await say(textEvent(b, '家族'));
    const answerA = await say(textEvent(a, '仕事'));
    const answerB = await say(textEvent(b, '家族会'));
    expect(telLinks(answerA)).toContain('tel:0357229370');
    expect(telLinks(answerB)).toContain('tel:0337198909');
  });

  test('several events of two users in one body are all handled, each user in order', async () => {
    const a = newUser();
    const b = newUser();
    const events = [followEvent(a), followEvent(b), textEvent(a, '家族'), textEvent(b, '本人'), textEvent(a, '家族会'), textEvent(b, 'こころ')];
    const response = await bot.send(events);
    expect(response.status).toBe(200);
    const replies = bot.fake.replies();
    expect(replies.length).toBe(6);
    const byToken = new Map(replies.map((r) => [r.replyToken, r.messages]));
    const last = (e: any) => byToken.get(e.replyToken)!;
    expect(telLinks(last(events[4]))).toContain('tel:0337198909');
    expect(telLinks(last(events[5]))).toContain('tel:0333027575');
    expect(conversationRow(a).snapshot).toContain('family-groups');
    expect(conversationRow(b).snapshot).toContain('self-health');
  });

  test('unfollow deletes everything stored about the person', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    expect((await bot.send([unfollowEvent(user)])).status).toBe(200);
    expect(conversationRow(user)).toBeUndefined();
    const db = new BetterSqlite3(path.join(bot.dataDir, 'guide.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM webhook_events WHERE user_id = ?').get(user)).toEqual({ n: 0 });
    db.close();
  });

  test('a corrupt stored state → a kind word and the first question, never an error', async () => {
    const user = newUser();
    await say(followEvent(user));
    const db = new BetterSqlite3(path.join(bot.dataDir, 'guide.db'));
    db.prepare("UPDATE conversations SET snapshot = '{not json' WHERE user_id = ?").run(user);
    db.close();
    const messages = await say(textEvent(user, '家族'));
    expect(replyText(messages)).toContain('はじめから ご案内しますね');
  });

  test('logs hold hashed user ids and no message text', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族のことで相談したいです'));
    await say(textEvent(user, '死にたい'));
    const logs = bot.logText();
    expect(logs).not.toContain(user);
    expect(logs).not.toContain('相談したい');
    expect(logs).not.toContain('死にたい');
    expect(bot.logs.some((l) => typeof l.user === 'string' && (l.user as string).length === 16)).toBe(true);
  });
});

describe('health', () => {
  test('GET /healthz and /readyz', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  });
});
