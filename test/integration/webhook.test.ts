import http from 'node:http';
import { sql } from 'kysely';
import { CHANNEL_SECRET, quickReplies, replyText, telLinks, botPerTest, tap } from '../support/bot-harness';
import { conversationRow, storeRows } from '../support/stores';
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
import { newUser, projectDefinitions } from '../support/fixtures';
import { nextIbashoOf } from '../../src/domain/next-ibasho';

// Numbers come from the loaded content by window or line id, so that a staff member's correct edit of a
// number in content/ keeps this suite green; which windows an answer shows is what these tests check.
const content = projectDefinitions().content;
const asTel = (number: string) => `tel:${number.replace(/-/g, '')}`;
function telOf(windowId: string): string {
  const window = content.windows.find((w) => w.id === windowId)!;
  return asTel((window.phone as { value: string }).value);
}
function lineTel(lineId: string): string {
  return asTel(content.crisis.lines.find((l) => l.id === lineId)!.phone);
}
/** The next いばしょ as the reply writes it (12月22日(火) または 12月27日(日)), from content at the suite's clock. */
function ibashoWhen(): { dates: string; times: string; place: string; access: string } {
  const defs = projectDefinitions();
  const next = nextIbashoOf(defs, new Date('2026-11-25T01:00:00Z'))!;
  const { format, weekdays } = defs.content.phrases.date;
  const dateText = (d: string) => {
    const [, month, day] = d.split('-').map(Number) as [number, number, number];
    const weekday = weekdays[new Date(`${d}T00:00:00Z`).getUTCDay()]!;
    return format.replace('{month}', String(month)).replace('{day}', String(day)).replace('{weekday}', weekday);
  };
  const ibasho = defs.windowsById.get(defs.ibasho.window)!;
  return {
    dates: next.dates.map(dateText).join(defs.content.phrases.ibasho.plannedJoiner),
    times: `${next.start}〜${next.end}`,
    place: ibasho.place!.value,
    access: ibasho.access!.value,
  };
}


/** A POST written chunk by chunk on node:http, for what supertest and fetch always set (Content-Type, Content-Length). */
function rawPost(url: string, chunks: string[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (part: string) => (body += part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    // The server may answer 413 and stop reading before the last chunk.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (chunks.length === 1) request.setHeader('content-length', Buffer.byteLength(chunks[0]!));
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

// Wednesday 2026-11-25 10:00 in Tokyo.
const each = botPerTest();
const say = each.say;

/** The postback of a button (or tappable text) labelled `label` on the card titled `title`. */
function cardTap(user: string, messages: any[], title: string, label: string) {
  const bubbles = messages.flatMap((m) => (m.type !== 'flex' ? [] : m.contents.type === 'carousel' ? m.contents.contents : [m.contents]));
  const bubble = bubbles.find((b: any) => JSON.stringify(b.body).includes(title));
  const data = JSON.stringify(bubble ?? {}).match(new RegExp(`"label":"${label}","data":"([^"]+)"`))?.[1];
  if (!data) throw new Error(`no "${label}" on a card "${title}"`);
  return postbackEvent(user, data);
}

/** Flex bubbles of a reply. */
function bubblesOf(messages: any[]): any[] {
  return messages.flatMap((m) => (m.type !== 'flex' ? [] : m.contents.type === 'carousel' ? m.contents.contents : [m.contents]));
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
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"start"');
  });
});

describe('every branch answers with the right phone numbers', () => {
  const branches: [string, string, string[]][] = [
    ['本人', '話を聞いてほしい', [telOf('ward-office'), telOf('hokenyobo'), telOf('himonya'), telOf('tokyo-hss')]],
    ['本人', '仕事・お金・くらし', [telOf('kurashi'), telOf('ward-office')]],
    ['本人', '居場所がほしい', [telOf('ward-office'), telOf('tokyo-hss')]],
    ['本人', 'こころや体調', [telOf('hokenyobo'), telOf('himonya'), telOf('chubu-mhwc')]],
    ['家族', '接し方が分からない', [telOf('ward-office'), telOf('hokenyobo'), telOf('himonya'), telOf('tokyo-hss')]],
    ['家族', '家族会・親の会', [telOf('shakyo'), telOf('hokenyobo')]],
    ['家族', '家に来てほしい', [telOf('hokenyobo'), telOf('himonya'), telOf('tokyo-hss')]],
    ['家族', '仕事・お金・くらし', [telOf('kurashi'), telOf('ward-office')]],
    ['家族', '高齢で心配', [telOf('ward-office'), telOf('shakyo'), telOf('kurashi')]],
    ['家族', '本人の居場所', [telOf('ward-office')]],
  ];
  test.each(branches)('%s → %s', async (role, need, numbers) => {
    const user = newUser();
    const greeting = await say(followEvent(user));
    const question = await say(tap(user, greeting, role));
    expect(replyText(question)).toContain('どんなことが');
    const answer = await say(tap(user, question, need));
    expect(answer.some((m) => m.type === 'flex' && m.altText.length > 0)).toBe(true);
    // At most three cards, the best fitting first; the rest of the windows behind ほかの窓口も見る.
    expect(bubblesOf(answer).length).toBeLessThanOrEqual(3);
    const labels = quickReplies(answer).map((q) => q.label);
    const more = labels[0] === 'ほかの窓口も見る' ? await say(tap(user, answer, 'ほかの窓口も見る')) : [];
    expect([...new Set([...telLinks(answer), ...telLinks(more)])].sort()).toEqual([...new Set(numbers)].sort());
    if (labels[0] === 'ほかの窓口も見る') labels.shift();
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
    expect(replyText(consult)).not.toContain('ご家族だけでの相談もできます');
    const detail = await say(cardTap(user, consult, '福祉のコンシェルジュ', 'くわしく見る'));
    expect(replyText(detail)).toContain('ご家族だけでの相談もできます');
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
    expect(telLinks(answer)).toContain(telOf('kurashi'));
  });

  test('at an answer, a typed word picks from the question it answered (本人 → 話を聞いてほしい, then 仕事)', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    await say(textEvent(user, '話を聞いてほしい'));
    const answer = await say(textEvent(user, '仕事'));
    expect(telLinks(answer)).toContain(telOf('kurashi'));
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
    each.bot.setNow('2026-11-23T02:00:00Z'); // Monday 11:00, 勤労感謝の日
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('いまは受付時間外です。次は 明日 10:00 から受付です。');
  });

  test('at 年末年始 the next opening is after 1/3', async () => {
    each.bot.setNow('2026-12-30T03:00:00Z');
    const user = newUser();
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('次は 1月4日(月) 10:00 から受付です');
  });
});

describe('when a window is closed now', () => {
  test('outside its hours the answer offers 開いたらお知らせ and shows the 24-hour lines; one push when it opens', async () => {
    each.bot.setNow('2026-11-23T02:00:00Z'); // Monday 11:00, a public holiday: 東京都ひきこもりサポートネット is closed
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(replyText(answer)).toContain('24時間の相談電話');
    expect(replyText(answer)).toContain('0120-279-338');
    const confirmation = await say(tap(user, answer, '開いたらお知らせ'));
    expect(replyText(confirmation)).toContain('明日 10:00 に、一度だけお知らせします');

    const pass = each.bot.composed.runReminders!;
    await pass(new Date('2026-11-24T00:59:00Z'));
    expect(each.bot.fake.multicasts()).toHaveLength(0);
    await pass(new Date('2026-11-24T01:00:30Z'));
    await pass(new Date('2026-11-24T01:05:00Z'));
    expect(each.bot.fake.multicasts().map((m) => m.to)).toEqual([[user]]);
    const text = each.bot.fake.multicasts()[0]!.messages[0].text as string;
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
    const when = ibashoWhen();
    expect(card).toContain(`${when.dates} ${when.times}`);
    expect(card).toContain(when.place);
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
    expect(messages).toHaveLength(1);
    expect(telLinks(messages).slice(0, 2)).toEqual(['tel:119', 'tel:110']);
    expect(telLinks(messages)).toEqual(expect.arrayContaining([lineTel('inochi-tokyo'), lineTel('yorisoi')]));
    expect(quickReplies(messages).map((q) => q.label)).toEqual(['ほかの相談先', 'メニューへ戻る']);
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"family"');
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
      expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"start"');
      await say(textEvent(user, '本人'));
    }
  });

  test('いばしょ from any state → next date with weekday, 13:30〜16:30, venue, access, free, nickname', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    const messages = await say(textEvent(user, 'いばしょ'));
    const text = replyText(messages);
    const when = ibashoWhen();
    expect(text).toContain(when.dates);
    expect(text).toContain(when.times);
    expect(text).toContain('予定');
    expect(text).toContain(when.place);
    expect(text).toContain(when.access);
    expect(text).toContain('無料');
    expect(text).toContain('ニックネーム');
  });

  test('a button from an earlier question still does what its label says', async () => {
    const user = newUser();
    await say(followEvent(user));
    const familyQuestion = await say(textEvent(user, '家族'));
    await say(textEvent(user, '最初から'));
    await say(textEvent(user, '本人'));
    await say(textEvent(user, 'こころ'));
    // The person scrolls up and taps a button of the earlier question now.
    const messages = await say(tap(user, familyQuestion, '家族会'));
    expect(telLinks(messages)).toContain(telOf('shakyo'));
  });

  test('ほかの相談を見る returns to the question the answer came from', async () => {
    const user = newUser();
    await say(followEvent(user));
    const question = await say(textEvent(user, '家族'));
    const answer = await say(tap(user, question, '高齢で心配'));
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
    const response = await each.bot.send([join as any]);
    expect(response.status).toBe(200);
    expect(each.bot.fake.requests.length).toBe(0);
  });
});

describe('the webhook endpoint as LINE uses it', () => {
  test('the verify request (no events) → 200', async () => {
    expect((await each.bot.send([])).status).toBe(200);
  });

  test.each([
    ['missing', null],
    ['wrong', signBody('{"events":[]}', CHANNEL_SECRET)],
    ['not base64 at all', 'x'],
    ['truncated', 'AAAA'],
  ])('a %s signature → 401 and nothing processed', async (_name, signature) => {
    const user = newUser();
    const response = await each.bot.send([followEvent(user)], { signature });
    expect(response.status).toBe(401);
    expect(each.bot.fake.requests.length).toBe(0);
    expect((await conversationRow(each.bot.composed.store, user))).toBeUndefined();
  });

  test('the right body signed with another real channel secret → 401 and nothing processed', async () => {
    const user = newUser();
    const body = webhookBody([followEvent(user)]);
    const otherSecret = 'f00dfeedcafebabe0123456789abcdef';
    expect(signBody(body, otherSecret)).not.toBe(signBody(body, CHANNEL_SECRET));
    const response = await each.bot.post(body, { 'x-line-signature': signBody(body, otherSecret) });
    expect(response.status).toBe(401);
    expect(each.bot.fake.requests.length).toBe(0);
    expect(await conversationRow(each.bot.composed.store, user)).toBeUndefined();
    // The same body with the bot's own secret is processed: the 401 above is the secret's doing.
    expect((await each.bot.post(body, { 'x-line-signature': signBody(body, CHANNEL_SECRET) })).status).toBe(200);
  });

  test('a refused signature answers JSON and logs why, without the body', async () => {
    const user = newUser();
    const response = await each.bot.send([textEvent(user, '家族のことで')], { signature: 'x' });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ message: 'invalid signature' });
    const warning = each.bot.logs.find((l) => l.msg === 'webhook rejected: bad or missing signature');
    expect(warning).toMatchObject({ path: '/webhook', reason: 'signature validation failed' });
    expect(each.bot.logText()).not.toContain('家族のことで');
    expect(each.bot.logText()).not.toContain(user);
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['application/octet-stream', 'application/octet-stream'],
    ['no Content-Type', null],
  ])('a signed body sent as %s is taken as its bytes (no JSON parser ahead of the signature)', async (_name, type) => {
    const user = newUser();
    const body = webhookBody([followEvent(user)]);
    const response = await rawPost(`${each.bot.url}/webhook`, [body], { 'x-line-signature': signBody(body, CHANNEL_SECRET), ...(type ? { 'content-type': type } : {}) });
    expect(response.status).toBe(200);
    expect((await conversationRow(each.bot.composed.store, user))).toBeDefined();
  });

  test('a chunked body (no Content-Length) over 1 MiB → 413, nothing processed', async () => {
    const user = newUser();
    const chunk = 'x'.repeat(64 * 1024);
    const response = await rawPost(`${each.bot.url}/webhook`, [`{"events":[${JSON.stringify(followEvent(user))}],"padding":"`, ...Array(20).fill(chunk), '"}'], {
      'x-line-signature': 'irrelevant',
      'content-type': 'application/json',
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ message: 'body too large' });
    expect((await conversationRow(each.bot.composed.store, user))).toBeUndefined();
  });

  test('a body re-serialised after signing (same JSON, other bytes) → 401', async () => {
    const body = webhookBody([followEvent(newUser())]);
    const signature = signBody(body, CHANNEL_SECRET);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect((await each.bot.post(reserialised, { 'x-line-signature': signature })).status).toBe(401);
  });

  test('a correctly signed body that is not JSON → 400', async () => {
    const body = '{"events": [';
    expect((await each.bot.post(body, { 'x-line-signature': signBody(body, CHANNEL_SECRET) })).status).toBe(400);
  });

  test('a body far larger than LINE sends → 413, not read into memory, nothing processed', async () => {
    const user = newUser();
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const body = JSON.stringify({ destination: 'U0', events: [followEvent(user)], padding });
    const response = await each.bot.post(body, { 'x-line-signature': signBody(body, CHANNEL_SECRET) });
    expect(response.status).toBe(413);
    expect((await conversationRow(each.bot.composed.store, user))).toBeUndefined();
    expect(each.bot.logs.some((l) => l.msg === 'webhook rejected: body too large')).toBe(true);
  });

  test('/webhook/ with a trailing slash or a query string is the same endpoint', async () => {
    for (const suffix of ['/', '?from=line']) {
      const user = newUser();
      const body = webhookBody([followEvent(user)]);
      const response = await each.bot
        .http()
        .post(`/webhook${suffix}`)
        .set({ 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) })
        .send(body);
      expect(response.status).toBe(200);
      expect((await conversationRow(each.bot.composed.store, user))).toBeDefined();
    }
  });

  test.each([
    ['a null event', null],
    ['a postback without postback', { type: 'postback', replyToken: 'a'.repeat(32), timestamp: Date.now(), mode: 'active', webhookEventId: 'E-pb', source: { type: 'user', userId: 'U'.padEnd(33, '1') } }],
    ['a message without message', { type: 'message', replyToken: 'b'.repeat(32), timestamp: Date.now(), mode: 'active', webhookEventId: 'E-msg', source: { type: 'user', userId: 'U'.padEnd(33, '2') } }],
    ['a text message whose text is not a string', { type: 'message', message: { type: 'text', id: '1', text: 42 }, replyToken: 'c'.repeat(32), timestamp: Date.now(), mode: 'active', webhookEventId: 'E-txt', source: { type: 'user', userId: 'U'.padEnd(33, '3') } }],
  ])('%s inside a correctly signed body: logged, skipped, 200 (never redelivered forever)', async (_, malformed) => {
    const user = newUser();
    const good = textEvent(user, '家族');
    const response = await each.bot.send([malformed as never, good]);
    expect(response.status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === good.replyToken)).toHaveLength(1);
    expect(each.bot.logs.some((l) => l.msg === 'event ignored')).toBe(true);
  });

  test('two events without a webhookEventId are both answered: they are not duplicates of each other', async () => {
    const user = newUser();
    const { webhookEventId: _a, ...first } = textEvent(user, '家族');
    const { webhookEventId: _b, ...second } = textEvent(user, '家族会');
    expect((await each.bot.send([first as never, second as never])).status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === first.replyToken || r.replyToken === second.replyToken)).toHaveLength(2);
  });

  test('an event older than a day (its id may be forgotten: a replayed body) is refused with 200 and not answered', async () => {
    const user = newUser();
    const old = textEvent(user, '家族', { timestamp: new Date('2026-11-25T01:00:00Z').getTime() - 25 * 3600_000 });
    expect((await each.bot.send([old])).status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === old.replyToken)).toHaveLength(0);
    expect(each.bot.logs.some((l) => l.eventId === old.webhookEventId && String(l.msg).includes('older than the window'))).toBe(true);
  });

  test('GET /webhook is not the webhook', async () => {
    expect((await each.bot.http().get('/webhook')).status).toBe(404);
  });

  test('a redelivered event is answered once and changes the state once', async () => {
    const user = newUser();
    await say(followEvent(user));
    const event = textEvent(user, '家族');
    await say(event);
    const version = (await conversationRow(each.bot.composed.store, user)).version;
    const redelivered = { ...event, deliveryContext: { isRedelivery: true } };
    const response = await each.bot.send([redelivered]);
    expect(response.status).toBe(200);
    expect(each.bot.fake.replies().length).toBe(2);
    expect((await conversationRow(each.bot.composed.store, user)).version).toBe(version);
  });

  test('LINE answers 500 → the webhook answers 500; the redelivery sends the same reply once, state changed once', async () => {
    const user = newUser();
    await say(followEvent(user));
    each.bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500, body: { message: 'Internal error' } }]);
    const event = textEvent(user, '家族');
    const failed = await each.bot.send([event]);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ message: 'internal error' });
    expect(each.bot.logs.some((l) => l.msg === 'request failed' && l.path === '/webhook' && l.level === 50)).toBe(true);
    const version = (await conversationRow(each.bot.composed.store, user)).version;
    const response = await each.bot.send([{ ...event, deliveryContext: { isRedelivery: true } }]);
    expect(response.status).toBe(200);
    const replies = each.bot.fake.replies();
    expect(replies.length).toBe(2);
    expect(replyText(replies[1]!.messages)).toContain('どんなことが');
    expect((await conversationRow(each.bot.composed.store, user)).version).toBe(version);
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"family"');
  });

  const decisions = (eventId: string) => each.bot.logs.filter((l) => l.msg === 'delivery decision' && l.eventId === eventId).map((l) => l.decision);

  test('a reply token that expired before its first use (a late redelivery) → the answer is pushed once, with a retry key', async () => {
    const user = newUser();
    await say(followEvent(user));
    each.bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 400, body: { message: 'Invalid reply token' } }]);
    const event = { ...textEvent(user, '本人'), deliveryContext: { isRedelivery: true } };
    expect((await each.bot.send([event])).status).toBe(200);
    expect((await each.bot.send([event])).status).toBe(200);
    const pushes = each.bot.fake.pushes();
    expect(pushes.length).toBe(1);
    expect(pushes[0]!.to).toBe(user);
    expect(pushes[0]!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(replyText(pushes[0]!.messages)).toContain('どんなことが');
    expect(decisions(event.webhookEventId)).toEqual([expect.stringContaining('expired before its first use')]);
  });

  test('LINE delivered the reply but answered 500: the redelivery finds the token used and does not send it again', async () => {
    const user = newUser();
    await say(followEvent(user));
    each.bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500, body: { message: 'Internal error' }, accept: true }]);
    const event = textEvent(user, '本人');
    expect((await each.bot.send([event])).status).toBe(500);
    expect((await each.bot.send([{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    expect((await each.bot.send([{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === event.replyToken)).toHaveLength(1);
    expect(each.bot.fake.pushes()).toHaveLength(0);
    expect(decisions(event.webhookEventId)).toEqual([expect.stringContaining('taken as delivered')]);
  });

  test('the reply reached LINE but its replied mark could not be written: 200 all the same, and the sweeper finishes the event without a second reply', async () => {
    const user = newUser();
    const follow = followEvent(user);
    await say(follow);
    const statusOf = async (eventId: string) => (await each.bot.composed.store.findEvent(eventId))?.status;
    /** Marks are written behind (within 10 ms): waits up to 2 s for what one should bring about. */
    const eventually = async (done: () => Promise<boolean> | boolean) => {
      for (let waited = 0; !(await done()) && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    // The follow's own mark lands before marks are refused.
    await eventually(async () => (await statusOf(follow.webhookEventId)) === 'replied');
    const db = each.bot.composed.store.database;
    await sql`CREATE TRIGGER refuse_marks BEFORE UPDATE OF status ON webhook_events WHEN NEW.status = 'replied' BEGIN SELECT RAISE(ABORT, 'mark refused'); END`.execute(db);
    const event = textEvent(user, '本人');
    expect((await each.bot.send([event])).status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === event.replyToken)).toHaveLength(1);
    // The mark fails, is logged, and the event stays pending.
    const unmarked = () => each.bot.logs.some((l) => l.msg === 'reply sent but not marked: the event is finished after its lease' && l.eventId === event.webhookEventId && l.level === 40);
    await eventually(unmarked);
    expect(unmarked()).toBe(true);
    expect(await statusOf(event.webhookEventId)).toBe('pending');
    await sql`DROP TRIGGER refuse_marks`.execute(db);

    // Before the lease runs out the sweeper does not list it; after, it finds the token used.
    const sent = new Date('2026-11-25T01:00:00Z');
    expect(await each.bot.composed.store.abandonedEvents(new Date(sent.getTime() + 1_000), 10)).toEqual([]);
    const later = new Date(sent.getTime() + 60_000);
    each.bot.setNow(later);
    expect(await each.bot.composed.finishAbandonedEvents!(later)).toBe(1);
    await eventually(async () => (await statusOf(event.webhookEventId)) === 'replied');
    expect(each.bot.fake.replies().filter((r) => r.replyToken === event.replyToken)).toHaveLength(1);
    expect(each.bot.fake.pushes()).toHaveLength(0);
    expect(decisions(event.webhookEventId)).toEqual([expect.stringContaining('taken as delivered')]);
    expect(await statusOf(event.webhookEventId)).toBe('replied');
  });

  test('the same, for a crisis reply: it is pushed again rather than risk that it was lost', async () => {
    const user = newUser();
    await say(followEvent(user));
    each.bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 500, body: { message: 'Internal error' }, accept: true }]);
    const event = textEvent(user, 'もう死にたい');
    expect((await each.bot.send([event])).status).toBe(500);
    expect((await each.bot.send([{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    expect((await each.bot.send([{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    const pushes = each.bot.fake.pushes();
    expect(pushes).toHaveLength(1);
    expect(replyText(pushes[0]!.messages)).toContain('119');
    expect(decisions(event.webhookEventId)).toEqual([expect.stringContaining('crisis reply')]);
  });

  test('a push that failed is retried with the same retry key, and LINE accepts it once', async () => {
    const user = newUser();
    await say(followEvent(user));
    each.bot.fake.script('POST', '/v2/bot/message/reply', [{ status: 400, body: { message: 'Invalid reply token' } }]);
    each.bot.fake.script('POST', '/v2/bot/message/push', [{ status: 500, body: { message: 'Internal error' }, accept: true }]);
    const event = { ...textEvent(user, '家族'), deliveryContext: { isRedelivery: true } };
    expect((await each.bot.send([event])).status).toBe(500);
    expect((await each.bot.send([event])).status).toBe(200);
    const attempts = each.bot.fake.requests.filter((r) => r.path === '/v2/bot/message/push' && (r.body as { to?: string }).to === user);
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((r) => r.headers['x-line-retry-key'])).size).toBe(1);
    expect(each.bot.fake.pushes().filter((p) => p.to === user)).toHaveLength(1);
    expect(decisions(event.webhookEventId)).toEqual([expect.stringContaining('expired before its first use'), expect.stringContaining('same retry key')]);
  });

  test('an older event that arrives after a newer one was applied is answered once, without moving the conversation back', async () => {
    const user = newUser();
    await say(followEvent(user));
    const earlier = textEvent(user, '家族');
    const later = textEvent(user, '本人', { timestamp: (earlier.timestamp as number) + 1_000 });
    const question = await say(later);
    const snapshot = (await conversationRow(each.bot.composed.store, user)).snapshot;
    const answer = await say(earlier);
    expect(replyText(answer)).toContain('遅れて届きました');
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toBe(snapshot);
    expect(quickReplies(answer)).toEqual(quickReplies(question));
    expect((await each.bot.send([{ ...earlier, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    expect(each.bot.fake.replies().filter((r) => r.replyToken === earlier.replyToken)).toHaveLength(1);
  });

  test('a late event with crisis words still gets the crisis reply', async () => {
    const user = newUser();
    await say(followEvent(user));
    const earlier = textEvent(user, 'きえたい');
    await say(textEvent(user, '家族', { timestamp: (earlier.timestamp as number) + 1_000 }));
    expect(replyText(await say(earlier))).toContain('119');
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
    expect(telLinks(answerA)).toContain(telOf('kurashi'));
    expect(telLinks(answerB)).toContain(telOf('shakyo'));
  });

  test('several events of two users in one body are all handled, each user in order', async () => {
    const a = newUser();
    const b = newUser();
    const events = [followEvent(a), followEvent(b), textEvent(a, '家族'), textEvent(b, '本人'), textEvent(a, '家族会'), textEvent(b, 'こころ')];
    const response = await each.bot.send(events);
    expect(response.status).toBe(200);
    const replies = each.bot.fake.replies();
    expect(replies.length).toBe(6);
    const byToken = new Map(replies.map((r) => [r.replyToken, r.messages]));
    const last = (e: any) => byToken.get(e.replyToken)!;
    expect(telLinks(last(events[4]))).toContain(telOf('shakyo'));
    expect(telLinks(last(events[5]))).toContain(telOf('hokenyobo'));
    expect((await conversationRow(each.bot.composed.store, a)).snapshot).toContain('family-groups');
    expect((await conversationRow(each.bot.composed.store, b)).snapshot).toContain('self-health');
  });

  test('unfollow deletes everything stored about the person', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    expect((await each.bot.send([unfollowEvent(user)])).status).toBe(200);
    expect((await conversationRow(each.bot.composed.store, user))).toBeUndefined();
    expect(await storeRows(each.bot.composed.store, 'SELECT event_id FROM webhook_events WHERE user_id = ?', user)).toEqual([]);
  });

  test('a corrupt stored state → a kind word and the first question, never an error', async () => {
    const user = newUser();
    await say(followEvent(user));
    await storeRows(each.bot.composed.store, "UPDATE conversations SET snapshot = '{not json' WHERE user_id = ?", user);
    const messages = await say(textEvent(user, '家族'));
    expect(replyText(messages)).toContain('はじめから ご案内しますね');
  });

  test('logs hold hashed user ids and no message text', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族のことで相談したいです'));
    await say(textEvent(user, '死にたい'));
    const logs = each.bot.logText();
    expect(logs).not.toContain(user);
    expect(logs).not.toContain('相談したい');
    expect(logs).not.toContain('死にたい');
    expect(each.bot.logs.some((l) => typeof l.user === 'string' && (l.user as string).length === 16)).toBe(true);
  });
});

describe('health', () => {
  test('GET /healthz and /readyz', async () => {
    await each.bot.http().get('/healthz').expect(200, { status: 'ok' });
    await each.bot.http().get('/readyz').expect(200, { status: 'ready' });
  });
});

describe('help that needs no phone call', () => {
  test('an answer offers 相談ほっとLINE@東京 and サポートネット mail as URI buttons; its first line does not push the phone', async () => {
    each.bot.setNow('2026-11-25T10:30:00Z'); // Wednesday 19:30: the LINE consultation is open
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, '話を聞いてほしい'));
    expect(answer[0].text).not.toMatch(/電話のボタン/);
    expect(answer[0].text).toContain('LINEやメール');
    const uriButtons = bubblesOf(answer)
      .flatMap((b) => JSON.stringify(b).match(/"type":"uri","label":"[^"]+","uri":"https:[^"]+"/g) ?? [])
      .map((s: string) => JSON.parse(`{${s}}`));
    expect(uriButtons).toEqual([
      { type: 'uri', label: 'メールで相談する', uri: 'https://www.hikikomori-tokyo.jp/howto/index.php' },
      { type: 'uri', label: 'LINEで相談する', uri: 'https://line.me/R/ti/p/%40373suajs' },
    ]);
    // The mail button sits next to サポートネット's call button.
    const hss = bubblesOf(answer).find((b) => JSON.stringify(b.body).includes('東京都ひきこもりサポートネット'));
    expect(hss.footer.contents.map((c: any) => c.action.uri ?? c.action.label)).toEqual([telOf('tokyo-hss'), 'https://www.hikikomori-tokyo.jp/howto/index.php', 'くわしく見る']);
    expect(replyText(answer)).toContain('いま受付中です');
  });

  test('いばしょ says one can walk in with a nickname, without a call, and that booking is unconfirmed', async () => {
    const user = newUser();
    const messages = await say(textEvent(user, 'いばしょ'));
    expect(replyText(messages)).toContain('電話をしなくても、会場で受付票にニックネームを書いて参加できます');
    expect(replyText(messages)).toContain('予約が要るかは確認中です');
  });

  test('only a window that can only be phoned says how the call button works, in its details', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人'));
    const answer = await say(textEvent(user, 'こころ'));
    const detail = await say(cardTap(user, answer, '保健予防課', 'くわしく見る'));
    expect(replyText(detail)).toContain('電話のボタンを押すと');
    expect(replyText(detail)).toContain('駒場'); // the area, only in the details
    const hss = await say(postbackEvent(user, 'do=detail&w=tokyo-hss'));
    expect(replyText(hss)).not.toContain('電話のボタンを押すと');
  });
});

describe('the crisis reply: one message, care, 119/110, open lines first (LINE first), the rest behind ほかの相談先', () => {
  /** The entries of the crisis card in order: tel:/https: buttons and "次は" lines of closed ones. */
  function crisisOrder(messages: any[]): string[] {
    const body = bubblesOf(messages)[0].body.contents as any[];
    const out: string[] = [];
    const walk = (c: any) => {
      if (c.type === 'box') return c.contents.forEach(walk);
      if (c.type === 'button') out.push(c.action.uri);
      else if (c.type === 'text' && /次は/.test(c.text)) out.push(`closed: ${c.text}`);
    };
    body.forEach(walk);
    return out;
  }

  const cases: [string, string, string[], string[]][] = [
    [
      '02:00',
      '2026-11-25T17:00:00Z',
      ['tel:119', 'tel:110', lineTel('inochi-tokyo'), lineTel('yorisoi'), lineTel('tokyo-hotline'), 'closed: いまは受付時間外です。次は 今日 15:00 から受付です。'],
      ['closed: いまは受付時間外です。次は 今日 16:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 17:00 から受付です。'],
    ],
    [
      '10:00',
      '2026-11-25T01:00:00Z',
      ['tel:119', 'tel:110', lineTel('inochi-tokyo'), lineTel('yorisoi'), 'closed: いまは受付時間外です。次は 今日 15:00 から受付です。'],
      ['closed: いまは受付時間外です。次は 今日 12:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 16:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 17:00 から受付です。'],
    ],
    [
      '19:30',
      '2026-11-25T10:30:00Z',
      ['tel:119', 'tel:110', 'https://line.me/R/ti/p/%40373suajs', lineTel('inochi-tokyo'), lineTel('yorisoi')],
      [lineTel('tokyo-hotline'), lineTel('inochi-free'), lineTel('tokyo-yakan')],
    ],
    [
      'a public holiday (勤労感謝の日 11:00): crisis lines keep their hours',
      '2026-11-23T02:00:00Z',
      ['tel:119', 'tel:110', lineTel('inochi-tokyo'), lineTel('yorisoi'), 'closed: いまは受付時間外です。次は 今日 15:00 から受付です。'],
      ['closed: いまは受付時間外です。次は 今日 12:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 16:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 17:00 から受付です。'],
    ],
    [
      '12/31 23:00',
      '2026-12-31T14:00:00Z',
      ['tel:119', 'tel:110', lineTel('inochi-tokyo'), lineTel('yorisoi'), lineTel('tokyo-hotline'), 'closed: いまは受付時間外です。次は 明日 15:00 から受付です。'],
      ['closed: いまは受付時間外です。次は 明日 16:00 から受付です。', 'closed: いまは受付時間外です。次は 明日 17:00 から受付です。'],
    ],
    [
      'the 10th at 10:00 (いのちの電話 is open 8:00〜翌8:00)',
      '2026-12-10T01:00:00Z',
      ['tel:119', 'tel:110', lineTel('inochi-tokyo'), lineTel('yorisoi'), lineTel('inochi-free'), 'closed: いまは受付時間外です。次は 今日 15:00 から受付です。'],
      ['closed: いまは受付時間外です。次は 今日 12:00 から受付です。', 'closed: いまは受付時間外です。次は 今日 17:00 から受付です。'],
    ],
  ];

  test.each(cases)('at %s', async (_label, instant, first, rest) => {
    each.bot.setNow(instant);
    const user = newUser();
    const messages = await say(textEvent(user, 'もう死にたい'));
    expect(messages).toHaveLength(1);
    const body = bubblesOf(messages)[0].body.contents as any[];
    expect(body[0].text).toMatch(/^つらい気持ちを 伝えてくれて、ありがとうございます。/);
    expect(crisisOrder(messages)).toEqual(first);
    // Nothing repeated: each number once.
    const tels = telLinks(messages);
    expect(new Set(tels).size).toBe(tels.length);
    // Short: about one phone screen of text.
    expect(replyText(bubblesOf(messages)).length).toBeLessThan(420);

    const more = await say(tap(user, messages, 'ほかの相談先'));
    expect(more).toHaveLength(1);
    expect(crisisOrder(more)).toEqual(rest);
    expect(telLinks(more).filter((t) => tels.includes(t))).toEqual([]);
    expect(quickReplies(more).map((q) => q.label)).toEqual(['メニューへ戻る']);
  });
});

describe('the phone list', () => {
  test('one card: each number once with one line of hours; windows reached through the main line listed under it; names open details', async () => {
    const user = newUser();
    const list = await say(textEvent(user, '電話番号の一覧'));
    expect(list.map((m) => m.type)).toEqual(['text', 'flex']);
    expect(list[1].contents.type).toBe('bubble');
    const tels = telLinks(list);
    expect(tels).toEqual([telOf('hokenyobo'), telOf('himonya'), telOf('kurashi'), telOf('shakyo'), telOf('tokyo-hss'), telOf('chubu-mhwc'), telOf('ward-office')]);
    const text = replyText([list[1].contents]);
    expect(text.match(/03-3715-1111/g)).toHaveLength(1);
    for (const name of ['福祉のコンシェルジュ', '地域包括支援センター', 'めぐろのいばしょ', '思春期・青年期の親の会']) expect(text).toContain(name);
    expect(text).toContain('いま受付中です'); // サポートネット on Wednesday 10:00

    const name = JSON.stringify(list[1]).match(/"text":"[^"]*福祉のコンシェルジュ[^"]*"[^}]*"data":"([^"]+)"/)![1]!;
    const detail = await say(postbackEvent(user, name));
    expect(replyText(detail)).toContain('「福祉の総合相談窓口(福祉のコンシェルジュ)につないでください」とお伝えください');
    expect(quickReplies(detail).map((q) => q.label)[0]).toBe('電話番号の一覧');
  });
});

describe('the 8050 family: a parent who is getting old writes', () => {
  test('the option speaks as the parent; the answer names 包括 (番号確認中), the concierge, 家族会 and くらし, and says gently what it cannot answer', async () => {
    const user = newUser();
    await say(followEvent(user));
    const question = await say(textEvent(user, '家族'));
    expect(quickReplies(question).map((q) => q.label)).toContain('親のわたしが高齢で心配');
    expect(quickReplies(question).map((q) => q.label)).not.toContain('高齢の親の介護も心配');
    const answer = await say(tap(user, question, '高齢で心配'));
    expect(answer[0].text).toContain('親なきあと');
    expect(answer[0].text).toContain('まだ確かな窓口をご案内できません');
    expect(replyText(answer)).toContain('地域包括支援センター');
    expect(replyText(answer)).toContain('直通の番号は確認中');
    const more = await say(tap(user, answer, 'ほかの窓口も見る'));
    expect(replyText(more)).toContain('リプルめぐろの会');
    expect(replyText(more)).toContain('めぐろ くらしの相談窓口');
    // Typed worries of this parent land here too.
    const typed = await say(textEvent(user, '親なきあとが心配'));
    expect(typed[0].text).toContain('親なきあと');
  });
});

describe('a neighbour, friend or 民生委員', () => {
  test('the first question offers 知り合い・近所の人のこと; the answer says what to do, who to tell, what not to do alone', async () => {
    const user = newUser();
    const greeting = await say(followEvent(user));
    const answer = await say(tap(user, greeting, '知り合い・近所の人のこと'));
    const lead = answer[0].text as string;
    expect(lead).toContain('できること');
    expect(lead).toContain('ひとりでしないほうがよいこと');
    expect(lead).toContain('ひきこもりの知り合いが気になる');
    expect(lead).toContain('お隣の人がひきこもりがちで気になる');
    expect(lead).toContain('民生委員');
    expect(telLinks(answer)).toEqual([telOf('ward-office')]);
    // Family-only notes are not shown to a neighbour.
    const detail = await say(cardTap(user, answer, '福祉のコンシェルジュ', 'くわしく見る'));
    expect(replyText(detail)).not.toContain('ご家族だけでの相談もできます');
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"neighbor"');
  });
});

describe('honest reminders while no いばしょ date is published', () => {
  test('subscribing says the first message comes once the ward publishes a date, not "前日 18:00と当日 9:00"', async () => {
    const user = newUser();
    const place = await say(textEvent(user, 'いばしょ'));
    const done = await say(tap(user, place, 'お知らせを受け取る'));
    expect(replyText(done)).toContain('区が日にちを発表したら');
    expect(replyText(done)).not.toMatch(/前日|当日 9:00/);
    const settings = await say(textEvent(user, 'お知らせ設定'));
    expect(replyText(settings)).toContain('発表されてから最初のお知らせが届きます');
    expect(replyText(settings)).not.toMatch(/前日/);
  });
});
