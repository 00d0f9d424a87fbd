import type { Definitions } from './definitions';
import { openStatus } from './opening-hours';
import { openNoticeReply, reminderReply } from './render-reply';
import type { Reply } from './reply';
import { reminderSlots, slotKey, type ReminderSlot } from './reminder-schedule';
import { decidedAnnouncement, type DecidedAnnouncement } from './decided-announcement';
import type { StaffIbashoDate } from './staff-changes/change';

/** LINE's multicast accepts up to 500 user ids a request. */
export const MULTICAST_LIMIT = 500;

/** What a reminder pass at `now` asks the store about: the slots whose time has come, and the "date decided" push. */
export interface DueReminders {
  /** Reminders of events that have not started: sent to whoever has not had them. */
  due: ReminderSlot[];
  /** Reminders of events that have started: whoever did not get them is recorded as missed. */
  missed: ReminderSlot[];
  announcement: DecidedAnnouncement | null;
}

export function dueReminders(definitions: Definitions, now: Date, staffDates: readonly StaffIbashoDate[] | null): DueReminders {
  const { ibasho } = definitions.content;
  const slots = reminderSlots({ rule: ibasho.rule.value, dates: ibasho.dates }, ibasho.reminders, now);
  return { ...slots, announcement: staffDates ? decidedAnnouncement(definitions, staffDates, now) : null };
}

/** People waiting for a window to open, at one opening time. */
export interface WaitingGroup {
  window: string;
  sendAt: number;
  /** Everyone waiting (the store hands out only people a push can reach): forgotten once the notice is claimed or dropped. */
  waiting: string[];
}

/** Who is waiting for what, as the store answered (only people a push can reach). */
export interface Audiences {
  /** People without a delivery of each due or missed slot, by slot key. */
  ofSlot: ReadonlyMap<string, string[]>;
  /** People without the announcement (empty without one). */
  announced: string[];
  opening: WaitingGroup[];
}

export type DeliveryKind = 'reminder' | 'announcement' | 'notice';

/** One message to a group of people: claimed whole or not at all. */
export interface Delivery {
  kind: DeliveryKind;
  slotKey: string;
  people: string[];
  message: Reply;
  /** After this instant the message would mislead: the event has started, or the window closed again. */
  deadline: number;
  /** People per multicast. */
  batchSize: number;
  /** A notice forgets its waiting group once claimed. */
  forget?: { window: string; sendAt: number; waiting: string[] };
}

export interface ReminderPlan {
  /** Messages whose time has come (reminder slots, open notices, the announcement). */
  due: number;
  /** People to record as missed, by slot. */
  missed: { slotKey: string; people: string[] }[];
  /** Notices whose window is not open (or no longer exists): their people are missed, the group forgotten. */
  dropped: WaitingGroup[];
  /** What to send, in order of priority: reminders, the announcement, then open notices. */
  deliveries: Delivery[];
}

/**
 * Who gets what at `now`. When a run is so late that several reminders of one event are due, only the
 * latest is sent: two pushes about the same day at once help no one, and the earlier ones count as
 * missed. A notice goes only while its window is open.
 */
export function planReminders(definitions: Definitions, now: Date, due: DueReminders, audiences: Audiences): ReminderPlan {
  const peopleOf = (slot: ReminderSlot) => audiences.ofSlot.get(slotKey(slot)) ?? [];
  const missed = due.missed.map((slot) => ({ slotKey: slotKey(slot), people: peopleOf(slot) }));

  const latestOfEvent = new Map<string, ReminderSlot>();
  for (const slot of due.due) {
    const latest = latestOfEvent.get(slot.eventDate);
    if (!latest || slot.sendAt > latest.sendAt) latestOfEvent.set(slot.eventDate, slot);
  }
  const deliveries: Delivery[] = [];
  for (const slot of due.due) {
    const people = peopleOf(slot);
    if (people.length === 0) continue;
    if (latestOfEvent.get(slot.eventDate) === slot) {
      deliveries.push({ kind: 'reminder', slotKey: slotKey(slot), people, message: reminderReply(definitions, slot), deadline: slot.eventStart, batchSize: MULTICAST_LIMIT });
    } else {
      missed.push({ slotKey: slotKey(slot), people });
    }
  }

  const { announcement } = due;
  const announce = announcement && audiences.announced.length > 0 ? announcement : null;
  if (announce) {
    const message = reminderReply(definitions, { ...announce, decided: true });
    deliveries.push({ kind: 'announcement', slotKey: announce.slotKey, people: audiences.announced, message, deadline: announce.eventStart, batchSize: MULTICAST_LIMIT });
  }

  const dropped: WaitingGroup[] = [];
  let openNotices = 0;
  for (const group of audiences.opening) {
    const window = definitions.windowsById.get(group.window);
    const status = window && !('unknown' in window.hours) ? openStatus(window.hours.value, now) : null;
    if (status?.kind !== 'open') {
      dropped.push(group);
      continue;
    }
    openNotices++;
    deliveries.push({
      kind: 'notice',
      slotKey: `open:${group.window}:${group.sendAt}`,
      people: group.waiting,
      message: openNoticeReply(definitions, group.window),
      deadline: status.closesAt.getTime(),
      batchSize: MULTICAST_LIMIT,
      forget: { window: group.window, sendAt: group.sendAt, waiting: group.waiting },
    });
  }

  return { due: due.due.length + openNotices + (announce ? 1 : 0), missed, dropped, deliveries };
}

export interface Quota {
  /** Messages a month; null when LINE sets no limit. */
  limit: number | null;
  used: number;
}

/**
 * What the month's quota allows, in order: each delivery whole or not at all (half a reminder is worse
 * than none: the ward tops up the quota, then the next pass sends it). A smaller one later may still fit.
 */
export function withinQuota(deliveries: readonly Delivery[], quota: Quota): { send: Delivery[]; skipped: Delivery[] } {
  let remaining = quota.limit === null ? Infinity : quota.limit - quota.used;
  const send: Delivery[] = [];
  const skipped: Delivery[] = [];
  for (const delivery of deliveries) {
    if (delivery.people.length > remaining) {
      skipped.push(delivery);
      continue;
    }
    remaining -= delivery.people.length;
    send.push(delivery);
  }
  return { send, skipped };
}
