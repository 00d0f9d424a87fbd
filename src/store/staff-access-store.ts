import { sql, type Kysely } from 'kysely';
import { DuplicateError, type LoginRule, type StaffAccessStore as StaffAccess, type StaffAccount } from '../usecases/ports';
import { writeAudit, type StaffDb } from './staff-tables';

/** Who may use the staff console: accounts (changes audited), sessions for express-session, login throttling. */
export class StaffAccessStore implements StaffAccess {
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

  /** Sets a new password, ending its sessions; a disabled account stays disabled. False when there is no such account. */
  async resetPassword(username: string, passwordHash: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('staff_accounts').set({ password_hash: passwordHash, updated_at: at }).where('username', '=', username).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('staff_sessions').where('username', '=', username).execute();
      await writeAudit(trx, { at, actor, action: 'account.reset', subject: `account:${username}`, before: null, after: { passwordChanged: true } });
      return true;
    });
  }

  /** Enables a disabled account again (its password unchanged). False when there is no such account. */
  async enableAccount(username: string, actor: string, at: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('staff_accounts').select('disabled').where('username', '=', username).executeTakeFirst();
      if (!before) return false;
      await trx.updateTable('staff_accounts').set({ disabled: 0, updated_at: at }).where('username', '=', username).execute();
      await writeAudit(trx, { at, actor, action: 'account.enable', subject: `account:${username}`, before: { disabled: Boolean(Number(before.disabled)) }, after: { disabled: false } });
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

  /**
   * Reserves one login attempt for `key` before the password is verified: an increment in the same
   * statement that checks the limit (an upsert whose update only happens while the key is not
   * blocked), so parallel attempts are counted one by one on SQLite (one writer) and on PostgreSQL
   * (the conflicting row is locked). The first `rule.free` attempts pass; the one that reaches it
   * blocks the key for `delayMs`, and each attempt let through after a block blocks it again for
   * twice as long (up to `maxDelayMs`). A key quiet for `quietMs` starts afresh.
   */
  async reserveLoginAttempt(key: string, rule: LoginRule, now: number): Promise<{ allowed: true } | { allowed: false; until: number }> {
    await this.db.deleteFrom('staff_login_throttle').where('key', '=', key).where('last_at', '<', now - rule.quietMs).execute();
    const row = sql.ref<number>('staff_login_throttle.attempts');
    const delay = sql.ref<number>('staff_login_throttle.delay_ms');
    const reaches = sql<boolean>`${row} + 1 >= ${rule.free}`;
    const reserved = await this.db
      .insertInto('staff_login_throttle')
      .values({ key, attempts: 1, delay_ms: rule.delayMs, blocked_until: 0, last_at: now })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            attempts: sql`${row} + 1`,
            blocked_until: sql`CASE WHEN ${reaches} THEN ${now} + ${delay} ELSE staff_login_throttle.blocked_until END`,
            delay_ms: sql`CASE WHEN ${reaches} THEN (CASE WHEN ${delay} * 2 > ${rule.maxDelayMs} THEN ${rule.maxDelayMs} ELSE ${delay} * 2 END) ELSE ${delay} END`,
            last_at: now,
          })
          .where(sql<boolean>`${row} < ${rule.free} OR staff_login_throttle.blocked_until <= ${now}`),
      )
      .returning('attempts')
      .executeTakeFirst();
    if (reserved) return { allowed: true };
    const blocked = await this.db.selectFrom('staff_login_throttle').select('blocked_until').where('key', '=', key).executeTakeFirst();
    return { allowed: false, until: Number(blocked?.blocked_until ?? now) };
  }

  /** A successful login: its keys start afresh. */
  async clearLoginAttempts(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.db.deleteFrom('staff_login_throttle').where('key', 'in', keys).execute();
  }

  /** Audit rows for signing in and out; a failed login names only an account that exists (never what was typed). */
  async recordSignIn(action: 'account.login' | 'account.login-failed' | 'account.logout', username: string, at: number): Promise<void> {
    await this.db.transaction().execute((trx) => writeAudit(trx, { at, actor: action === 'account.login-failed' ? 'anonymous' : username, action, subject: `account:${username}`, before: null, after: null }));
  }

  /** Expired sessions and login limits untouched since `attemptsBefore`; the audit log is never purged. */
  async purgeExpired(now: number, attemptsBefore: number): Promise<void> {
    await this.db.deleteFrom('staff_sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('staff_login_throttle').where('last_at', '<', attemptsBefore).execute();
  }
}
