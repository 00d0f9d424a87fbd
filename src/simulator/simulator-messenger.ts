import type { messagingApi } from '@line/bot-sdk';
import type { Reply } from '../domain/reply';
import { toLineMessages } from '../line/to-line-messages';
import type { Messenger } from '../usecases/ports';

/**
 * The Messenger of the simulator: instead of calling LINE it keeps the exact LINE messages
 * (`toLineMessages`, as LineMessenger sends them) until the request that caused them collects them.
 * Kept in memory for the length of one request only.
 */
export class SimulatorMessenger implements Messenger {
  private readonly outbox = new Map<string, messagingApi.Message[]>();

  reply(replyToken: string, reply: Reply): Promise<void> {
    this.add(`reply:${replyToken}`, reply);
    return Promise.resolve();
  }

  push(to: string, reply: Reply, _retryKey: string): Promise<void> {
    this.add(`push:${to}`, reply);
    return Promise.resolve();
  }

  multicast(to: string[], reply: Reply, _retryKey: string): Promise<void> {
    for (const userId of to) this.add(`push:${userId}`, reply);
    return Promise.resolve();
  }

  /** Nothing is sent through LINE, so no quota is used. */
  quota(): Promise<{ limit: number | null; used: number }> {
    return Promise.resolve({ limit: null, used: 0 });
  }

  /** The messages sent with this reply token (or pushed to this user meanwhile), removed from the outbox. */
  collect(replyToken: string, userId: string): messagingApi.Message[] {
    const keys = [`reply:${replyToken}`, `push:${userId}`];
    const messages = keys.flatMap((key) => this.outbox.get(key) ?? []);
    for (const key of keys) this.outbox.delete(key);
    return messages;
  }

  private add(key: string, reply: Reply): void {
    this.outbox.set(key, [...(this.outbox.get(key) ?? []), ...toLineMessages(reply)]);
  }
}
