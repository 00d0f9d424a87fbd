import type { Selectable } from 'kysely';
import type { Reply } from '../domain/reply';
import type { RecordTurn, StoredEvent, TurnContext } from '../usecases/ports';
import type { Database } from './schema';
import type { StoreEngine } from './store-engine';
import { DuplicateEventError, markRepliedStatement, subscriptionQuery, turnContextQuery, turnStatements } from './turn-statements';
import { groupCommit } from './write-behind';

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
  private readonly markRepliedTogether = groupCommit<string>((eventIds) => this.markAllReplied(eventIds));

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
    if (!row) {
      // Before the first turn (or after the conversation was purged): a subscription may still exist.
      const subscription = await this.engine.rows(subscriptionQuery(this.db, userId));
      return { conversation: null, subscribed: subscription.length > 0 };
    }
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
      // SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean.
      subscribed: Boolean(Number(row.subscribed)),
    };
  }

  /** 'duplicate' when the event id was recorded before (nothing written); throws ConflictError. */
  async recordTurn(turn: RecordTurn): Promise<'recorded' | 'duplicate'> {
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
    return this.markRepliedTogether(eventId);
  }

  /**
   * The marks of one loop turn as one statement over their ids, written as a unit: on SQLite it joins
   * the turns being recorded in the same commit (one loop turn later than the marks were asked for,
   * which is what gathers them). Its SQL text is the same for every batch size (the engine's idList),
   * so it is prepared once; an `IN (…)` list of placeholders was a new text for every size.
   */
  private async markAllReplied(eventIds: string[]): Promise<void> {
    await this.engine.writeUnit([markRepliedStatement(this.db, this.engine.idList(eventIds))]);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('conversations').select('user_id').limit(1).execute();
  }
}
