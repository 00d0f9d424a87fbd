import type { PurgeCounts } from '../usecases/ports';
import type { StoreEngine } from './store-engine';

/** What the store forgets: a person who blocked the bot, and whatever outlived its retention period. */
export class RetentionStore {
  constructor(private readonly engine: StoreEngine) {}

  async deleteUser(userId: string): Promise<void> {
    await this.engine.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversations').where('user_id', '=', userId).execute();
      // Only pending events still name their user (a replied one keeps just its id): found through the pending index.
      await trx.deleteFrom('webhook_events').where('status', '=', 'pending').where('user_id', '=', userId).execute();
      await trx.deleteFrom('subscriptions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('reminder_deliveries').where('user_id', '=', userId).execute();
      await trx.deleteFrom('open_notifications').where('user_id', '=', userId).execute();
    });
    // Written behind, not waited for: the rows are gone; this also clears their old pages out of SQLite's log file.
    this.engine.checkpointNow('truncate').catch(() => undefined);
  }

  async purge(cutoffs: { conversationsIdleSince: number; eventsBefore: number; remindersBefore: number }): Promise<PurgeCounts> {
    return this.engine.db.transaction().execute(async (trx) => {
      const conversations = await trx.deleteFrom('conversations').where('updated_at', '<', cutoffs.conversationsIdleSince).executeTakeFirst();
      const events = await trx.deleteFrom('webhook_events').where('received_at', '<', cutoffs.eventsBefore).executeTakeFirst();
      const deliveries = await trx.deleteFrom('reminder_deliveries').where('created_at', '<', cutoffs.remindersBefore).executeTakeFirst();
      const batches = await trx
        .deleteFrom('reminder_batches')
        .where('created_at', '<', cutoffs.remindersBefore)
        .where('status', '!=', 'pending')
        .executeTakeFirst();
      const notices = await trx.deleteFrom('open_notifications').where('send_at', '<', cutoffs.remindersBefore).executeTakeFirst();
      return {
        conversations: Number(conversations.numDeletedRows),
        events: Number(events.numDeletedRows),
        reminderRecords: Number(deliveries.numDeletedRows) + Number(batches.numDeletedRows),
        openNotifications: Number(notices.numDeletedRows),
      };
    });
  }
}
