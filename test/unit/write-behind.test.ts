import { CounterTally, groupCommitEach, WriteBehindBatch } from '../../src/store/write-behind';

describe('WriteBehindBatch', () => {
  test('items added close together share one write, taken after the delay', async () => {
    const writes: number[][] = [];
    const batch = new WriteBehindBatch<number>(async (items) => {
      writes.push([...items]);
    }, 20);
    const first = [batch.add(1), batch.add(2), batch.add(3)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes).toEqual([]);
    await Promise.all(first);
    await batch.add(4);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });

  test('flush writes what waits at once, and resolves once it is stored', async () => {
    const writes: number[][] = [];
    let finished = false;
    const batch = new WriteBehindBatch<number>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      writes.push([...items]);
      finished = true;
    }, 60_000);
    const added = batch.add(1);
    await batch.flush();
    expect(finished).toBe(true);
    await added;
    expect(writes).toEqual([[1]]);
    await batch.flush();
    expect(writes).toEqual([[1]]);
  });

  test('a failed write fails every item in it, and the next batch is written anew', async () => {
    let fail = true;
    const written: number[] = [];
    const batch = new WriteBehindBatch<number>(async (items) => {
      if (fail) throw new Error('database down');
      written.push(...items);
    }, 1);
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await batch.add(3);
    expect(written).toEqual([3]);
  });
});

describe('CounterTally', () => {
  test('adds up in memory and writes the sums once per flush, zeros left out', async () => {
    const writes: [string, number][][] = [];
    const tally = new CounterTally<string>(async (deltas) => {
      writes.push(deltas);
    }, 60_000);
    tally.add('a', 1);
    tally.add('a', 2);
    tally.add('b', 1);
    tally.add('b', -1);
    await tally.flush();
    await tally.flush();
    expect(writes).toEqual([[['a', 3]]]);
  });

  test('writes by itself after the interval', async () => {
    const writes: [string, number][][] = [];
    const tally = new CounterTally<string>(async (deltas) => {
      writes.push(deltas);
    }, 20);
    tally.add('a', 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toEqual([[['a', 1]]]);
  });

  test('a failed write keeps its counts for the next one, added to the new ones', async () => {
    let fail = true;
    const writes: [string, number][][] = [];
    const tally = new CounterTally<string>(async (deltas) => {
      if (fail) throw new Error('database down');
      writes.push(deltas);
    }, 60_000);
    tally.add('a', 2);
    await expect(tally.flush()).rejects.toThrow('database down');
    tally.add('a', 1);
    fail = false;
    await tally.flush();
    expect(writes).toEqual([[['a', 3]]]);
  });
});

describe('groupCommitEach', () => {
  test('each caller gets its own outcome from the shared write', async () => {
    const write = groupCommitEach<number>(async (items) =>
      items.map((n): PromiseSettledResult<unknown> => (n % 2 === 0 ? { status: 'fulfilled', value: undefined } : { status: 'rejected', reason: new Error(`odd ${n}`) })),
    );
    const results = await Promise.allSettled([write(1), write(2), write(3)]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['odd 1', 'ok', 'odd 3']);
  });
});
