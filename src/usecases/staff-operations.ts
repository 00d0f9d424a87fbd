import type { Definitions } from '../domain/definitions';
import type { StaffIbashoDate } from '../domain/staff-changes/change';
import { checkCancel, checkMove, checkNote, checkPublish, StaffInputError, type PublishInput } from '../domain/staff-changes/validation';
import type { StaffStore } from './ports';

/**
 * The いばしょ date operations, shared by the console and `npm run ibasho`: each checks the edit
 * against the schedule as it stands (content/ merged with the staff layer), then writes one row.
 * Throws StaffInputError with a Japanese message on a bad edit.
 */
export async function publishIbashoDate(staff: StaffStore, defs: Definitions, input: PublishInput, actor: string, now: Date): Promise<StaffIbashoDate> {
  const checked = checkPublish(defs, input, now);
  const entry: StaffIbashoDate = { date: checked.date, status: 'held', movedTo: null, start: checked.start, end: checked.end, note: checked.note, by: actor, at: now.getTime() };
  await staff.content.putIbashoDate(entry, 'ibasho.publish');
  return entry;
}

export async function cancelIbashoDate(staff: StaffStore, defs: Definitions, date: string, actor: string, now: Date): Promise<StaffIbashoDate> {
  checkCancel(defs, date, now);
  const entry: StaffIbashoDate = { date, status: 'cancelled', movedTo: null, start: null, end: null, note: null, by: actor, at: now.getTime() };
  await staff.content.putIbashoDate(entry, 'ibasho.cancel');
  return entry;
}

export async function moveIbashoDate(staff: StaffStore, defs: Definitions, date: string, to: string, actor: string, now: Date): Promise<StaffIbashoDate> {
  checkMove(defs, date, to, now);
  // The moved date keeps the times and note it was published with.
  const previous = defs.content.ibasho.dates.find((d) => d.date === date && d.status === 'held');
  const details = previous && previous.status === 'held' ? previous : null;
  const entry: StaffIbashoDate = {
    date,
    status: 'moved',
    movedTo: to,
    start: details?.start ?? null,
    end: details?.end ?? null,
    note: details?.note ?? null,
    by: actor,
    at: now.getTime(),
  };
  await staff.content.putIbashoDate(entry, 'ibasho.move');
  return entry;
}

/** Sets or clears the note (e.g. the room) of a date the staff published or moved. */
export async function noteIbashoDate(staff: StaffStore, date: string, note: string, actor: string, now: Date): Promise<StaffIbashoDate> {
  const current = await staff.content.ibashoDate(date);
  if (!current || current.status === 'cancelled') throw new StaffInputError(`${date} は、ここで公開した開催日ではありません`);
  const entry: StaffIbashoDate = { ...current, note: checkNote(note), by: actor, at: now.getTime() };
  await staff.content.putIbashoDate(entry, 'ibasho.note');
  return entry;
}
