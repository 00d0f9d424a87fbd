/** Fixtures several suites share: the project's folders, its definitions, and fresh user ids. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Definitions } from '../../src/domain/definitions';
import type { StaffIbashoDate } from '../../src/domain/staff-changes/change';
import { loadDefinitions } from '../../src/files/definitions-files';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The project's own flows/ and content/, as the server loads them. */
export const PROJECT_DIRS = { root: ROOT, flowsDir: path.join(ROOT, 'flows'), contentDir: path.join(ROOT, 'content') };

/** The definitions of the project's own flows/ and content/, read and validated now. */
export function projectDefinitions(): Definitions {
  return loadDefinitions(PROJECT_DIRS);
}

/** A LINE user id nobody has used yet (U + 32 hex digits, as LINE sends them). */
export const newUser = (): string => `U${randomBytes(16).toString('hex')}`;

/** A いばしょ date as staff publish it (held 13:30〜16:30 by tanaka at 2026-12-01 12:00 Tokyo), with `over` applied. */
export const staffIbashoDate = (over: Partial<StaffIbashoDate> & { date: string }): StaffIbashoDate => ({
  status: 'held',
  movedTo: null,
  start: '13:30',
  end: '16:30',
  note: null,
  by: 'tanaka',
  at: Date.UTC(2026, 11, 1, 3, 0, 0),
  ...over,
});
