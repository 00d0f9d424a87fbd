import type { Definitions } from '../domain/definitions';
import { openNoticeReply, reminderReply } from '../domain/render-reply';
import { openStatus } from '../domain/opening-hours';
import type { Reply } from '../domain/reply';
import { reminderSlots, slotKey, type ReminderSlot } from '../domain/reminder-schedule';
import { SendError, type Logger, type Messenger, type ReminderBatch, type ReminderStore } from './ports';
import { decidedAnnouncement, type StaffIbashoDate } from '../domain/staff-changes';

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
  quota: { limit: number | null; used: number } | null;
  /** Batches another run holds: what this pass could not send, and from when it can be retried. */
  held: { slotKey: string; recipients: number; until: Date }[];
}

/** LINE's multicast accepts up to 500 user ids a request. */
export const MULTICAST_LIMIT = 500;
/** One multicast call's 20-second timeout and a margin; renewed before each retry. */
const BATCH_LEASE_MS = 25_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One pass of the reminder outbox at `now`: claim who is due (a delivery row per person and reminder,
 * unique in the store), group them into multicasts of ≤500 with a retry key each, and send every
 * pending batch nobody else holds. Safe to run often, late, after a crash, and from several
 * processes at once: each person gets each reminder at most once.
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
  const { ibasho } = definitions.content;
  const slots = reminderSlots({ rule: ibasho.rule.value, dates: ibasho.dates }, ibasho.reminders, now);
  const summary: DispatchSummary = { due: slots.due.length, sent: 0, recipients: 0, skipped: 0, missed: 0, failed: 0, held: 0 };
  const plan: DispatchPlan[] = [];

  // The store hands out LINE users only (channel 'line'): a push can reach no one else.
  const subscribersOf = (slot: ReminderSlot) => store.subscribersWithoutDelivery(slotKey(slot), slot.sendAt);

  for (const slot of slots.missed) {
    const people = await subscribersOf(slot);
    summary.missed += options.dryRun ? people.length : await store.recordMissed(slotKey(slot), people, at);
  }

  // When a run is so late that several reminders of one event are due, only the latest is sent:
  // two pushes about the same day at once help no one. The earlier ones count as missed.
  const latestOfEvent = new Map<string, ReminderSlot>();
  for (const slot of slots.due) {
    const latest = latestOfEvent.get(slot.eventDate);
    if (!latest || slot.sendAt > latest.sendAt) latestOfEvent.set(slot.eventDate, slot);
  }
  const wanted: { slot: ReminderSlot; people: string[] }[] = [];
  for (const slot of slots.due) {
    const people = await subscribersOf(slot);
    if (people.length === 0) continue;
    if (latestOfEvent.get(slot.eventDate) === slot) wanted.push({ slot, people });
    else summary.missed += options.dryRun ? people.length : await store.recordMissed(slotKey(slot), people, at);
  }

  // "Remind me when it opens": one push per (window, opening), sent while the window is open.
  const openings: { key: string; window: string; people: string[]; waiting: string[]; sendAt: number; message: Reply; until: number }[] = [];
  for (const group of await store.openNotificationsDue(at)) {
    const window = definitions.windowsById.get(group.window);
    const status = window && !('unknown' in window.hours) ? openStatus(window.hours.value, now) : null;
    const people = group.userIds;
    if (!window || status?.kind !== 'open') {
      summary.missed += people.length;
      if (!options.dryRun) await store.clearOpenNotifications(group.window, group.sendAt, group.userIds);
      continue;
    }
    summary.due += 1;
    openings.push({ key: `open:${group.window}:${group.sendAt}`, window: group.window, people, waiting: group.userIds, sendAt: group.sendAt, message: openNoticeReply(definitions, group.window), until: status.closesAt.getTime() });
  }

  // "The next date is decided": once per date, to people subscribed when staff published it.
  const announcement = deps.staffDates ? decidedAnnouncement(definitions, deps.staffDates(), now) : null;
  const announce = announcement ? await store.subscribersWithoutDelivery(announcement.slotKey, announcement.subscribedBy) : [];
  if (announcement && announce.length > 0) summary.due += 1;

  let quota: { limit: number | null; used: number } | null = null;
  if (wanted.length > 0 || openings.length > 0 || announce.length > 0) {
    quota = await messenger.quota();
    let remaining = quota.limit === null ? Infinity : quota.limit - quota.used;
    for (const { slot, people } of wanted) {
      const key = slotKey(slot);
      if (people.length > remaining) {
        // Half a reminder is worse than none: the ward tops up the quota, then the next pass sends it.
        summary.skipped += people.length;
        logger.error({ slot: key, recipients: people.length, quota }, 'QUOTA: this reminder would exceed the monthly LINE message quota; none of it was sent');
        continue;
      }
      remaining -= people.length;
      plan.push({ slot: key, recipients: people.length });
      if (options.dryRun) continue;
      await store.claimDeliveries({
        slotKey: key,
        userIds: people,
        message: reminderReply(definitions, slot),
        eventStart: slot.eventStart,
        batchSize: MULTICAST_LIMIT,
        now: at,
      });
    }
    if (announcement && announce.length > 0) {
      if (announce.length > remaining) {
        summary.skipped += announce.length;
        logger.error({ slot: announcement.slotKey, recipients: announce.length, quota }, 'QUOTA: this announcement would exceed the monthly LINE message quota; none of it was sent');
      } else {
        remaining -= announce.length;
        plan.push({ slot: announcement.slotKey, recipients: announce.length });
        if (!options.dryRun) {
          const message = reminderReply(definitions, { ...announcement, decided: true });
          await store.claimDeliveries({ slotKey: announcement.slotKey, userIds: announce, message, eventStart: announcement.eventStart, batchSize: MULTICAST_LIMIT, now: at });
        }
      }
    }
    for (const opening of openings) {
      if (opening.people.length > remaining) {
        summary.skipped += opening.people.length;
        logger.error({ slot: opening.key, recipients: opening.people.length, quota }, 'QUOTA: this notice would exceed the monthly LINE message quota; none of it was sent');
        continue;
      }
      remaining -= opening.people.length;
      plan.push({ slot: opening.key, recipients: opening.people.length });
      if (options.dryRun) continue;
      // The batch's deadline is when the window closes again: a notice after that would mislead.
      await store.claimDeliveries({ slotKey: opening.key, userIds: opening.people, message: opening.message, eventStart: opening.until, batchSize: MULTICAST_LIMIT, now: at });
      await store.clearOpenNotifications(opening.window, opening.sendAt, opening.waiting);
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
