import { Migrator, type Kysely, type MigrationProvider, type Transaction } from 'kysely';
import type { Reply } from '../domain/reply';
import { ConflictError, type RecordTurn, type Store, type StoredConversation, type StoredEvent } from '../usecases/ports';
import { migrations } from './migrations';
import type { Database } from './schema';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration; both stores run the same list. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The Store on any Kysely database: the SQL is the same for SQLite and PostgreSQL, and only the
 * dialect (how to connect) differs between the two.
 */
export class KyselyStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => db.destroy(),
  ) {}

  async findEvent(eventId: string): Promise<StoredEvent | null> {
    const row = await this.db
      .selectFrom('webhook_events')
      .select(['status', 'reply_token', 'reply'])
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row ? { status: row.status, replyToken: row.reply_token, reply: row.reply ? (JSON.parse(row.reply) as Reply) : null } : null;
  }

  async loadConversation(userId: string): Promise<StoredConversation | null> {
    const row = await this.db
      .selectFrom('conversations')
      .select(['flow_version', 'snapshot', 'version'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return null;
    let snapshot: unknown = null;
    try {
      snapshot = JSON.parse(row.snapshot);
    } catch {
      // A corrupt row is handed on as such: the conversation restarts it kindly.
    }
    return { state: { flowVersion: row.flow_version, snapshot }, version: Number(row.version) };
  }

  async recordTurn(turn: RecordTurn): Promise<'recorded' | 'duplicate'> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('webhook_events')
          .values({
            event_id: turn.eventId,
            user_id: turn.userId,
            status: 'pending',
            reply_token: turn.replyToken,
            reply: JSON.stringify(turn.reply),
            lease_until: turn.at.getTime() + turn.leaseMs,
            received_at: turn.at.getTime(),
          })
          .execute();
        await this.saveConversation(trx, turn);
      });
      return 'recorded';
    } catch (error) {
      if (isUniqueViolation(error) && (await this.findEvent(turn.eventId))) return 'duplicate';
      throw error;
    }
  }

  private async saveConversation(trx: Transaction<Database>, turn: RecordTurn): Promise<void> {
    const values = {
      flow_version: turn.state.flowVersion,
      snapshot: JSON.stringify(turn.state.snapshot),
      updated_at: turn.at.getTime(),
    };
    if (turn.expectedVersion === null) {
      try {
        await trx.insertInto('conversations').values({ user_id: turn.userId, version: 1, ...values }).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError();
        throw error;
      }
      return;
    }
    const result = await trx
      .updateTable('conversations')
      .set({ ...values, version: turn.expectedVersion + 1 })
      .where('user_id', '=', turn.userId)
      .where('version', '=', turn.expectedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError();
  }

  async claimPendingEvent(eventId: string, now: Date, leaseMs: number): Promise<StoredEvent | null> {
    const result = await this.db
      .updateTable('webhook_events')
      .set({ lease_until: now.getTime() + leaseMs })
      .where('event_id', '=', eventId)
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now.getTime())
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    return this.findEvent(eventId);
  }

  async releaseEvent(eventId: string): Promise<void> {
    await this.db.updateTable('webhook_events').set({ lease_until: 0 }).where('event_id', '=', eventId).where('status', '=', 'pending').execute();
  }

  async markReplied(eventId: string): Promise<void> {
    // The reply itself is no longer needed once sent; keep only the id for deduplication.
    await this.db
      .updateTable('webhook_events')
      .set({ status: 'replied', reply: null, reply_token: null })
      .where('event_id', '=', eventId)
      .execute();
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversations').where('user_id', '=', userId).execute();
      await trx.deleteFrom('webhook_events').where('user_id', '=', userId).execute();
    });
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('conversations').select('user_id').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
