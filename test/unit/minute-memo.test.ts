import path from 'node:path';
import { loadDefinitions } from '../../src/files/definitions-files';
import type { Definitions } from '../../src/domain/definitions';
import { step } from '../../src/domain/conversation';
import { encodePostback } from '../../src/domain/postback';
import { perMinute } from '../../src/domain/minute-memo';

const root = path.resolve(__dirname, '../..');
const defs = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
/** The same content under new identities: a memo keyed on them must compute afresh. */
const fresh = (d: Definitions): Definitions => ({ ...d, notices: [...d.notices] });

describe('perMinute', () => {
  test('the same minute and definitions → the value computed first, frozen', () => {
    const compute = jest.fn((_d: Definitions, key: string, now: Date) => ({ key, at: now.getTime(), list: [{ n: 1 }] }));
    const memo = perMinute(compute);
    const a = memo(defs, 'x', new Date('2026-11-25T10:00:00.000+09:00'));
    const b = memo(defs, 'x', new Date('2026-11-25T10:00:59.999+09:00'));
    expect(b).toBe(a);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(a) && Object.isFrozen(a.list) && Object.isFrozen(a.list[0])).toBe(true);
    expect(memo(defs, 'y', new Date('2026-11-25T10:00:30+09:00')).key).toBe('y');
    expect(compute).toHaveBeenCalledTimes(2);
  });

  test('a new minute, or the staff changes merged in (new content, windows or notices) → computed again', () => {
    const compute = jest.fn((_d: Definitions, key: string, now: Date) => ({ key, at: now.getTime() }));
    const memo = perMinute(compute);
    const first = memo(defs, 'x', new Date('2026-11-25T10:00:59.999+09:00'));
    expect(memo(defs, 'x', new Date('2026-11-25T10:01:00.000+09:00'))).not.toBe(first);
    const merged = fresh(defs);
    const afterMerge = memo(merged, 'x', new Date('2026-11-25T10:01:00.000+09:00'));
    expect(compute).toHaveBeenCalledTimes(3);
    expect(memo({ ...merged, content: { ...merged.content } }, 'x', new Date('2026-11-25T10:01:00+09:00'))).not.toBe(afterMerge);
    expect(memo({ ...merged, windowsById: new Map(merged.windowsById) }, 'x', new Date('2026-11-25T10:01:00+09:00'))).not.toBe(afterMerge);
  });
});

describe('a node shown from the memo is the node computed at that instant', () => {
  // Every answer and question reachable by a tap, at minutes around the usual opening and closing times,
  // on a weekday, a Saturday and a public holiday (2026-11-23, 勤労感謝の日).
  const taps = Object.entries(defs.flow.flow.nodes).flatMap(([from, node]) =>
    node.kind === 'question' ? node.options.map((o) => ({ kind: 'postback' as const, data: encodePostback({ kind: 'go', node: o.next, from }) })) : [],
  );
  const minutes = ['08:29', '08:30', '08:59', '09:00', '11:59', '12:00', '12:59', '13:00', '16:59', '17:00', '17:14', '17:15', '19:59', '20:00', '21:59', '22:00', '23:59'];
  const days = ['2026-11-25', '2026-11-28', '2026-11-23'];

  test.each(days)('%s: the memo at hh:mm:59.999 equals a fresh computation then, and the next minute is not the memo of this one', (day) => {
    expect(taps.length).toBeGreaterThan(10);
    for (const minute of minutes) {
      const start = new Date(`${day}T${minute}:00.000+09:00`);
      const end = new Date(start.getTime() + 59_999);
      const next = new Date(start.getTime() + 60_000);
      for (const input of taps) {
        for (const subscribed of [false, true]) {
          // Computed first under other identities, so that the memo below keeps what it computed at `start`.
          const atEnd = step(fresh(defs), null, input, end, { subscribed }).reply;
          const atNext = step(fresh(defs), null, input, next, { subscribed }).reply;
          step(defs, null, input, start, { subscribed });
          expect(step(defs, null, input, end, { subscribed }).reply).toEqual(atEnd);
          expect(step(defs, null, input, next, { subscribed }).reply).toEqual(atNext);
        }
      }
    }
  });
});
