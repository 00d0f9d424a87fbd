import { interpretInput, type Input, type Intent } from '../../src/domain/interpret-input';
import { normalizeText as normalize } from '../../src/domain/text/normalize';
import { projectDefinitions } from '../support/fixtures';

// The real flows/guide.yaml and content/crisis.yaml.
const defs = projectDefinitions();
const flow = defs.flow.flow;
const u = defs.understanding;

const text = (t: string): Input => ({ kind: 'text', text: t });
const postback = (data: string): Input => ({ kind: 'postback', data });
const at = (node: string, input: Input): Intent => interpretInput(u, flow, { node, audience: u.audienceOf.get(node) ?? null }, input);
const typedAt = (node: string, t: string): Intent => at(node, text(t));

const allNodes = Object.keys(flow.nodes);
const deeperNodes = ['self', 'family', 'self-talk', 'family-care', 'ibasho', 'phones'];

test('the nodes these requirements talk about exist in the real flow', () => {
  expect(flow.start).toBe('start');
  for (const node of [...deeperNodes, 'self-living', 'family-living', 'family-groups', 'family-place', 'self-place']) {
    expect(allNodes).toContain(node);
  }
});

describe('normalize: width, case and kana are folded', () => {
  test.each([
    ['ｲﾊﾞｼｮ', 'いばしよ'],
    ['イバショ', 'いばしよ'],
    ['いばしょ', 'いばしよ'],
    ['ＭＥＮＵ', 'menu'],
    ['Menu', 'menu'],
    ['ﾒﾆｭｰ', 'めにゆ'],
    ['しにたーーーい', 'しにたい'],
    ['しにたいいい', 'しにたい'],
    ['死にたい(笑)', '死にたい'],
    ['死にたいwww', '死にたい'],
    ['I  want to die', 'i want to die'],
    ["I don't", 'i dont'],
    ['ﾘｽｶ', 'りすか'],
    ['家 族', '家族'],
    ['家族　です。', '家族です'],
    ['死に たい!', '死にたい'],
  ])('%s → %s', (typed, expected) => {
    expect(normalize(typed)).toBe(expected);
  });
});

describe('typed words at the start question go where a person expects', () => {
  test.each([
    ['家族', 'family'],
    ['家族です', 'family'],
    ['母', 'family'],
    ['本人', 'self'],
    ['私', 'self'],
    ['いばしょ', 'ibasho'],
    ['電話', 'phones'],
  ])('%s → %s (as the start question’s option)', (typed, node) => {
    expect(typedAt('start', typed)).toEqual({ kind: 'go', node, from: 'start' });
  });

  test.each(['メニュー', '最初から', 'menu', 'もどる'])('%s → back to the start', (typed) => {
    expect(typedAt('start', typed)).toEqual({ kind: 'go', node: 'start' });
  });

  test('仕事 at the start does not guess between 本人 and 家族: it asks, remembering both answers', () => {
    expect(typedAt('start', '仕事')).toEqual({ kind: 'askAudience', needs: ['self-living', 'family-living'] });
  });

  test('a sentence naming a family member at the start: 息子がひきこもっています → the family answer for it', () => {
    expect(typedAt('start', '息子がひきこもっています')).toEqual({ kind: 'go', node: 'family-consult', from: 'family' });
  });

  test('a family member named with no need → the family question: 娘のことで', () => {
    expect(typedAt('start', '娘のことで')).toEqual({ kind: 'go', node: 'family', from: 'start' });
  });
});

describe('typed words in deeper nodes go where a person expects', () => {
  test.each(deeperNodes.filter((n) => n !== 'family'))('家族 at %s → the family question', (node) => {
    expect(typedAt(node, '家族')).toEqual({ kind: 'go', node: 'family' });
  });

  test.each(deeperNodes.filter((n) => n !== 'self'))('本人 at %s → the self question', (node) => {
    expect(typedAt(node, '本人')).toEqual({ kind: 'go', node: 'self' });
  });

  test.each(deeperNodes)('いばしょ at %s → the いばしょ dates', (node) => {
    expect(typedAt(node, 'いばしょ')).toMatchObject({ kind: 'go', node: 'ibasho' });
  });

  test.each(deeperNodes)('電話 at %s → the phone list', (node) => {
    expect(typedAt(node, '電話')).toMatchObject({ kind: 'go', node: 'phones' });
  });

  test.each(deeperNodes)('メニュー and 最初から at %s → the start', (node) => {
    expect(typedAt(node, 'メニュー')).toEqual({ kind: 'go', node: 'start' });
    expect(typedAt(node, '最初から')).toEqual({ kind: 'go', node: 'start' });
  });

  test('仕事 at the self question → self-living', () => {
    expect(typedAt('self', '仕事')).toEqual({ kind: 'go', node: 'self-living', from: 'self' });
  });

  test('仕事 at the family question → family-living', () => {
    expect(typedAt('family', '仕事')).toEqual({ kind: 'go', node: 'family-living', from: 'family' });
  });

  test('家族 at the family question → shows the family question again (no option is just 家族)', () => {
    expect(typedAt('family', '家族')).toEqual({ kind: 'go', node: 'family' });
  });

  test('居場所 means the person’s own place at self, and the family member’s place at family', () => {
    expect(typedAt('self', '居場所')).toEqual({ kind: 'go', node: 'self-place', from: 'self' });
    expect(typedAt('family', '居場所')).toEqual({ kind: 'go', node: 'family-place', from: 'family' });
  });

  test('ほかの相談を見る typed → back', () => {
    expect(typedAt('self-talk', 'ほかの相談を見る')).toEqual({ kind: 'back' });
  });
});

describe('width and kana variants mean the same', () => {
  test.each(['ｲﾊﾞｼｮ', 'イバショ', 'いばしょ', ' いばしょ '])('%s at start → ibasho', (typed) => {
    expect(typedAt('start', typed)).toEqual({ kind: 'go', node: 'ibasho', from: 'start' });
  });

  test.each(['ﾒﾆｭｰ', 'ＭＥＮＵ', 'めにゅー'])('%s at self-talk → start', (typed) => {
    expect(typedAt('self-talk', typed)).toEqual({ kind: 'go', node: 'start' });
  });

  test('カゾク (katakana) at self → family', () => {
    expect(typedAt('self', 'カゾク')).toEqual({ kind: 'go', node: 'family' });
  });
});

describe('a sentence containing a synonym', () => {
  test('母の介護が心配です at the family question → family-care', () => {
    expect(typedAt('family', '母の介護が心配です')).toEqual({ kind: 'go', node: 'family-care', from: 'family' });
  });

  test('仕事が見つからなくて at the self question → self-living', () => {
    expect(typedAt('self', '仕事が見つからなくて')).toEqual({ kind: 'go', node: 'self-living', from: 'self' });
  });

  test('the longest matching synonym wins: 本人の居場所がほしい at family → family-place, not self', () => {
    expect(typedAt('family', '本人の居場所がほしい')).toEqual({ kind: 'go', node: 'family-place', from: 'family' });
  });

  test('a one-character synonym inside a sentence does not count (心 in 心配)', () => {
    expect(typedAt('self', '心配')).toEqual({ kind: 'unrecognized' });
  });
});

describe('crisis words win over everything, in any node', () => {
  const crisisTexts = [
    '死にたい',
    '消えたい',
    '自殺',
    'もう死にたいです',
    '自殺を考えています',
    '家族だけど消えたい',
    'いばしょ 死にたい',
    '死 に た い',
    '死に　たい',
    'ジサツ',
    'ｼﾆﾀｲ',
    'キエタイ',
  ];
  const cases = allNodes.flatMap((node) => crisisTexts.map((t) => [node, t] as const));

  test.each(cases)('at %s, "%s" → crisis', (node, typed) => {
    expect(typedAt(node, typed)).toMatchObject({ kind: 'crisis' });
  });

  test('every word of a crisis `words` rule of the content, typed alone, is recognized at the start', () => {
    const { crisis } = defs.content;
    const words = crisis.crisis.flatMap((rule) => (rule.words === undefined ? [] : typeof rule.words === 'string' ? (crisis.classes[rule.words] ?? [rule.words]) : rule.words));
    expect(words.length).toBeGreaterThan(100);
    for (const word of words) expect([word, typedAt('start', word)]).toEqual([word, expect.objectContaining({ kind: 'crisis' })]);
  });

  test('a family member reporting someone else → crisis about someone else; the person themself → not', () => {
    expect(typedAt('start', '息子が死にたいと言っています')).toEqual({ kind: 'crisis', aboutSomeoneElse: true });
    expect(typedAt('start', '友達が消えたいって')).toEqual({ kind: 'crisis', aboutSomeoneElse: true });
    expect(typedAt('start', 'もう死にたい')).toEqual({ kind: 'crisis', aboutSomeoneElse: false });
  });
});

describe('things that are not text', () => {
  test('a sticker → nonText, at any node', () => {
    for (const node of allNodes) expect(at(node, { kind: 'nonText' })).toEqual({ kind: 'nonText' });
  });

  test('follow → start', () => {
    expect(at('self-talk', { kind: 'follow' })).toEqual({ kind: 'start' });
  });
});

describe('postbacks', () => {
  test('go=family-groups&from=family → that node, remembering the question it was offered on', () => {
    expect(at('family', postback('go=family-groups&from=family'))).toEqual({ kind: 'go', node: 'family-groups', from: 'family' });
  });

  test('the same button tapped later, from another node, still names its target and origin', () => {
    expect(at('self-talk', postback('go=family-groups&from=family'))).toEqual({ kind: 'go', node: 'family-groups', from: 'family' });
  });

  test('go without from → that node', () => {
    expect(at('self-talk', postback('go=start'))).toEqual({ kind: 'go', node: 'start' });
  });

  test('back → back', () => {
    expect(at('family-groups', postback('back'))).toEqual({ kind: 'back' });
  });

  test.each(['', 'garbage', '{"go":"self"}', 'from=family', 'go=', 'action=buy&itemid=1'])('garbage data %p → staleButton', (data) => {
    expect(at('self', postback(data))).toEqual({ kind: 'staleButton' });
  });

  test.each(['go=no-such-node', 'go=family-old&from=family', 'go=constructor', 'go=__proto__', 'go=toString'])(
    'a node that does not exist (%s) → staleButton',
    (data) => {
      expect(at('self', postback(data))).toEqual({ kind: 'staleButton' });
    },
  );

  test('つらいときの相談先 (do=crisis-lines) → the crisis reply', () => {
    expect(at('self-talk', postback('do=crisis-lines'))).toEqual({ kind: 'crisis', aboutSomeoneElse: false });
  });

  test('a postback is never read as crisis or synonym text', () => {
    expect(at('start', postback('死にたい'))).toEqual({ kind: 'staleButton' });
  });
});

describe('small talk, questions and sentences', () => {
  test.each([
    ['ありがとう', 'thanks'],
    ['ありがとうございました!', 'thanks'],
    ['こんにちは〜', 'hello'],
    ['はい', 'yes'],
    ['いいえ', 'no'],
    ['おやすみなさい', 'goodnight'],
  ])('%s → small talk %s', (typed, id) => {
    for (const node of ['start', 'family', 'self-talk']) expect(typedAt(node, typed)).toEqual({ kind: 'smallTalk', id });
  });

  test.each([
    ['相談は無料ですか?', 'cost'],
    ['名前を言わなくても大丈夫ですか', 'anonymous'],
    ['電話が苦手なんですが', 'no-phone'],
    ['夜中でも相談できるところはありますか', 'night'],
    ['何時から何時までやっていますか', 'hours'],
    ['Can I get help in English?', 'english'],
  ])('%s → the FAQ %s, from any node', (typed, id) => {
    for (const node of ['start', 'self', 'family-care']) expect(typedAt(node, typed)).toEqual({ kind: 'faq', id });
  });

  test('need and audience in one sentence, at the start → that answer directly', () => {
    expect(typedAt('start', '息子が何年も部屋から出てこなくて、どう接したらいいか分からない')).toEqual({ kind: 'go', node: 'family-consult', from: 'family' });
    expect(typedAt('start', '私は仕事が見つからなくて生活が苦しい')).toEqual({ kind: 'go', node: 'self-living', from: 'self' });
  });

  test('someone in the self branch writing about rent → self-living (the audience comes from where they are)', () => {
    expect(typedAt('self-talk', '家賃と食費が払えなくなってきた')).toEqual({ kind: 'go', node: 'self-living', from: 'self' });
  });

  test('menu words in everyday forms restart', () => {
    for (const typed of ['最初からやり直したい', 'メニューに戻りたいです', 'はじめからお願いします']) {
      expect(typedAt('family-care', typed)).toEqual({ kind: 'go', node: 'start' });
    }
  });
});

describe('unknown text', () => {
  test.each(['xyz', '', '   ', '。。。', 'qwerty'])('%p → unrecognized', (typed) => {
    for (const node of ['start', 'family', 'self-talk']) expect(typedAt(node, typed)).toEqual({ kind: 'unrecognized' });
  });
});
