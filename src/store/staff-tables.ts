import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AuditEntry } from '../usecases/ports';

/** The staff console's tables (migration 0004), beside the bot's own in schema.ts. */
export interface StaffTables {
  staff_accounts: { username: string; password_hash: string; disabled: number; created_at: number; updated_at: number };
  staff_sessions: { sid: string; username: string | null; data: string; expires_at: number };
  staff_login_throttle: { key: string; attempts: number; delay_ms: number; blocked_until: number; last_at: number };
  staff_ibasho_dates: {
    date: string;
    status: 'held' | 'cancelled' | 'moved';
    moved_to: string | null;
    start_time: string | null;
    end_time: string | null;
    note: string | null;
    updated_by: string;
    updated_at: number;
  };
  staff_notices: { id: string; text: string; starts_on: string; ends_on: string; windows: string; created_by: string; created_at: number };
  staff_fact_checks: { window_id: string; field: string; checked: string; checked_by: string; source_note: string; value: string | null; updated_at: number };
  staff_audit_log: { id: string; at: number; actor: string; action: string; subject: string; before: string | null; after: string | null };
  staff_version: { name: string; version: number };
}

export type StaffDb = Kysely<StaffTables>;
export type StaffTrx = Transaction<StaffTables>;

export const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
export const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Every change by staff leaves a row here, in the same transaction as the change. */
export async function writeAudit(trx: StaffTrx, entry: Omit<AuditEntry, 'id'>): Promise<void> {
  await trx
    .insertInto('staff_audit_log')
    .values({ id: randomUUID(), at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, before: json(entry.before), after: json(entry.after) })
    .execute();
}
