/**
 * Limits that content/ and the staff's changes share, written once: the content schema checks files
 * with them, the console and the CLI check staff edits with them, so an edit the console accepts is
 * one `content:check` accepts after `content:export`.
 */

/** A いばしょ date's note (the room …), in characters (code points), as zod's `max` counts them. */
export const IBASHO_NOTE_MAX_LENGTH = 60;

/** A staff notice (お知らせ), in LINE's unit, like every limit of the reply it goes into. */
export const NOTICE_MAX_LENGTH = 200;

/**
 * Pushes (reminders, the "next date decided" announcement) go out from 08:00 up to, not including,
 * 21:00, Tokyo time: README 「夜21時〜朝8時には送らず、朝8時以降に送ります」.
 */
export const PUSH_HOURS = { from: '08:00', until: '21:00' } as const;

/** Whether a Tokyo clock time "HH:MM" falls inside PUSH_HOURS. */
export function isPushTime(time: string): boolean {
  return time >= PUSH_HOURS.from && time < PUSH_HOURS.until;
}
