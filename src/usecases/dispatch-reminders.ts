import type { Definitions } from '../domain/definitions';
import { dueReminders, planReminders, withinQuota, type Audiences, type DueReminders, type Quota } from '../domain/reminder-plan';
import { slotKey } from '../domain/reminder-schedule';
import type { StaffIbashoDate } from '../domain/staff-changes/change';
import { SendError, type Logger, type Messenger, type ReminderBatch, type ReminderStore } from './ports';

export interface DispatchSummary {
  /** Reminder slots (event × reminder time) due at this instant. */
  due: number;
  /** Multicast calls LINE accepted (a 409 for an already accepted retry key counts). */
  sent: number;
  /** People those calls reached. */
  recipients: number;
  /** People not sent to because the month's quota would be exceeded. */
  skipped: number;
  /** People whose reminder could not be sent before the event started. */
  missed: number;
  /** People in batches that another run holds now (it is sending them, or died and its lease runs out). */
  held: number;
  /** People in batches that LINE refused, or that still fail after retries (retried next pass). */
  failed: number;
}

export interface DispatchPlan {
  slot: string;
  recipients: number;
}

export interface DispatchDeps {
  definitions: Definitions;
  store: ReminderStore;
  messenger: Messenger;
  logger: Logger;
  /** The staff's published dates, for the one "next date decided" push; absent, none is sent. */
  staffDates?: () => readonly StaffIbashoDate[];
  /** Waits between retries; tests pass a short one. */
  sleep?: (ms: number) => Promise<void>;
  retry?: { attempts: number; baseDelayMs: number };
}

export interface DispatchResult {
  summary: DispatchSummary;
  plan: DispatchPlan[];
  quota: Quota | null;
  /** Batches another run holds: what this pass could not send, and from when it can be retried. */
  held: { slotKey: string; recipients: number; until: Date }[];
}

/** One multicast call's 20-second timeout and a margin; renewed before each retry. */
const BATCH_LEASE_MS = 25_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Who is waiting for each message the planner may send. The store hands out people of channels that
 * push only (channels.ts): a multicast with an id LINE does not know would fail for its whole batch.
 */
async function audiencesOf(store: ReminderStore, due: DueReminders, at: number): Promise<Audiences> {
  const ofSlot = new Map<string, string[]>();
  for (const slot of [...due.missed, ...due.due]) {
    ofSlot.set(slotKey(slot), await store.subscribersWithoutDelivery(slotKey(slot), slot.sendAt));
  }
  const announced = due.announcement ? await store.subscribersWithoutDelivery(due.announcement.slotKey, due.announcement.subscribedBy) : [];
  const opening = (await store.openNotificationsDue(at)).map((g) => ({ window: g.window, sendAt: g.sendAt, waiting: g.userIds }));
  return { ofSlot, announced, opening };
}

/**
 * One pass of the reminder outbox at `now`: ask the store who is due, let the planner (domain/reminder-plan)
 * decide who gets what within the quota, claim it (a delivery row per person and message, unique in the
 * store, grouped into multicasts with a retry key each), and send every pending batch nobody else holds.
 * Safe to run often, late, after a crash, and from several processes at once: each person gets each
 * message at most once.
 */
export async function dispatchReminders(
  deps: DispatchDeps,
  now: Date,
  options: { dryRun?: boolean } = {},
): Promise<DispatchResult> {
  const { definitions, store, messenger, logger } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const retry = deps.retry ?? { attempts: 4, baseDelayMs: 500 };
  const at = now.getTime();

  const due = dueReminders(definitions, now, deps.staffDates ? deps.staffDates() : null);
  const planned = planReminders(definitions, now, due, await audiencesOf(store, due, at));

  const summary: DispatchSummary = { due: planned.due, sent: 0, recipients: 0, skipped: 0, missed: 0, failed: 0, held: 0 };
  for (const { slotKey: key, people } of planned.missed) {
    if (people.length === 0) continue;
    summary.missed += options.dryRun ? people.length : await store.recordMissed(key, people, at);
  }
  for (const group of planned.dropped) {
    summary.missed += group.waiting.length;
    if (!options.dryRun) await store.clearOpenNotifications(group.window, group.sendAt, group.waiting);
  }

  const plan: DispatchPlan[] = [];
  let quota: Quota | null = null;
  if (planned.deliveries.length > 0) {
    quota = await messenger.quota();
    const allowed = withinQuota(planned.deliveries, quota);
    for (const delivery of allowed.skipped) {
      summary.skipped += delivery.people.length;
      logger.error({ slot: delivery.slotKey, recipients: delivery.people.length, quota }, `QUOTA: this ${delivery.kind} would exceed the monthly LINE message quota; none of it was sent`);
    }
    for (const delivery of allowed.send) {
      plan.push({ slot: delivery.slotKey, recipients: delivery.people.length });
      if (options.dryRun) continue;
      await store.claimDeliveries({ slotKey: delivery.slotKey, userIds: delivery.people, message: delivery.message, eventStart: delivery.deadline, batchSize: delivery.batchSize, now: at });
      if (delivery.forget) await store.clearOpenNotifications(delivery.forget.window, delivery.forget.sendAt, delivery.forget.waiting);
    }
  }
  if (options.dryRun) return { summary, plan, quota, held: [] };

  for (const batch of await store.pendingBatches(at)) {
    if (!(await store.leaseBatch(batch.batchId, at, BATCH_LEASE_MS))) continue;
    if (batch.eventStart <= at) {
      await store.finishBatch(batch.batchId, 'missed', batch.attempts);
      summary.missed += batch.recipients.length;
      continue;
    }
    const outcome = await sendBatch(batch);
    if (outcome === 'sent') {
      summary.sent += 1;
      summary.recipients += batch.recipients.length;
    } else {
      summary.failed += batch.recipients.length;
    }
  }
  const held = (await store.heldBatches(at)).map((b) => ({ slotKey: b.slotKey, recipients: b.recipients, until: new Date(b.leaseUntil) }));
  summary.held = held.reduce((sum, b) => sum + b.recipients, 0);
  for (const batch of held) logger.warn({ slot: batch.slotKey, recipients: batch.recipients, until: batch.until.toISOString() }, 'reminder batch held by another run');
  logger.info({ ...summary }, 'reminder pass');
  return { summary, plan, quota, held };

  async function sendBatch(batch: ReminderBatch): Promise<'sent' | 'failed'> {
    let attempts = batch.attempts;
    const started = Date.now();
    for (let i = 0; i < retry.attempts; i++) {
      attempts++;
      if (i > 0) await store.renewBatchLease(batch.batchId, at + (Date.now() - started) + BATCH_LEASE_MS);
      try {
        await messenger.multicast(batch.recipients, batch.message, batch.retryKey);
        await store.finishBatch(batch.batchId, 'sent', attempts);
        return 'sent';
      } catch (error) {
        const failure = error instanceof SendError ? error : new SendError('retryable', null, String(error));
        if (failure.failure === 'already-accepted') {
          await store.finishBatch(batch.batchId, 'sent', attempts);
          return 'sent';
        }
        if (failure.failure !== 'retryable') {
          logger.error({ batch: batch.batchId, slot: batch.slotKey, status: failure.status, reason: failure.message }, 'LINE refused a reminder batch; not retried');
          await store.finishBatch(batch.batchId, 'failed', attempts);
          return 'failed';
        }
        logger.warn({ batch: batch.batchId, slot: batch.slotKey, status: failure.status, attempt: attempts }, 'reminder batch not accepted yet; retrying');
        if (i < retry.attempts - 1) await sleep(retry.baseDelayMs * 2 ** i);
      }
    }
    await store.deferBatch(batch.batchId, attempts);
    return 'failed';
  }
}

export function formatSummary(summary: DispatchSummary): string {
  return Object.entries(summary)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
