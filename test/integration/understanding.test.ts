/**
 * Typed sentences, end to end: signed webhooks through the real server, replies captured by the
 * stand-in LINE API (which checks every reply against LINE's spec and limits).
 */
import { quickReplies, replyText, telLinks, botPerTest, tap } from '../support/bot-harness';
import { conversationRow } from '../support/stores';
import { followEvent, postbackEvent, textEvent } from '../support/line-webhook';
import { newUser, projectDefinitions } from '../support/fixtures';

const defs = projectDefinitions();
const flow = defs.flow.flow;

/** Every node, with the question that offers it (the start for the start itself and for commands' nodes). */
const places = Object.keys(flow.nodes).map((node) => {
  const offeredBy = Object.entries(flow.nodes).find(([, q]) => q.kind === 'question' && q.options.some((o) => o.next === node))?.[0];
  return { node, postback: offeredBy ? `go=${node}&from=${offeredBy}` : `go=${node}` };
});

// Wednesday 2026-11-25 10:00 in Tokyo.
const each = botPerTest();
const say = each.say;


describe('needs typed as sentences', () => {
  test('free text at the first question, need and audience clear → that answer at once, with its numbers', async () => {
    const user = newUser();
    await say(followEvent(user));
    const answer = await say(textEvent(user, '息子が何年も部屋から出てこなくて、どう話しかければいいか分かりません'));
    // The same answer as tapping 家族です › 接し方が分からない.
    const tapper = newUser();
    await say(followEvent(tapper));
    const tapped = await say(tap(tapper, await say(textEvent(tapper, '家族です')), '接し方が分からない'));
    expect(telLinks(answer)).toEqual(telLinks(tapped));
    expect(telLinks(answer).length).toBeGreaterThan(0);
    expect(replyText(answer)).toBe(replyText(tapped));
  });

  test('someone who said 本人 writing that rent and food are getting hard → くらしの相談窓口', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '本人です'));
    const answer = await say(textEvent(user, '家賃と食費が払えなくなってきました'));
    expect(telLinks(answer)).toContain('tel:0357229370');
  });

  test('need first, then who is asking → the bot asks once, and the tap answers it (no second question)', async () => {
    const user = newUser();
    await say(followEvent(user));
    const asked = await say(textEvent(user, 'お金のことで困っています'));
    expect(replyText(asked)).toContain('仕事・お金・くらし');
    expect(replyText(asked)).toContain('ご本人ですか、ご家族ですか');
    const answer = await say(tap(user, asked, '家族'));
    expect(replyText(answer)).not.toContain('どんなことが');
    expect(telLinks(answer)).toEqual(expect.arrayContaining(['tel:0357229370', 'tel:0337151111']));
  });

  test('menu words in everyday forms restart, from an answer', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族です'));
    await say(textEvent(user, '家族会'));
    const again = await say(textEvent(user, 'メニューに戻りたいです'));
    expect(replyText(again)).toContain('ご本人ですか、ご家族ですか');
  });

  test('first-time questions are answered from content/faq.yaml, and never invent: unknown hours say so with the ward line', async () => {
    const user = newUser();
    await say(followEvent(user));
    const cost = await say(textEvent(user, '相談は無料ですか?'));
    expect(replyText(cost)).toContain('無料');
    expect(replyText(cost)).toContain('03-3715-1111');
    const noPhone = await say(textEvent(user, '電話が苦手です'));
    expect(replyText(noPhone)).toContain('https://line.me/R/ti/p/%40373suajs');
    const hours = await say(textEvent(user, '受付時間は何時から何時までですか'));
    expect(replyText(hours)).toContain('月〜金 10:00〜17:00');
    expect(replyText(hours)).toContain('受付時間は確認中');
    const night = await say(textEvent(user, '夜中でも相談できますか'));
    expect(replyText(night)).toContain('03-3264-4343');
    const english = await say(textEvent(user, 'Can I get help in English?'));
    expect(replyText(english)).toContain('119');
    for (const reply of [cost, noPhone, hours, night, english]) {
      expect(replyText(reply)).not.toContain('うまく受け取れませんでした');
      expect(replyText(reply)).toContain('ひとりで抱え込まなくて大丈夫です');
    }
  });

  test.each(['ありがとうございます', 'こんにちは', 'はい', 'いいえ', 'おやすみなさい'])('small talk "%s" → a short human answer and the buttons, not "not understood"', async (words) => {
    const user = newUser();
    const question = await say(followEvent(user));
    const reply = await say(textEvent(user, words));
    expect(replyText(reply)).not.toContain('うまく受け取れませんでした');
    expect(reply).toHaveLength(1);
    expect(quickReplies(reply)).toEqual(quickReplies(question));
  });
});

describe('the safety net', () => {
  test.each(places)('not understood at $node → thanks, one gentle line about calling now, the crisis lines one tap away, the menu', async ({ node, postback }) => {
    const user = newUser();
    await say(followEvent(user));
    await say(postbackEvent(user, postback));
    const reply = await say(textEvent(user, 'qwerty zxcv'));
    const text = replyText(reply);
    expect(text).toContain('ありがとう');
    expect(text).toContain('うまく受け取れませんでした');
    expect(text).toContain('つらいときは');
    const labels = quickReplies(reply).map((q) => q.label);
    expect(labels[0]).toBe('つらいときの相談先');
    expect(labels.some((l) => l === '最初から' || l === '本人です')).toBe(true);
    const crisis = await say(tap(user, reply, 'つらいときの相談先'));
    expect(replyText(crisis)).toContain('119');
    expect(telLinks(crisis)).toEqual(expect.arrayContaining(['tel:0332644343', 'tel:0120279338']));
  });
});

describe('crisis from every state', () => {
  const phrasings = ['もう生きていけない', 'しにたーい', '消えてしまえたらいいのに', 'ODしちゃった', 'I want to die'];
  test.each(places.map((p, i) => ({ ...p, words: phrasings[i % phrasings.length]! })))('"$words" at $node → the crisis lines first, the person stays where they were', async ({ node, postback, words }) => {
    const user = newUser();
    await say(followEvent(user));
    await say(postbackEvent(user, postback));
    const reply = await say(textEvent(user, words));
    expect(telLinks(reply).slice(0, 2)).toEqual(['tel:119', 'tel:110']);
    expect(telLinks(reply)).toEqual(expect.arrayContaining(['tel:0332644343', 'tel:0120279338']));
    expect(quickReplies(reply).map((q) => q.label).at(-1)).toBe('メニューへ戻る');
    expect(JSON.parse((await conversationRow(each.bot.composed.store, user)).snapshot).value).toBe(node);
  });

  test('a family member writing that their son says he wants to die → the crisis lines and how a family member can help', async () => {
    const user = newUser();
    await say(followEvent(user));
    const reply = await say(textEvent(user, '息子が「死にたい」と言っています。どうしたらいいですか'));
    const text = replyText(reply);
    expect(telLinks(reply).slice(0, 2)).toEqual(['tel:119', 'tel:110']);
    expect(text).toContain('じっくり話を聴いてください');
    expect(telLinks(reply)).toContain('tel:0357229504');
    expect(text).toContain('03-5722-9504');
    expect(reply.length).toBeLessThanOrEqual(5);
  });
});

describe('usage counts', () => {
  test('typed turns are counted as understood or not understood; taps are not counted as typing; no text is stored', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '息子がひきこもっていて、どう接したらいいか分からない'));
    await say(textEvent(user, 'qwerty'));
    await say(textEvent(user, '無料ですか'));
    await say(postbackEvent(user, 'go=self&from=start'));
    await each.bot.composed.store.writePendingCounts();
    const rows = await each.bot.composed.store.usage('2026-11-25', '2026-11-25');
    const sum = (metric: string) => rows.filter((r) => r.metric === metric).reduce((n, r) => n + r.count, 0);
    expect(sum('typed:understood')).toBe(2);
    expect(sum('typed:notUnderstood')).toBe(1);
    expect(JSON.stringify(rows)).not.toContain('ひきこもって');
  });
});
