import session from 'express-session';
import type { StaffStore } from '../usecases/ports';

/**
 * express-session's store interface over the staff tables, so that every instance (SQLite or
 * PostgreSQL) shares the sessions and a logout or a disabled account ends them everywhere.
 */
export class StaffSessionStore extends session.Store {
  constructor(
    private readonly staff: StaffStore,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  private expiry(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + this.idleMs;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.staff.access.session(sid, this.now()).then(
      (data) => callback(null, data ? (JSON.parse(data) as session.SessionData) : null),
      (error: unknown) => callback(error),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    const username = (data as { username?: string }).username ?? null;
    this.staff.access.saveSession(sid, username, JSON.stringify(data), this.expiry(data)).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.staff.access.touchSession(sid, this.expiry(data)).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.staff.access.destroySession(sid).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}

declare module 'express-session' {
  interface SessionData {
    username?: string;
    /** When this session's login happened (the app's clock, epoch ms): it ends 8 hours later. */
    loginAt?: number;
    flash?: string;
  }
}
