import type { ReminderTime } from './content/schema';
import { addDays, localDateOf, tokyoInstant, type LocalDate } from './calendar';
import { occurrences, timesOf, type IbashoSchedule } from './ibasho-schedule';

export interface ReminderSettings {
  times: ReminderTime[];
  forPlannedDates: boolean;
}

/** One reminder of one event: the unit that is sent once to each subscriber. */
export interface ReminderSlot {
  eventDate: LocalDate;
  kind: string;
  sendAt: number;
  eventStart: number;
  movedFrom?: LocalDate;
  /** The date's own times and note, when staff or content/ gave them. */
  start?: string;
  end?: string;
  note?: string;
}

export const slotKey = (slot: Pick<ReminderSlot, 'eventDate' | 'kind'>) => `${slot.eventDate}:${slot.kind}`;

/** How long after an event starts its unsent reminders are still counted as missed. */
const MISSED_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * The reminder slots whose send time has come at `now`: `due` while the event has not started (a
 * late run still sends), `missed` once it has. Only dates that are known are reminded of, unless
 * the settings allow planned dates with a single known weekday.
 */
export function reminderSlots(schedule: IbashoSchedule, settings: ReminderSettings, now: Date): { due: ReminderSlot[]; missed: ReminderSlot[] } {
  const at = now.getTime();
  const firstDay = addDays(localDateOf(now), -3);
  const due: ReminderSlot[] = [];
  const missed: ReminderSlot[] = [];
  for (const occurrence of occurrences(schedule, firstDay.slice(0, 7))) {
    const remindable = occurrence.confirmed || (settings.forPlannedDates && occurrence.dates.length === 1);
    if (!remindable) continue;
    const eventDate = occurrence.dates[0]!;
    if (eventDate < firstDay) continue;
    const times = timesOf(schedule, occurrence);
    const eventStart = tokyoInstant(eventDate, times.start);
    const details = { ...(occurrence.start ? { start: times.start } : {}), ...(occurrence.end ? { end: times.end } : {}), ...(occurrence.note ? { note: occurrence.note } : {}) };
    for (const time of settings.times) {
      const sendAt = tokyoInstant(addDays(eventDate, -time.daysBefore), time.at);
      if (sendAt > at || sendAt >= eventStart) continue;
      const slot: ReminderSlot = { eventDate, kind: time.kind, sendAt, eventStart, ...(occurrence.movedFrom ? { movedFrom: occurrence.movedFrom } : {}), ...details };
      if (at < eventStart) due.push(slot);
      else if (at < eventStart + MISSED_WINDOW_MS) missed.push(slot);
    }
  }
  return { due, missed };
}
