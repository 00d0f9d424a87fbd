import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { CheckableField, StaffChanges, StaffFactCheck, StaffIbashoDate, StaffNotice } from '../domain/staff-changes';

/** The staff console's tables (migration 0004), beside the bot's own in schema.ts. */
export interface StaffTables {
  staff_accounts: { username: string; password_hash: string; disabled: number; created_at: number; updated_at: number };
  staff_sessions: { sid: string; username: string | null; data: string; expires_at: number };
  staff_login_failures: { key: string; at: number };
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

export interface StaffAccount {
  username: string;
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

export class DuplicateError extends Error {
  override name = 'DuplicateError';
}

type Db = Kysely<StaffTables>;
type Trx = Transaction<StaffTables>;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toDate(row: StaffTables['staff_ibasho_dates']): StaffIbashoDate {
  return {
    date: row.date,
    status: row.status,
    movedTo: row.moved_to,
    start: row.start_time,
    end: row.end_time,
    note: row.note,
    by: row.updated_by,
    at: Number(row.updated_at),
  };
}

function toNotice(row: StaffTables['staff_notices']): StaffNotice {
  return { id: row.id, text: row.text, startsOn: row.starts_on, endsOn: row.ends_on, windows: JSON.parse(row.windows) as string[], by: row.created_by, at: Number(row.created_at) };
}

function toFactCheck(row: StaffTables['staff_fact_checks']): StaffFactCheck {
  return {
    window: row.window_id,
    field: row.field as CheckableField,
    checked: row.checked,
    by: row.checked_by,
    sourceNote: row.source_note,
    value: parse(row.value),
    at: Number(row.updated_at),
  };
}

/**
 * The staff console's persistence on either database (SQLite or PostgreSQL, the same SQL through
 * Kysely). Every change of what the bot says is one transaction that also writes its audit row and
 * bumps the version counter that running instances poll.
 */
export class StaffStore {
  private readonly db: Db;

  constructor(database: Kysely<any>) {
    this.db = database as Db;
  }

  private async audit(trx: Trx, entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await trx
      .insertInto('staff_audit_log')
      .values({ id: randomUUID(), at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, before: json(entry.before), after: json(entry.after) })
      .execute();
  }

  private async bump(trx: Trx): Promise<void> {
    await trx.updateTable('staff_version').set((eb) => ({ version: eb('version', '+', 1) })).where('name', '=', 'content').execute();
  }

  /** A change to what the bot says: the write, its audit row and the version bump commit together. */
  private change<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      await this.bump(trx);
      return result;
    });
  }

  /** Grows by one with every change of dates, notices or facts; instances poll it. */
  async version(): Promise<number> {
    const row = await this.db.selectFrom('staff_version').select('version').where('name', '=', 'content').executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  /** The whole staff layer, with the version it was read at. */
  async changes(): Promise<StaffChanges> {
    return this.db.transaction().execute(async (trx) => {
      const version = await trx.selectFrom('staff_version').select('version').where('name', '=', 'content').executeTakeFirst();
      const dates = await trx.selectFrom('staff_ibasho_dates').selectAll().orderBy('date').execute();
      const notices = await trx.selectFrom('staff_notices').selectAll().orderBy('starts_on').orderBy('created_at').execute();
      const checks = await trx.selectFrom('staff_fact_checks').selectAll().orderBy('window_id').orderBy('field').execute();
      return { version: Number(version?.version ?? 0), ibashoDates: dates.map(toDate), notices: notices.map(toNotice), factChecks: checks.map(toFactCheck) };
    });
  }

  // ---- いばしょ dates ----

  async ibashoDate(date: string): Promise<StaffIbashoDate | null> {
    const row = await this.db.selectFrom('staff_ibasho_dates').selectAll().where('date', '=', date).executeTakeFirst();
    return row ? toDate(row) : null;
  }

  /** Publishes, cancels or moves a date (one row per original date); `action` names it in the audit log. */
  async putIbashoDate(entry: StaffIbashoDate, action: string): Promise<void> {
    await this.change(async (trx) => {
      const before = await trx.selectFrom('staff_ibasho_dates').selectAll().where('date', '=', entry.date).executeTakeFirst();
      const row = {
        date: entry.date,
        status: entry.status,
        moved_to: entry.movedTo,
        start_time: entry.start,
        end_time: entry.end,
        note: entry.note,
        updated_by: entry.by,
        updated_at: entry.at,
      };
      if (before) await trx.updateTable('staff_ibasho_dates').set(row).where('date', '=', entry.date).execute();
      else await trx.insertInto('staff_ibasho_dates').values(row).execute();
      await this.audit(trx, { at: entry.at, actor: entry.by, action, subject: `ibasho:${entry.date}`, before: before ? toDate(before) : null, after: entry });
    });
  }

  /** Takes a staff row back (the date falls back to content/ or the rule). */
  async removeIbashoDate(date: string, actor: string, at: number): Promise<boolean> {
    return this.change(async (trx) => {
      const before = await trx.selectFrom('staff_ibasho_dates').selectAll().where('date', '=', date).executeTakeFirst();
      if (!before) return false;
      await trx.deleteFrom('staff_ibasho_dates').where('date', '=', date).execute();
      await this.audit(trx, { at, actor, action: 'ibasho.remove', subject: `ibasho:${date}`, before: toDate(before), after: null });
      return true;
    });
  }

  // ---- Notices ----

  async addNotice(notice: Omit<StaffNotice, 'id'>): Promise<string> {
    const id = randomUUID();
    await this.change(async (trx) => {
      await trx
        .insertInto('staff_notices')
        .values({ id, text: notice.text, starts_on: notice.startsOn, ends_on: notice.endsOn, windows: JSON.stringify(notice.windows), created_by: notice.by, created_at: notice.at })
        .execute();
      await this.audit(trx, { at: notice.at, actor: notice.by, action: 'notice.add', subject: `notice:${id}`, before: null, after: { ...notice, id } });
    });
    return id;
  }

  async removeNotice(id: string, actor: string, at: number): Promise<boolean> {
    return this.change(async (trx) => {
      const before = await trx.selectFrom('staff_notices').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) return false;
      await trx.deleteFrom('staff_notices').where('id', '=', id).execute();
      await this.audit(trx, { at, actor, action: 'notice.remove', subject: `notice:${id}`, before: toNotice(before), after: null });
      return true;
    });
  }

  // ---- Fact checks ----

  async putFactCheck(check: StaffFactCheck): Promise<void> {
    await this.change(async (trx) => {
      const before = await trx.selectFrom('staff_fact_checks').selectAll().where('window_id', '=', check.window).where('field', '=', check.field).executeTakeFirst();
      const row = { window_id: check.window, field: check.field, checked: check.checked, checked_by: check.by, source_note: check.sourceNote, value: json(check.value), updated_at: check.at };
      if (before) await trx.updateTable('staff_fact_checks').set(row).where('window_id', '=', check.window).where('field', '=', check.field).execute();
      else await trx.insertInto('staff_fact_checks').values(row).execute();
      await this.audit(trx, {
        at: check.at,
        actor: check.by,
        action: check.value === null ? 'fact.check' : 'fact.correct',
        subject: `fact:${check.window}.${check.field}`,
        before: before ? toFactCheck(before) : null,
        after: check,
      });
    });
  }

  // ---- Audit log ----

  async auditLog(limit = 200): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('staff_audit_log').selectAll().orderBy('at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, at: Number(r.at), actor: r.actor, action: r.action, subject: r.subject, before: parse(r.before), after: parse(r.after) }));
  }

  // ---- Accounts ----

  async account(username: string): Promise<StaffAccount | null> {
    const row = await this.db.selectFrom('staff_accounts').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? { username: row.username, passwordHash: row.password_hash, disabled: Boolean(Number(row.disabled)), createdAt: Number(row.created_at) } : null;
  }

  async accounts(): Promise<StaffAccount[]> {
    const rows = await this.db.selectFrom('staff_accounts').selectAll().orderBy('username').execute();
    return rows.map((row) => ({ username: row.username, passwordHash: row.password_hash, disabled: Boolean(Number(row.disabled)), createdAt: Number(row.created_at) }));
  }

  /** Throws DuplicateError when the name is taken. The hash never reaches the audit log. */
  async addAccount(username: string, passwordHash: string, actor: string, at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('staff_accounts').select('username').where('username', '=', username).executeTakeFirst();
      if (existing) throw new DuplicateError(`account "${username}" exists`);
      await trx.insertInto('staff_accounts').values({ username, password_hash: passwordHash, disabled: 0, created_at: at, updated_at: at }).execute();
      await this.audit(trx, { at, actor, action: 'account.add', subject: `account:${username}`, before: null, after: { username, disabled: false } });
    });
  }

  /** Disables an account and ends its sessions. False when there is no such account. */
  async disableAccount(username: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('staff_accounts').set({ disabled: 1, updated_at: at }).where('username', '=', username).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('staff_sessions').where('username', '=', username).execute();
      await this.audit(trx, { at, actor, action: 'account.disable', subject: `account:${username}`, before: { disabled: false }, after: { disabled: true } });
      return true;
    });
  }

  /** Sets a new password (and enables the account), ending its sessions. False when there is no such account. */
  async resetPassword(username: string, passwordHash: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('staff_accounts').set({ password_hash: passwordHash, disabled: 0, updated_at: at }).where('username', '=', username).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('staff_sessions').where('username', '=', username).execute();
      await this.audit(trx, { at, actor, action: 'account.reset', subject: `account:${username}`, before: null, after: { passwordChanged: true, disabled: false } });
      return true;
    });
  }

  // ---- Sessions (for express-session) and login throttling ----

  async session(sid: string, now: number): Promise<string | null> {
    const row = await this.db.selectFrom('staff_sessions').select(['data', 'expires_at']).where('sid', '=', sid).executeTakeFirst();
    return row && Number(row.expires_at) > now ? row.data : null;
  }

  async saveSession(sid: string, username: string | null, data: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('staff_sessions')
      .values({ sid, username, data, expires_at: expiresAt })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ username, data, expires_at: expiresAt }))
      .execute();
  }

  async touchSession(sid: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ expires_at: expiresAt }).where('sid', '=', sid).execute();
  }

  async destroySession(sid: string): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('sid', '=', sid).execute();
  }

  async recordLoginFailure(keys: string[], at: number): Promise<void> {
    if (keys.length > 0) await this.db.insertInto('staff_login_failures').values(keys.map((key) => ({ key, at }))).execute();
  }

  async loginFailures(key: string, since: number): Promise<number> {
    const row = await this.db.selectFrom('staff_login_failures').select((eb) => eb.fn.countAll().as('n')).where('key', '=', key).where('at', '>=', since).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.db.deleteFrom('staff_login_failures').where('key', '=', key).execute();
  }

  /** Expired sessions and old login failures; the audit log is never purged. */
  async purgeExpired(now: number, failuresBefore: number): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('staff_login_failures').where('at', '<', failuresBefore).execute();
  }
}
