/** Notices above an answer: how many are shown, which, and the check that keeps a reply within LINE's limits. */
import { noStaffChanges, type StaffNotice } from '../../src/domain/staff-changes/change';
import { applyStaffChanges } from '../../src/domain/staff-changes/merge-over-content';
import { noticeLines, withoutNotices } from '../../src/domain/notice-lines';
import { answerMessages } from '../../src/domain/render-reply';
import { replyPastLineLimits } from '../../src/line/notice-fit';
import { toLineMessages } from '../../src/line/to-line-messages';
import { checkMessageLimits } from '../support/line-limits';
import { projectDefinitions } from '../support/fixtures';

const base = projectDefinitions();
const NOW = new Date('2026-12-01T03:00:00Z');
const notice = (id: string, startsOn: string, over: Partial<StaffNotice> = {}): StaffNotice => ({ id, text: `お知らせ ${id}`, startsOn, endsOn: '2026-12-31', windows: [], by: 'tanaka', at: 0, ...over });
const withNotices = (notices: StaffNotice[], defs = base) => applyStaffChanges(defs, { ...noStaffChanges, version: 1, notices });
const answer = Object.entries(base.flow.flow.nodes).find(([, n]) => n.kind === 'answer') as [string, { windows: string[]; audience: 'all' }];

test('the two newest running notices are shown, newest first, then how many more there are', () => {
  const defs = withNotices([notice('a', '2026-11-01'), notice('b', '2026-11-20'), notice('c', '2026-12-01'), notice('later', '2026-12-05')]);
  const label = base.content.phrases.noticeLabel;
  expect(noticeLines(defs, [], NOW)).toEqual([`${label}お知らせ c`, `${label}お知らせ b`, base.content.phrases.moreNotices.replace('{count}', '1')]);
  expect(noticeLines(withNotices([notice('a', '2026-11-01')]), [], NOW)).toEqual([`${label}お知らせ a`]);
});

test('26 notices of 200 UTF-16 units: every answer is within the limits of LINE', () => {
  const defs = withNotices(Array.from({ length: 26 }, (_, i) => notice(String(i), '2026-12-01', { text: '🌸'.repeat(100) })));
  for (const [node, definition] of Object.entries(defs.flow.flow.nodes)) {
    if (definition.kind !== 'answer') continue;
    expect(checkMessageLimits(toLineMessages({ messages: answerMessages(defs, node, definition.windows, definition.audience, NOW), choices: [] }))).toEqual([]);
  }
});

test('the save-time check finds the reply a notice would push past 5000 units, on the day it starts running', () => {
  const long = { ...base, content: { ...base.content, phrases: { ...base.content.phrases, answerIntro: 'あ'.repeat(4900), answerLeads: {} } } };
  expect(replyPastLineLimits(withNotices([], long), '2026-12-01', '2026-12-31')).toBeNull();
  const tooLong = replyPastLineLimits(withNotices([notice('a', '2026-12-10', { text: '🌸'.repeat(100) })], long), '2026-12-01', '2026-12-31');
  expect(tooLong).toMatchObject({ date: '2026-12-10', message: 0, max: 5000 });
  expect(tooLong!.length).toBeGreaterThan(5000);
  expect(long.flow.flow.nodes[tooLong!.node]!.kind).toBe('answer');
});

test('without its notices, a reply keeps everything else', () => {
  const [node, definition] = answer;
  const reply = { messages: answerMessages(withNotices([notice('a', '2026-12-01')]), node, definition.windows, definition.audience, NOW), choices: [] };
  const plain = withoutNotices(reply);
  expect(JSON.stringify(toLineMessages(plain))).not.toContain(base.content.phrases.noticeLabel);
  expect(plain.messages.slice(1)).toEqual(reply.messages.slice(1));
  expect(withoutNotices(plain)).toBe(plain);
});
