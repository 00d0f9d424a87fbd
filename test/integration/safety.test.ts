/**
 * The safety replies as LINE drives them (signed webhooks, the stand-in LINE API checking every reply
 * against its spec): the question asked back and its three answers, danger at home from every state,
 * the 24-hour line in every reply that did not understand, and the first-time questions of faq.yaml.
 * Numbers and sentences are read from the loaded content, so a staff edit of content/ keeps this green.
 */
import { botPerTest, quickReplies, replyText, tap, telLinks } from '../support/bot-harness';
import { conversationRow } from '../support/stores';
import { followEvent, postbackEvent, stickerEvent, textEvent } from '../support/line-webhook';
import { newUser, projectDefinitions } from '../support/fixtures';

const defs = projectDefinitions();
const { crisis, phrases, faq } = defs.content;
const tel = (number: string) => `tel:${number.replace(/-/g, '')}`;
const allDayLine = crisis.lines.find((l) => l.id === crisis.notUnderstoodLine)!;
const emergencyTels = crisis.emergency.map((e) => tel(e.number));
const dangerTels = crisis.dangerAtHome.emergency.map((e) => tel(e.number));

// Wednesday 2026-11-25 10:00 in Tokyo.
const each = botPerTest();
const say = each.say;

/** Every node of the flow, with a question that offers it (to reach it as a tapped button would). */
function everyPlace(): { node: string; postback: string }[] {
  const nodes = defs.flow.flow.nodes;
  return Object.keys(nodes).map((node) => {
    const from = Object.entries(nodes).find(([, q]) => q.kind === 'question' && q.options.some((o) => o.next === node))?.[0] ?? defs.flow.flow.start;
    return { node, postback: node === defs.flow.flow.start ? 'go=start' : `go=${encodeURIComponent(node)}&from=${encodeURIComponent(from)}` };
  });
}

describe('the question asked back when we are unsure (exhaustion without a clear intent)', () => {
  async function askedBack(user: string): Promise<any[]> {
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    return say(textEvent(user, 'もう限界です、疲れ果てました'));
  }

  test('asks directly, with a 24-hour line already in the message, and the three answers as quick replies', async () => {
    const user = newUser();
    const messages = await askedBack(user);
    expect(replyText(messages)).toContain(phrases.askBack.question);
    expect(telLinks(messages)).toEqual([tel(allDayLine.phone)]);
    expect(quickReplies(messages).map((q) => q.label)).toEqual([phrases.askBack.yes, phrases.askBack.notThatFar, phrases.askBack.listen]);
    // The conversation stays where it was.
    expect((await conversationRow(each.bot.composed.store, user)).snapshot).toContain('"family"');
  });

  test('はい → the crisis reply, 119/110 first', async () => {
    const user = newUser();
    const messages = await say(tap(user, await askedBack(user), phrases.askBack.yes));
    expect(telLinks(messages).slice(0, emergencyTels.length)).toEqual(emergencyTels);
    expect(replyText(messages)).toContain(phrases.crisisIntro.split('\n')[0]);
  });

  test('はい typed (うん) after the question → the crisis reply too', async () => {
    const user = newUser();
    await askedBack(user);
    const messages = await say(textEvent(user, 'うん'));
    expect(telLinks(messages).slice(0, emergencyTels.length)).toEqual(emergencyTels);
  });

  test.each([
    ['そこまでではない', () => phrases.askBack.notThatFar, () => phrases.askBack.notThatFarReply],
    ['話を聞いてほしい', () => phrases.askBack.listen, () => phrases.askBack.listenReply],
  ])('%s → a gentle sentence, the lines that listen now, and the menu of where the person is', async (_name, label, reply) => {
    const user = newUser();
    const messages = await say(tap(user, await askedBack(user), label()));
    expect(replyText(messages)).toContain(reply());
    expect(telLinks(messages).length + (JSON.stringify(messages).match(/"https:\/\/line\.me[^"]*"/g) ?? []).length).toBeGreaterThan(0);
    expect(telLinks(messages)).not.toContain('tel:119');
    // The family question's options again: the person goes on from where they were.
    const family = defs.flow.flow.nodes.family!;
    const labels = quickReplies(messages).map((q) => q.label);
    if (family.kind === 'question') for (const option of family.options) expect(labels).toContain(option.label);
  });

  test('the question is asked for one turn only: the next ordinary word is read as usual', async () => {
    const user = newUser();
    await askedBack(user);
    await say(textEvent(user, 'うん'));
    const messages = await say(textEvent(user, 'うん'));
    expect(telLinks(messages)).not.toContain('tel:119');
  });
});

describe('danger at home, checked with crisis in every state', () => {
  test('violence by a family member typed at every node → 110 first, the safety sentence, the danger lines', async () => {
    for (const { node, postback } of everyPlace()) {
      const user = newUser();
      await say(followEvent(user));
      await say(postbackEvent(user, postback));
      const messages = await say(textEvent(user, '息子に殴られて、家にいるのが怖いです'));
      expect([node, telLinks(messages)[0]]).toEqual([node, dangerTels[0]]);
      const text = replyText(messages);
      expect(text).toContain(crisis.dangerAtHome.safety);
      for (const line of crisis.dangerAtHome.lines) expect(text).toContain(line.phone);
      expect(quickReplies(messages).map((q) => q.label)).toEqual([phrases.quickReply.crisisLines, phrases.quickReply.menu]);
    }
  });

  test('a person afraid of what they might do to a parent → the danger reply', async () => {
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(textEvent(user, '母を殴ってしまいそうで、自分が怖い'));
    expect(telLinks(messages)[0]).toBe(dangerTels[0]);
    expect(replyText(messages)).toContain(crisis.dangerAtHome.safety);
  });

  test('danger and crisis in one message → the crisis reply (119/110) carrying the danger lines', async () => {
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(textEvent(user, '夫に毎日殴られて、もう死にたい'));
    expect(telLinks(messages).slice(0, emergencyTels.length)).toEqual(emergencyTels);
    expect(replyText(messages)).toContain(crisis.dangerAtHome.safety);
    expect(replyText(messages)).toContain(crisis.dangerAtHome.lines[0]!.phone);
  });

  test('at 2 a.m. the weekday line says when it opens, and the 24-hour line keeps its button', async () => {
    each.bot.setNow('2026-11-25T17:00:00Z'); // Thursday 02:00 in Tokyo
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(textEvent(user, '父が母を叩いている'));
    const weekday = crisis.dangerAtHome.lines.find((l) => l.closedOnHolidays)!;
    const allDay = crisis.dangerAtHome.lines.find((l) => (l.slots ?? []).some((s) => s.open === '00:00' && s.close === '24:00'))!;
    expect(telLinks(messages)).not.toContain(tel(weekday.phone));
    expect(telLinks(messages)).toContain(tel(allDay.phone));
    expect(replyText(messages)).toContain('次は');
  });
});

describe('every reply that did not understand shows one 24-hour line with its call button', () => {
  test.each(['qwerty', 'ほげほげ', 'えっと'])('"%s" at every node → the line, its tel: button, and つらいときの相談先 first', async (words) => {
    const places = everyPlace();
    let notUnderstood = 0;
    for (const { node, postback } of places) {
      const user = newUser();
      await say(followEvent(user));
      await say(postbackEvent(user, postback));
      const messages = await say(textEvent(user, words));
      if (!replyText(messages).includes(phrases.fallbackText.split('\n')[0]!)) continue; // read as something at this node
      notUnderstood++;
      expect([node, telLinks(messages)]).toEqual([node, [tel(allDayLine.phone)]]);
      expect(replyText(messages)).toContain(allDayLine.name);
      expect(quickReplies(messages)[0]!.label).toBe(phrases.quickReply.crisisLines);
    }
    expect(notUnderstood).toBe(places.length);
  });

  test('a sticker → the same line with its button', async () => {
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(stickerEvent(user));
    expect(telLinks(messages)).toEqual([tel(allDayLine.phone)]);
  });
});

describe('first-time questions (content/faq.yaml), each answered from its facts', () => {
  const asked: Record<string, string> = {
    cost: '相談するのにお金はかかりますか',
    'family-alone': '本人を連れて行かなくても、家族だけで相談できますか',
    anonymous: '名前を言わずに相談できますか',
    'ward-office-access': '区役所はどこにありますか',
    'ibasho-what': 'いばしょってどんなところですか',
    'family-group-day': '家族会はいつやっていますか',
    'parents-group': '保健所の親の会はいつですか',
  };

  test.each(Object.entries(asked))('%s: "%s" → its answer and the numbers of its windows', async (id, question) => {
    const entry = faq.faqs.find((f) => f.id === id)!;
    const user = newUser();
    await say(followEvent(user));
    const messages = await say(textEvent(user, question));
    const text = replyText(messages);
    expect(text).toContain(entry.answer.split('\n')[0]);
    for (const window of entry.windows) {
      const w = defs.windowsById.get(window)!;
      const number = 'unknown' in w.phone ? (defs.windowsById.get(w.phone.reachVia)!.phone as { value: string }).value : w.phone.value;
      expect(text).toContain(number);
    }
  });

  test('a question about cost is answered before the money need is offered', async () => {
    const user = newUser();
    await say(followEvent(user));
    await say(textEvent(user, '家族'));
    const messages = await say(textEvent(user, 'お金はかかりますか'));
    expect(replyText(messages)).toContain(faq.faqs.find((f) => f.id === 'cost')!.answer.split('\n')[0]);
  });
});
