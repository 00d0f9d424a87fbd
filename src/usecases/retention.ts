import type { Logger, Store } from './ports';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionPolicy {
  /** Conversation state idle for longer than this is deleted (default 30 days). */
  conversationIdleDays: number;
}

/**
 * Keeps only what the features need: idle conversations go after the configured period, webhook
 * event ids after two days (events older than one day are refused, so a replayed body is always
 * recognised; LINE redelivers within minutes to hours), reminder delivery records after
 * 30 days (their events are long over), and an open notification never sent 30 days after it was due
 * (the simulator's in-memory store never sends its own). Subscriptions stay until the person revokes them.
 */
export async function purgeExpired(store: Store, policy: RetentionPolicy, now: Date, logger: Logger) {
  const at = now.getTime();
  const counts = await store.purge({
    conversationsIdleSince: at - policy.conversationIdleDays * DAY_MS,
    eventsBefore: at - 2 * DAY_MS,
    remindersBefore: at - 30 * DAY_MS,
  });
  logger.info({ ...counts }, 'retention purge');
  return counts;
}
