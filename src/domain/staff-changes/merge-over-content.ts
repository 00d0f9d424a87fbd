/** How the staff layer merges over content/ into Definitions: pure, nothing here does I/O. */
import { localDateOf } from '../calendar';
import type { IbashoDateOverride, SupportWindow } from '../content/schema';
import type { Definitions } from '../definitions';
import { STAFF_SOURCE, type Notice, type StaffChanges, type StaffFactCheck, type StaffIbashoDate } from './change';

/** A staff date as an override of content/ibasho.yaml `dates`. */
export function toOverride(entry: StaffIbashoDate): IbashoDateOverride {
  const provenance = { source: `${STAFF_SOURCE}(${entry.by})`, checked: localDateOf(new Date(entry.at)) };
  const details = { ...(entry.start ? { start: entry.start } : {}), ...(entry.end ? { end: entry.end } : {}), ...(entry.note ? { note: entry.note } : {}) };
  if (entry.status === 'cancelled') return { date: entry.date, status: 'cancelled', ...provenance };
  if (entry.status === 'moved') return { date: entry.date, status: 'moved', movedTo: entry.movedTo!, ...details, ...provenance };
  return { date: entry.date, status: 'held', ...details, ...provenance };
}

/** content/ dates with the staff's: a staff row for the same day replaces the content one. */
export function mergedIbashoDates(contentDates: IbashoDateOverride[], staff: StaffIbashoDate[]): IbashoDateOverride[] {
  const staffDays = new Set(staff.map((d) => d.date));
  return [...contentDates.filter((d) => !staffDays.has(d.date)), ...staff.map(toOverride)].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The window with a fact re-checked or corrected; null if the window or field does not exist. */
function applyFactCheck(window: SupportWindow, check: StaffFactCheck): SupportWindow {
  const current = window[check.field] as Record<string, unknown> | undefined;
  if (check.value !== null && check.value !== undefined) {
    return { ...window, [check.field]: check.value } as SupportWindow;
  }
  if (!current) return window;
  return { ...window, [check.field]: { ...current, checked: check.checked } } as SupportWindow;
}

/** Definitions with the staff's layer merged in: dates, notices, re-checked and corrected facts. */
export function applyStaffChanges(base: Definitions, changes: StaffChanges): Definitions {
  if (changes.ibashoDates.length === 0 && changes.notices.length === 0 && changes.factChecks.length === 0) return base;
  const checksByWindow = new Map<string, StaffFactCheck[]>();
  for (const check of changes.factChecks) checksByWindow.set(check.window, [...(checksByWindow.get(check.window) ?? []), check]);
  const windows = base.content.windows.map((window) => (checksByWindow.get(window.id) ?? []).reduce(applyFactCheck, window));
  const content = {
    ...base.content,
    windows,
    ibasho: { ...base.content.ibasho, dates: mergedIbashoDates(base.content.ibasho.dates, changes.ibashoDates) },
  };
  const notices = changes.notices.map(({ id, text, startsOn, endsOn, windows: ids }) => ({ id, text, startsOn, endsOn, windows: ids }));
  return { ...base, content, windowsById: new Map(windows.map((w) => [w.id, w])), notices };
}

/** The notices running on `now`'s Tokyo date for an answer showing these windows (all-answer ones included). */
export function activeNotices(defs: Definitions, windowIds: readonly string[], now: Date): Notice[] {
  const today = localDateOf(now);
  return defs.notices.filter((n) => n.startsOn <= today && today <= n.endsOn && (n.windows.length === 0 || n.windows.some((w) => windowIds.includes(w))));
}
