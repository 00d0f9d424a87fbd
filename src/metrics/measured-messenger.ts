import { performance } from 'node:perf_hooks';
import { SendError, type Messenger } from '../usecases/ports';
import type { LineCall, OperatorMetrics } from './operator-metrics';

/** Times every call of a Messenger and counts its failures by kind (SendError's failure). */
export function measuredMessenger(messenger: Messenger, metrics: Pick<OperatorMetrics, 'lineCall'>): Messenger {
  const measure = async <T>(call: LineCall, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await run();
      metrics.lineCall(call, (performance.now() - started) / 1000, null);
      return result;
    } catch (error) {
      metrics.lineCall(call, (performance.now() - started) / 1000, error instanceof SendError ? error.failure : 'retryable');
      throw error;
    }
  };
  return {
    reply: (replyToken, reply) => measure('reply', () => messenger.reply(replyToken, reply)),
    push: (to, reply, retryKey) => measure('push', () => messenger.push(to, reply, retryKey)),
    multicast: (to, reply, retryKey) => measure('multicast', () => messenger.multicast(to, reply, retryKey)),
    quota: () => measure('quota', () => messenger.quota()),
  };
}
