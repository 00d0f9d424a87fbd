import type { Selectable } from 'kysely';
import type { Reply } from '../domain/reply';
import type { RecordTurn, StoredEvent, TurnContext } from '../usecases/ports';
import type { Database } from './schema';
import type { StoreEngine } from './store-engine';
import { DuplicateEventError, markRepliedStatement, turnContextQuery, turnStatements } from './turn-statements';
import { WriteBehindBatch } from './write-behind';

/**
 * How long a replied mark may wait for a turn to ride with. A mark is the second write of every turn,
 * and on its own it was a commit of its own in most loop turns; nothing waits for it but a redelivery
 * of the same event, which polls every 100 ms (handle-webhook-event.ts).
 */
const MARK_DELAY_MS = 10;

type EventRow = Pick<Selectable<Database['webhook_events']>, 'status' | 'user_id' | 'reply_token' | 'reply' | 'delivery' | 'crisis'>;

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    status: row.status,
    userId: row.user_id,
    replyToken: row.reply_token,
    reply: row.reply ? (JSON.parse(row.reply) as Reply) : null,
    delivery: row.delivery,
    crisis: Boolean(Number(row.crisis)),
  };
}

/**
 * Conversations and the webhook events that change them: a turn reads a person's context, then
 * records the event id, the new state and the reply to send in one unit; the reply's delivery is
 * then tracked on the event row (lease, push fallback, replied).
 */
export class ConversationStore {
  private readonly marks = new WriteBehindBatch<string>((eventIds) => this.markAllReplied(eventIds), MARK_DELAY_MS);

  constructor(private readonly engine: StoreEngine) {}

  private get db() {
    return this.engine.db;
  }

  async findEvent(eventId: string): Promise<StoredEvent | null> {
    const row = await this.db
      .selectFrom('webhook_events')
      .select(['status', 'user_id', 'reply_token', 'reply', 'delivery', 'crisis'])
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row ? toStoredEvent(row) : null;
  }

  async loadTurnContext(userId: string): Promise<TurnContext> {
    const [row] = await this.engine.rows(turnContextQuery(this.db, userId));
    // SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean.
    const subscribed = Boolean(Number(row?.subscribed ?? 0));
    if (!row || row.snapshot === null || row.flow_version === null || row.version === null) return { conversation: null, subscribed };
    let snapshot: unknown = null;
    try {
      snapshot = JSON.parse(row.snapshot);
    } catch {
      // A corrupt row is handed on as such: the conversation restarts it kindly.
    }
    return {
      conversation: {
        state: { flowVersion: row.flow_version, snapshot },
        version: Number(row.version),
        lastDay: row.last_day,
        lastEventAt: row.last_event_at === null ? null : Number(row.last_event_at),
      },
      subscribed,
    };
  }

  /** 'duplicate' when the event id was recorded before (nothing written); throws ConflictError. */
  async recordTurn(turn: RecordTurn): Promise<'recorded' | 'duplicate'> {
    // The marks waiting behind join this turn's write (on SQLite, the same commit).
    this.marks.flush();
    try {
      await this.engine.writeUnit(turnStatements(this.db, turn, this.engine.isUniqueViolation));
    } catch (error) {
      if (error instanceof DuplicateEventError) return 'duplicate';
      throw error;
    }
    return 'recorded';
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

  async markPushDelivery(eventId: string): Promise<void> {
    await this.db.updateTable('webhook_events').set({ delivery: 'push' }).where('event_id', '=', eventId).where('status', '=', 'pending').execute();
  }

  async abandonedEvents(now: Date, limit: number): Promise<{ eventId: string; userId: string }[]> {
    const rows = await this.db
      .selectFrom('webhook_events')
      .select(['event_id', 'user_id'])
      .where('status', '=', 'pending')
      .where('lease_until', '<=', now.getTime())
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ eventId: r.event_id, userId: r.user_id }));
  }

  markReplied(eventId: string): Promise<void> {
    return this.marks.add(eventId);
  }

  /** Writes the marks waiting behind now; resolves once they are stored (on close). */
  flushReplied(): Promise<void> {
    return this.marks.flush();
  }

  /**
   * Marks as one statement over their ids, written as a unit: on SQLite it joins the turns being
   * recorded in the same commit. Its SQL text is the same for every batch size (the engine's idList),
   * so it is prepared once; an `IN (…)` list of placeholders was a new text for every size.
   */
  private async markAllReplied(eventIds: string[]): Promise<void> {
    await this.engine.writeUnit([markRepliedStatement(this.db, this.engine.idList(eventIds))]);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('conversations').select('user_id').limit(1).execute();
  }
}
