import { addDays } from '../../src/domain/calendar';
import type { Flow } from '../../src/domain/flow/schema';
import { csvField, toCsv } from '../../src/stats/csv';
import { displayWidth, textTable } from '../../src/stats/text-table';
import {
  dailyFigures,
  isDay,
  nodeCatalogue,
  readRange,
  shownCount,
  summarize,
  type NodeCatalogue,
} from '../../src/stats/usage-figures';
import { CSV_HEADER, usageCsv, usageTable } from '../../src/stats/usage-report';
import type { UsageRow } from '../../src/usecases/ports';
import { projectDefinitions } from '../support/fixtures';

const definitions = projectDefinitions();

const row = (day: string, node: string, metric: string, count: number): UsageRow => ({ day, node, metric, count });

/** Parses the CSV this module writes (BOM, CRLF, quoted fields) back into cells. */
function parseCsv(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const rows: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  const body = text.slice(1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') fields.push(field), (field = '');
    else if (c === '\r' && body[i + 1] === '\n') {
      fields.push(field);
      rows.push(fields);
      (fields = []), (field = ''), i++;
    } else field += c;
  }
  expect(field).toBe('');
  return rows;
}

describe('the <5 rule', () => {
  test.each([
    [0, '0'],
    [1, '<5'],
    [2, '<5'],
    [4, '<5'],
    [5, '5'],
    [6, '6'],
    [1234, '1234'],
  ])('count %i is shown as %s', (count, shown) => {
    expect(shownCount(count)).toBe(shown);
  });

  test.each([
    [-1, '0'],
    [-7, '0'],
  ])('a negative count (%i) is clamped to 0 first, never shown as <5', (count, shown) => {
    expect(shownCount(count)).toBe(shown);
  });
});

describe('node labels from the flow', () => {
  const { labels, order } = nodeCatalogue(definitions.flow.flow);

  test('the start is named by its question, the others by the buttons that lead there', () => {
    expect(labels.get('start')).toBe('ご本人ですか、ご家族ですか?');
    expect(labels.get('family')).toBe('家族です');
    expect(labels.get('family-groups')).toBe('家族です › 家族会・親の会');
    expect(labels.get('self-living')).toBe('本人です › 仕事・お金・くらし');
    expect(labels.get('family-living')).toBe('家族です › 仕事・お金・くらし');
    expect(labels.get('phones')).toBe('電話番号の一覧');
  });

  test('every node of the flow is listed once, along the buttons from the start', () => {
    expect([...order].sort()).toEqual(Object.keys(definitions.flow.flow.nodes).sort());
    expect(order.slice(0, 3)).toEqual(['start', 'self', 'self-talk']);
    expect(order.indexOf('family')).toBeLessThan(order.indexOf('family-groups'));
  });

  test('a node only a typed command leads to is named by that command; an orphan question by its prompt', () => {
    const flow = {
      id: 'f',
      version: 1,
      start: 'a',
      commands: [{ id: 'c', label: '電話', synonyms: [], next: 'list' }],
      nodes: {
        a: { kind: 'question', prompt: '最初の質問', options: [{ label: 'はい', synonyms: [], next: 'b' }] },
        b: { kind: 'answer', audience: 'all', windows: ['w'] },
        list: { kind: 'directory' },
        lonely: { kind: 'question', prompt: 'ひとりの質問', options: [{ label: 'はい', synonyms: [], next: 'b' }] },
      },
    } as Flow;
    const catalogue = nodeCatalogue(flow);
    expect(catalogue.order).toEqual(['a', 'b', 'list', 'lonely']);
    expect(Object.fromEntries(catalogue.labels)).toEqual({ a: '最初の質問', b: 'はい', list: '電話', lonely: 'ひとりの質問' });
  });
});

describe('totals over the range', () => {
  const catalogue: NodeCatalogue = { order: ['start', 'a', 'b'], labels: new Map([['start', 'S'], ['a', 'A'], ['b', 'B']]) };
  const rows = [
    row('2026-11-01', 'a', 'reached', 3),
    row('2026-11-02', 'a', 'reached', 4),
    row('2026-11-01', 'a', 'stopped', 2),
    // The mark of someone who went on the next day moved away from day 1 (−1) …
    row('2026-11-01', 'b', 'stopped', -1),
    // … to day 2.
    row('2026-11-02', 'b', 'stopped', 3),
    row('2026-11-02', 'b', 'outcome:crisis', 1),
    row('2026-11-02', 'b', 'outcome:unrecognized', 2),
    row('2026-11-02', 'b', 'outcome:nonText', 5),
    row('2026-11-02', 'b', 'outcome:answer', 9),
    row('2026-11-02', 'old-node', 'reached', 8),
  ];

  test('each node sums its days; a total of a moved mark cancels out before clamping', () => {
    const summary = summarize(rows, catalogue);
    const byNode = Object.fromEntries(summary.nodes.map((n) => [n.node, n.counts]));
    expect(byNode.a).toEqual({ reached: 7, stopped: 2, crisis: 0, understood: 0, unrecognized: 0, nonText: 0 });
    expect(byNode.b).toEqual({ reached: 0, stopped: 2, crisis: 1, understood: 0, unrecognized: 2, nonText: 5 });
  });

  test('every node of the flow is listed (zeros too), then nodes the flow no longer has, unlabelled', () => {
    const summary = summarize(rows, catalogue);
    expect(summary.nodes.map((n) => [n.node, n.label])).toEqual([
      ['start', 'S'],
      ['a', 'A'],
      ['b', 'B'],
      ['old-node', ''],
    ]);
    expect(summary.nodes[0]!.counts.reached).toBe(0);
  });

  test('a node whose stopped marks all moved on totals 0, and the total row adds up the rows as shown', () => {
    const summary = summarize([row('2026-11-01', 'a', 'stopped', -2), row('2026-11-01', 'b', 'stopped', 6)], catalogue);
    expect(summary.nodes.find((n) => n.node === 'a')!.counts.stopped).toBe(0);
    expect(summary.total.stopped).toBe(6);
  });

  test('the total row sums every node', () => {
    expect(summarize(rows, catalogue).total).toEqual({ reached: 15, stopped: 4, crisis: 1, understood: 0, unrecognized: 2, nonText: 5 });
  });

  test('daily figures: one entry per day and node with a count, by day then flow order', () => {
    const days = dailyFigures(rows, catalogue);
    expect(days.map((d) => `${d.day} ${d.node}`)).toEqual(['2026-11-01 a', '2026-11-01 b', '2026-11-02 a', '2026-11-02 b', '2026-11-02 old-node']);
    expect(days[1]!.counts.stopped).toBe(-1);
  });

  test('the printed table: suppressed, clamped, with labels next to node ids and a 合計 row', () => {
    const table = usageTable({ from: '2026-11-01', to: '2026-11-02' }, summarize(rows, catalogue));
    const line = (node: string) => table.split('\n').find((l) => l.startsWith(`${node} `))!.trim().split(/\s{2,}/);
    expect(line('a')).toEqual(['a', 'A', '7', '<5', '0', '0', '0', '0']);
    expect(line('b')).toEqual(['b', 'B', '0', '<5', '<5', '0', '<5', '5']);
    expect(line('old-node')).toEqual(['old-node', '(今の流れにない場所)', '8', '0', '0', '0', '0', '0']);
    expect(line('合計')).toEqual(['合計', '15', '<5', '<5', '0', '<5', '5']);
    expect(table).toContain('2026-11-01 〜 2026-11-02');
  });

  test('the CSV: a header, then one row per day and node, each count under the <5 rule, negatives as 0', () => {
    const cells = parseCsv(usageCsv(dailyFigures(rows, catalogue)));
    expect(cells[0]).toEqual(CSV_HEADER);
    expect(CSV_HEADER).toEqual(['day', 'node', 'label', 'reached', 'stopped', 'crisis', 'understood_from_text', 'unrecognized', 'non_text']);
    expect(cells.slice(1)).toEqual([
      ['2026-11-01', 'a', 'A', '<5', '<5', '0', '0', '0', '0'],
      ['2026-11-01', 'b', 'B', '0', '0', '0', '0', '0', '0'],
      ['2026-11-02', 'a', 'A', '<5', '0', '0', '0', '0', '0'],
      ['2026-11-02', 'b', 'B', '0', '<5', '<5', '0', '<5', '5'],
      ['2026-11-02', 'old-node', '', '8', '0', '0', '0', '0', '0'],
    ]);
  });
});

describe('CSV escaping', () => {
  test.each([
    ['plain', 'plain'],
    ['家族です › 家族会・親の会', '家族です › 家族会・親の会'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['<5', '<5'],
  ])('%j is written as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  test.each([
    ['=1+1', "'=1+1"],
    ['+81', "'+81"],
    ['-x', "'-x"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
  ])('text that Excel would run as a formula (%j) is neutralised: %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  test('numbers are written as they are; rows end in CRLF after a UTF-8 BOM, and round-trip', () => {
    expect(csvField(-3)).toBe('-3');
    const text = toCsv(['a', 'b'], [['x,y', 'line\r\nbreak'], ['"', '']]);
    expect(text).toBe('\uFEFFa,b\r\n"x,y","line\r\nbreak"\r\n"""",\r\n');
    expect(parseCsv(text)).toEqual([['a', 'b'], ['x,y', 'line\r\nbreak'], ['"', '']]);
  });
});

describe('the date range', () => {
  const today = '2026-11-25';

  test.each(['2026-11-01', '2024-02-29', '2026-12-31'])('%s is a date', (day) => expect(isDay(day)).toBe(true));
  test.each(['2026-02-29', '2026-13-01', '2026-11-31', '2026-1-01', '20261101', '2026-11-01T00:00', ' 2026-11-01', ''])(
    '%j is not a date',
    (day) => expect(isDay(day)).toBe(false),
  );

  test('nothing given: the last 30 days up to today, both included', () => {
    expect(readRange({}, today, addDays)).toEqual({ range: { from: '2026-10-27', to: '2026-11-25' } });
    expect(readRange({ from: '', to: '' }, today, addDays)).toEqual({ range: { from: '2026-10-27', to: '2026-11-25' } });
  });

  test('only the end given: the 30 days up to it', () => {
    expect(readRange({ to: '2026-03-01' }, today, addDays)).toEqual({ range: { from: '2026-01-31', to: '2026-03-01' } });
  });

  test('a single day is a range', () => {
    expect(readRange({ from: '2026-11-01', to: '2026-11-01' }, today, addDays)).toEqual({ range: { from: '2026-11-01', to: '2026-11-01' } });
  });

  test('which end is wrong is said', () => {
    expect(readRange({ from: '2026-11-31', to: '2026-11-30' }, today, addDays)).toEqual({ problem: 'from' });
    expect(readRange({ from: '2026-11-01', to: 'tomorrow' }, today, addDays)).toEqual({ problem: 'to' });
    expect(readRange({ from: '2026-11-02', to: '2026-11-01' }, today, addDays)).toEqual({ problem: 'order' });
  });
});

describe('the printed table lines up Japanese text', () => {
  test('wide characters take two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('家族です')).toBe(8);
    expect(displayWidth('ご家族ですか?')).toBe(13);
    expect(displayWidth('ご家族ですか\uFF1F')).toBe(14);
    expect(displayWidth('家族です › 家族会・親の会')).toBe(25);
  });

  test('columns are padded to their widest cell; numbers align right', () => {
    const table = textTable(['ノード', 'n'], [['家族', '6'], ['ab', '<5']], ['left', 'right']);
    expect(table.split('\n')).toEqual(['ノード   n', '------  --', '家族     6', 'ab      <5']);
  });
});
