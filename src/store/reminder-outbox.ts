import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Reply } from '../domain/reply';
import type { ReminderBatch } from '../usecases/ports';
import { PUSH_CHANNELS } from '../usecases/channels';
import type { Database } from './schema';
import type { StoreEngine } from './store-engine';

/** SQLite allows at most 32766 bound values a statement. */
const CHUNK = 1000;

/**
 * The いばしょ reminders' durable outbox: who is subscribed, one delivery row per (reminder, person)
 * whose primary key makes a reminder go out at most once, and multicast batches kept with their
 * retry keys and leases until LINE accepts them.
 */
export class ReminderOutbox {
  constructor(private readonly engine: StoreEngine) {}

  async subscribersWithoutDelivery(slotKey: string, subscribedBy: number): Promise<string[]> {
    const rows = await this.engine.db
      .selectFrom('subscriptions as s')
      .select('s.user_id')
      .where('s.created_at', '<=', subscribedBy)
      // Only people of a channel that pushes; a multicast with an id LINE does not know fails for the whole batch.
      .where('s.channel', 'in', PUSH_CHANNELS)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('reminder_deliveries as d')
              .select('d.user_id')
              .whereRef('d.user_id', '=', 's.user_id')
              .where('d.slot_key', '=', slotKey),
          ),
        ),
      )
      .orderBy('s.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Inserts delivery rows in chunks (SQLite allows at most 32766 bound values a statement). */
  private async insertDeliveries(
    trx: Transaction<Database>,
    rows: Database['reminder_deliveries'][],
  ): Promise<string[]> {
    const inserted: string[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const result = await trx
        .insertInto('reminder_deliveries')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['slot_key', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      inserted.push(...result.map((r) => r.user_id));
    }
    return inserted;
  }

  async claimDeliveries(args: {
    slotKey: string;
    userIds: string[];
    message: Reply;
    eventStart: number;
    batchSize: number;
    now: number;
  }): Promise<ReminderBatch[]> {
    return this.engine.db.transaction().execute(async (trx) => {
      const claimed = await this.insertDeliveries(
        trx,
        args.userIds.map((user_id) => ({ slot_key: args.slotKey, user_id, batch_id: null, status: 'claimed' as const, created_at: args.now })),
      );
      claimed.sort();
      const batches: ReminderBatch[] = [];
      const message = JSON.stringify(args.message);
      for (let i = 0; i < claimed.length; i += args.batchSize) {
        const recipients = claimed.slice(i, i + args.batchSize);
        const batch: ReminderBatch = {
          batchId: randomUUID(),
          slotKey: args.slotKey,
          retryKey: randomUUID(),
          recipients,
          message: args.message,
          eventStart: args.eventStart,
          attempts: 0,
        };
        await trx
          .insertInto('reminder_batches')
          .values({
            batch_id: batch.batchId,
            slot_key: batch.slotKey,
            retry_key: batch.retryKey,
            message,
            event_start: batch.eventStart,
            status: 'pending',
            attempts: 0,
            lease_until: 0,
            created_at: args.now,
          })
          .execute();
        for (let j = 0; j < recipients.length; j += CHUNK) {
          await trx
            .updateTable('reminder_deliveries')
            .set({ batch_id: batch.batchId })
            .where('slot_key', '=', batch.slotKey)
            .where('user_id', 'in', recipients.slice(j, j + CHUNK))
            .execute();
        }
        batches.push(batch);
      }
      return batches;
    });
  }

  async recordMissed(slotKey: string, userIds: string[], now: number): Promise<number> {
    if (userIds.length === 0) return 0;
    return this.engine.db.transaction().execute(async (trx) => {
      const inserted = await this.insertDeliveries(
        trx,
        userIds.map((user_id) => ({ slot_key: slotKey, user_id, batch_id: null, status: 'missed' as const, created_at: now })),
      );
      return inserted.length;
    });
  }

  async pendingBatches(now: number): Promise<ReminderBatch[]> {
    const rows = await this.engine.db
      .selectFrom('reminder_batches')
      .selectAll()
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now)
      .orderBy('created_at')
      .orderBy('batch_id')
      .execute();
    const batches: ReminderBatch[] = [];
    for (const row of rows) {
      const recipients = await this.engine.db
        .selectFrom('reminder_deliveries')
        .select('user_id')
        .where('batch_id', '=', row.batch_id)
        .orderBy('user_id')
        .execute();
      batches.push({
        batchId: row.batch_id,
        slotKey: row.slot_key,
        retryKey: row.retry_key,
        recipients: recipients.map((r) => r.user_id),
        message: JSON.parse(row.message),
        eventStart: Number(row.event_start),
        attempts: Number(row.attempts),
      });
    }
    return batches;
  }

  async leaseBatch(batchId: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.engine.db
      .updateTable('reminder_batches')
      .set({ lease_until: now + leaseMs })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async renewBatchLease(batchId: string, leaseUntil: number): Promise<void> {
    await this.engine.db.updateTable('reminder_batches').set({ lease_until: leaseUntil }).where('batch_id', '=', batchId).where('status', '=', 'pending').execute();
  }

  async heldBatches(now: number): Promise<{ batchId: string; slotKey: string; recipients: number; leaseUntil: number }[]> {
    const rows = await this.engine.db
      .selectFrom('reminder_batches as b')
      .select((eb) => [
        'b.batch_id',
        'b.slot_key',
        'b.lease_until',
        eb.selectFrom('reminder_deliveries as d').select((e) => e.fn.countAll().as('n')).whereRef('d.batch_id', '=', 'b.batch_id').as('recipients'),
      ])
      .where('b.status', '=', 'pending')
      .where('b.lease_until', '>', now)
      .orderBy('b.lease_until')
      .execute();
    return rows.map((r) => ({ batchId: r.batch_id, slotKey: r.slot_key, recipients: Number(r.recipients), leaseUntil: Number(r.lease_until) }));
  }

  async finishBatch(batchId: string, status: 'sent' | 'failed' | 'missed', attempts: number): Promise<void> {
    await this.engine.db.transaction().execute(async (trx) => {
      await trx.updateTable('reminder_batches').set({ status, attempts, lease_until: 0 }).where('batch_id', '=', batchId).execute();
      await trx.updateTable('reminder_deliveries').set({ status }).where('batch_id', '=', batchId).execute();
    });
  }

  async deferBatch(batchId: string, attempts: number): Promise<void> {
    await this.engine.db.updateTable('reminder_batches').set({ attempts, lease_until: 0 }).where('batch_id', '=', batchId).execute();
  }
}
