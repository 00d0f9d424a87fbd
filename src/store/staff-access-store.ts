import type { Kysely } from 'kysely';
import { DuplicateError, writeAudit, type StaffAccount, type StaffDb } from './staff-tables';

/** Who may use the staff console: accounts (changes audited), sessions for express-session, login throttling. */
export class StaffAccessStore {
  private readonly db: StaffDb;

  constructor(database: Kysely<any>) {
    this.db = database as StaffDb;
  }

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
      await writeAudit(trx, { at, actor, action: 'account.add', subject: `account:${username}`, before: null, after: { username, disabled: false } });
    });
  }

  /** Disables an account and ends its sessions. False when there is no such account. */
  async disableAccount(username: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('staff_accounts').set({ disabled: 1, updated_at: at }).where('username', '=', username).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('staff_sessions').where('username', '=', username).execute();
      await writeAudit(trx, { at, actor, action: 'account.disable', subject: `account:${username}`, before: { disabled: false }, after: { disabled: true } });
      return true;
    });
  }

  /** Sets a new password (and enables the account), ending its sessions. False when there is no such account. */
  async resetPassword(username: string, passwordHash: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('staff_accounts').set({ password_hash: passwordHash, disabled: 0, updated_at: at }).where('username', '=', username).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('staff_sessions').where('username', '=', username).execute();
      await writeAudit(trx, { at, actor, action: 'account.reset', subject: `account:${username}`, before: null, after: { passwordChanged: true, disabled: false } });
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
