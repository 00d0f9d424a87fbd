/**
 * Group commit: calls made while one write is being prepared share it, and each item can fail alone:
 * `write` answers one outcome per item (a missing outcome counts as success). If `write` itself
 * throws, every caller of the batch gets the error. Each caller waits for the write that carries its
 * item, so nothing is acknowledged before it is stored. The batch is taken at setImmediate, after the
 * I/O callbacks of the current loop turn: under load many turns arrive in one loop turn, and alone a
 * call waits only for that turn.
 */
export function groupCommitEach<T>(write: (items: T[]) => Promise<PromiseSettledResult<unknown>[]>): (item: T) => Promise<void> {
  type Waiter = { resolve: () => void; reject: (error: unknown) => void };
  let batch: { items: T[]; waiters: Waiter[] } | null = null;
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (!batch) {
        const current: { items: T[]; waiters: Waiter[] } = { items: [], waiters: [] };
        batch = current;
        setImmediate(() => {
          batch = null;
          write(current.items).then(
            (outcomes) =>
              current.waiters.forEach((waiter, i) => {
                const outcome = outcomes[i];
                if (outcome?.status === 'rejected') waiter.reject(outcome.reason);
                else waiter.resolve();
              }),
            (error: unknown) => current.waiters.forEach((waiter) => waiter.reject(error)),
          );
        });
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
    });
}

/**
 * Counters kept in memory and added to the database in one statement at most once per interval.
 * Best effort: counts not yet written are lost if the process dies; a failed write keeps them for
 * the next one.
 */
export class CounterTally<K extends string> {
  private pending = new Map<K, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (deltas: [K, number][]) => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  add(key: K, by: number): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + by);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending; resolves once every count added before the call is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const taken = this.pending;
    this.pending = new Map();
    const deltas = [...taken.entries()].filter(([, by]) => by !== 0);
    // One write at a time, in order, so that a retry never overtakes a later write.
    const written = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (deltas.length === 0) return;
        try {
          await this.write(deltas);
        } catch (error) {
          for (const [key, by] of deltas) this.add(key, by);
          throw error;
        }
      });
    this.writing = written;
    return written;
  }
}

/**
 * Items written behind, in batches: `add` resolves once its item is stored (or rejects with the
 * write's error). A batch goes when `flush` is called (e.g. by a write it can join) or `delayMs`
 * after its first item, whichever comes first.
 */
export class WriteBehindBatch<T> {
  private items: T[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly delayMs: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
    });
  }

  /** Writes what waits now; resolves once it is stored (at once when nothing waits). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.items.length === 0) return Promise.resolve();
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    const written = this.write(items);
    written.then(
      () => waiters.forEach((waiter) => waiter.resolve()),
      (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
    );
    return written;
  }
}
