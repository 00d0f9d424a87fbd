import type { LocalDate } from '../calendar';

/**
 * What ward staff changed in the console or the CLI, kept in the store as a layer over content/:
 * いばしょ dates, notices and fact checks. How an edit is checked: validation.ts; how the layer
 * merges over content/: merge-over-content.ts.
 */
export interface StaffIbashoDate {
  date: LocalDate;
  status: 'held' | 'cancelled' | 'moved';
  movedTo: LocalDate | null;
  start: string | null;
  end: string | null;
  note: string | null;
  by: string;
  /** When the row was last changed (epoch ms). */
  at: number;
}

export interface Notice {
  id: string;
  text: string;
  startsOn: LocalDate;
  endsOn: LocalDate;
  /** Window ids the notice is shown above; empty for every answer. */
  windows: string[];
}

export interface StaffNotice extends Notice {
  by: string;
  at: number;
}

export const checkableFields = ['helpsWith', 'phone', 'hours', 'place', 'access', 'area'] as const;
export type CheckableField = (typeof checkableFields)[number];
/** The fields staff may correct (the others only re-check): the ones people act on. */
export const correctableFields = ['phone', 'hours'] as const;

export interface StaffFactCheck {
  window: string;
  field: CheckableField;
  checked: LocalDate;
  by: string;
  /** Where staff checked it (a URL, 「電話で確認」…). */
  sourceNote: string;
  /** A corrected value (the whole fact, validated by the content schema), or null when only re-checked. */
  value: unknown;
  at: number;
}

export interface StaffChanges {
  version: number;
  ibashoDates: StaffIbashoDate[];
  notices: StaffNotice[];
  factChecks: StaffFactCheck[];
}

export const noStaffChanges: StaffChanges = { version: 0, ibashoDates: [], notices: [], factChecks: [] };

export const STAFF_SOURCE = '目黒区職員による登録';
