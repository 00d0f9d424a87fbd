import type { UsageOfTurn, UsageRow } from '../usecases/ports';
import type { StoreEngine } from './store-engine';
import { CounterTally } from './write-behind';

const CHUNK = 1000;
const WRITE_INTERVAL_MS = 1000;

/**
 * The ward's daily usage counts: a day, a node, what happened there, how often; no id, no text.
 * Counted in memory after a turn is saved, and written about once a second in one statement:
 * shared counter rows written on every turn made turns queue behind each other, and on PostgreSQL
 * two turns moving marks in opposite directions deadlocked. The figures are best effort.
 */
export class UsageStore {
  private readonly tally = new CounterTally<string>((deltas) => this.add(deltas), WRITE_INTERVAL_MS);

  constructor(private readonly engine: StoreEngine) {}

  /**
   * Counts the node reached and the outcome, and moves this conversation's "stopped here" mark from
   * its previous node and day to this one: summed over a day, the marks say where people left off.
   */
  count(usage: UsageOfTurn): void {
    const add = (day: string, node: string, metric: string, by: number) => this.tally.add(JSON.stringify([day, node, metric]), by);
    add(usage.day, usage.node, 'reached', 1);
    add(usage.day, usage.node, `outcome:${usage.outcome}`, 1);
    if (usage.typed) add(usage.day, usage.node, `typed:${usage.typed}`, 1);
    add(usage.day, usage.node, 'stopped', 1);
    if (usage.previous) add(usage.previous.day, usage.previous.node, 'stopped', -1);
  }

  /** Writes the counts gathered in memory now, rather than within the next second. */
  writePending(): Promise<void> {
    return this.tally.flush();
  }

  async usage(from: string, to: string): Promise<UsageRow[]> {
    await this.writePending();
    const rows = await this.engine.db
      .selectFrom('usage_daily')
      .select(['day', 'node', 'metric', 'count'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('node')
      .orderBy('metric')
      .execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  private async add(deltas: [string, number][]): Promise<void> {
    const rows = deltas
      .map(([key, count]) => {
        const [day, node, metric] = JSON.parse(key) as [string, string, string];
        return { day, node, metric, count };
      })
      // Sorted, so that concurrent writers lock the counter rows in the same order.
      .sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.node !== b.node ? (a.node < b.node ? -1 : 1) : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.engine.db
        .insertInto('usage_daily')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['day', 'node', 'metric']).doUpdateSet((eb) => ({ count: eb('usage_daily.count', '+', eb.ref('excluded.count')) })))
        .execute();
    }
  }
}
