import { tokyoClockTime, tokyoInstant, type LocalDate } from './calendar';
import { isPushTime } from './content/limits';
import type { Definitions } from './definitions';
import { nextIbasho } from './ibasho-schedule';
import type { StaffIbashoDate } from './staff-changes/change';

/** Pushes are never sent outside PUSH_HOURS (Tokyo); what comes due then waits for the morning. */
export function inPushHours(now: Date): boolean {
  return isPushTime(tokyoClockTime(now));
}

export interface DecidedAnnouncement {
  slotKey: string;
  eventDate: LocalDate;
  eventStart: number;
  start: string;
  end: string;
  note?: string;
  movedFrom?: LocalDate;
  /** Only people subscribed when staff published the date: later ones saw it in their reply. */
  subscribedBy: number;
}

/**
 * The one push for the next いばしょ date when staff published it (or moved it there), due from the
 * moment it is published until it starts, inside push hours. Its slot key makes it once per date.
 */
export function decidedAnnouncement(defs: Definitions, staffDates: readonly StaffIbashoDate[], now: Date): DecidedAnnouncement | null {
  if (!inPushHours(now)) return null;
  const { ibasho } = defs.content;
  const next = nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
  if (!next?.confirmed || next.phase !== 'upcoming') return null;
  const date = next.dates[0]!;
  const row = staffDates.find((d) => (d.status === 'held' && d.date === date) || (d.status === 'moved' && d.movedTo === date));
  if (!row) return null;
  return {
    slotKey: `decided:${date}`,
    eventDate: date,
    eventStart: tokyoInstant(date, next.start),
    start: next.start,
    end: next.end,
    ...(next.note ? { note: next.note } : {}),
    ...(next.movedFrom ? { movedFrom: next.movedFrom } : {}),
    subscribedBy: row.at,
  };
}
