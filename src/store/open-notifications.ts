import type { StoreEngine } from './store-engine';
import { PUSH_CHANNELS } from '../usecases/channels';

const CHUNK = 1000;

/** "Tell me when it opens": one row per (person, window, opening time), written by the turn that asks. */
export class OpenNotifications {
  constructor(private readonly engine: StoreEngine) {}

  async due(now: number): Promise<{ window: string; sendAt: number; userIds: string[] }[]> {
    const rows = await this.engine.db
      .selectFrom('open_notifications')
      .select(['window_id', 'send_at', 'user_id'])
      .where('send_at', '<=', now)
      .where('channel', 'in', PUSH_CHANNELS)
      .orderBy('window_id')
      .orderBy('send_at')
      .orderBy('user_id')
      .execute();
    const groups = new Map<string, { window: string; sendAt: number; userIds: string[] }>();
    for (const row of rows) {
      const key = `${row.window_id}:${row.send_at}`;
      const group = groups.get(key) ?? { window: row.window_id, sendAt: Number(row.send_at), userIds: [] };
      group.userIds.push(row.user_id);
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  async clear(window: string, sendAt: number, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += CHUNK) {
      await this.engine.db
        .deleteFrom('open_notifications')
        .where('window_id', '=', window)
        .where('send_at', '=', sendAt)
        .where('user_id', 'in', userIds.slice(i, i + CHUNK))
        .execute();
    }
  }
}
