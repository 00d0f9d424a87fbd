/**
 * Group commit: calls made while one write is being prepared share it. Each caller still waits for
 * the write that carries its item and sees its error, so nothing is acknowledged before it is stored.
 * The batch is taken at setImmediate, after the I/O callbacks of the current loop turn: under load
 * many replies finish in one turn, and alone a call waits only for that turn.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  return groupCommitEach<T>(async (items) => {
    await write(items);
    return [];
  });
}

/**
 * Group commit where each item can fail alone: `write` answers one outcome per item (a missing
 * outcome counts as success). If `write` itself throws, every caller of the batch gets the error.
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
