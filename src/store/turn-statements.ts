import { sql, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import { ConflictError, type RecordTurn } from '../usecases/ports';
import type { Database } from './schema';
import type { StatementOutcome, UnitStatement } from './store-engine';

/** The event id was recorded before: the turn is a duplicate and nothing of it was written. */
export class DuplicateEventError extends Error {
  constructor() {
    super('the event was already recorded');
    this.name = 'DuplicateEventError';
  }
}

/*
 * The statements of a turn are written with Kysely's `sql` template and compiled on every call
 * (`.compile(db)` gives the SQL text for this dialect and its parameters in template order). Building
 * the same statements with the query builder and compiling them cost 74 µs of CPU a turn, against
 * 2 µs a statement here. The SQL text never varies, so the engine's statement cache always hits.
 * Every other query uses the builder. The store contract suite runs these on both databases.
 */

/** The conversation's columns are null when the person has none (a first turn, or purged). */
type ContextRow = { [K in 'flow_version' | 'snapshot' | 'version' | 'last_day' | 'last_event_at']: Database['conversations'][K] | null } & { subscribed: unknown };

/**
 * A person's conversation and whether they are subscribed, in one read: always one row, also before
 * the first turn (a subscription may outlive a purged conversation).
 */
export function turnContextQuery(db: Kysely<Database>, userId: string): CompiledQuery<ContextRow> {
  return sql<ContextRow>`select c.flow_version, c.snapshot, c.version, c.last_day, c.last_event_at,
    exists (select 1 from subscriptions where user_id = ${userId}) as subscribed
    from (select 1 as one) as person left join conversations c on c.user_id = ${userId}`.compile(db);
}

/**
 * Events whose replies were sent: only their ids (for deduplication) and arrival times are kept; the
 * reply, its token and the user id go. `eventIds` is the engine's idList, so the SQL text is the same
 * for every batch and is prepared once.
 */
export function markRepliedStatement(db: Kysely<Database>, eventIds: RawBuilder<unknown>): UnitStatement {
  return {
    query: sql`update webhook_events set status = 'replied', reply = null, reply_token = null, user_id = '' where event_id in ${eventIds}`.compile(db),
    check: (outcome) => {
      if ('error' in outcome) throw outcome.error;
    },
  };
}

/**
 * The statements that record a turn, in the order they run in its unit, each with what its outcome
 * means: a unique violation on the event id is a duplicate; on a new conversation, or an update that
 * does not find the version read, someone else changed the conversation meanwhile.
 */
export function turnStatements(db: Kysely<Database>, turn: RecordTurn, isUniqueViolation: (error: unknown) => boolean): UnitStatement[] {
  const failOn = (error: unknown, unique: () => Error) => {
    throw isUniqueViolation(error) ? unique() : error;
  };
  const plain = (outcome: StatementOutcome) => {
    if ('error' in outcome) throw outcome.error;
  };
  const at = turn.at.getTime();
  const { userId } = turn;
  const flowVersion = turn.state.flowVersion;
  const snapshot = JSON.stringify(turn.state.snapshot);
  const lastDay = turn.usage?.day ?? null;
  const statements: UnitStatement[] = [
    {
      query: sql`insert into webhook_events (event_id, user_id, status, reply_token, reply, crisis, lease_until, received_at)
        values (${turn.eventId}, ${userId}, 'pending', ${turn.replyToken}, ${JSON.stringify(turn.reply)}, ${turn.crisis ? 1 : 0}, ${at + turn.leaseMs}, ${at})`.compile(db),
      check: (outcome) => {
        if ('error' in outcome) failOn(outcome.error, () => new DuplicateEventError());
      },
    },
    turn.expectedVersion === null
      ? {
          query: sql`insert into conversations (user_id, version, flow_version, snapshot, updated_at, last_day, last_event_at)
            values (${userId}, 1, ${flowVersion}, ${snapshot}, ${at}, ${lastDay}, ${turn.lastEventAt})`.compile(db),
          check: (outcome) => {
            if ('error' in outcome) failOn(outcome.error, () => new ConflictError());
          },
        }
      : {
          query: sql`update conversations
            set flow_version = ${flowVersion}, snapshot = ${snapshot}, updated_at = ${at}, last_day = ${lastDay}, last_event_at = ${turn.lastEventAt}, version = ${turn.expectedVersion + 1}
            where user_id = ${userId} and version = ${turn.expectedVersion}`.compile(db),
          check: (outcome) => {
            plain(outcome);
            if ('changes' in outcome && outcome.changes !== 1) throw new ConflictError();
          },
        },
  ];
  if (turn.openNotification) {
    const { window, sendAt } = turn.openNotification;
    statements.push({
      query: sql`insert into open_notifications (user_id, window_id, send_at, created_at, channel)
        values (${userId}, ${window}, ${sendAt}, ${at}, ${turn.channel}) on conflict (user_id, window_id, send_at) do nothing`.compile(db),
      check: plain,
    });
  }
  if (turn.subscription === 'subscribe') {
    statements.push({
      query: sql`insert into subscriptions (user_id, created_at, channel) values (${userId}, ${at}, ${turn.channel}) on conflict (user_id) do nothing`.compile(db),
      check: plain,
    });
  }
  if (turn.subscription === 'unsubscribe') {
    statements.push({ query: sql`delete from subscriptions where user_id = ${userId}`.compile(db), check: plain });
  }
  return statements;
}
