import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CheckableField, StaffChanges, StaffFactCheck, StaffIbashoDate, StaffNotice } from '../domain/staff-changes/change';
import type { AuditEntry, StaffContentStore as StaffContent } from '../usecases/ports';
import { json, parse, writeAudit, type StaffDb, type StaffTables, type StaffTrx } from './staff-tables';

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
 * What staff change in what the bot says (いばしょ dates, notices, fact checks), on either database
 * (the same SQL through Kysely). Every change is one transaction that also writes its audit row and
 * bumps the version counter that running instances poll.
 */
export class StaffContentStore implements StaffContent {
  private readonly db: StaffDb;

  constructor(database: Kysely<any>) {
    this.db = database as StaffDb;
  }

  private async bump(trx: StaffTrx): Promise<void> {
    await trx.updateTable('staff_version').set((eb) => ({ version: eb('version', '+', 1) })).where('name', '=', 'content').execute();
  }

  /** A change to what the bot says: the write, its audit row and the version bump commit together. */
  private change<T>(work: (trx: StaffTrx) => Promise<T>): Promise<T> {
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
      await writeAudit(trx, { at: entry.at, actor: entry.by, action, subject: `ibasho:${entry.date}`, before: before ? toDate(before) : null, after: entry });
    });
  }

  /** Takes a staff row back (the date falls back to content/ or the rule). */
  async removeIbashoDate(date: string, actor: string, at: number): Promise<boolean> {
    return this.change(async (trx) => {
      const before = await trx.selectFrom('staff_ibasho_dates').selectAll().where('date', '=', date).executeTakeFirst();
      if (!before) return false;
      await trx.deleteFrom('staff_ibasho_dates').where('date', '=', date).execute();
      await writeAudit(trx, { at, actor, action: 'ibasho.remove', subject: `ibasho:${date}`, before: toDate(before), after: null });
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
      await writeAudit(trx, { at: notice.at, actor: notice.by, action: 'notice.add', subject: `notice:${id}`, before: null, after: { ...notice, id } });
    });
    return id;
  }

  async removeNotice(id: string, actor: string, at: number): Promise<boolean> {
    return this.change(async (trx) => {
      const before = await trx.selectFrom('staff_notices').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) return false;
      await trx.deleteFrom('staff_notices').where('id', '=', id).execute();
      await writeAudit(trx, { at, actor, action: 'notice.remove', subject: `notice:${id}`, before: toNotice(before), after: null });
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
      await writeAudit(trx, {
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
}
