import type { DatabaseStore } from '../store/open-store';
import { ConflictError } from '../usecases/ports';
import type { OperatorMetrics } from './operator-metrics';

/**
 * The same store, with every failed call counted by operation (the method's name). A conflict of
 * optimistic concurrency is how the store says "try again", not a failure, and is not counted.
 */
export function measuredStore(store: DatabaseStore, metrics: Pick<OperatorMetrics, 'storeError'>): DatabaseStore {
  const measured: Record<string, unknown> = {};
  for (const [operation, member] of Object.entries(store)) {
    if (typeof member !== 'function') {
      measured[operation] = member;
      continue;
    }
    const count = (error: unknown): never => {
      if (!(error instanceof ConflictError)) metrics.storeError(operation);
      throw error;
    };
    measured[operation] = (...args: unknown[]) => {
      try {
        return (member as (...a: unknown[]) => Promise<unknown>).apply(store, args).catch(count);
      } catch (error) {
        return count(error);
      }
    };
  }
  return measured as unknown as DatabaseStore;
}
