import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { openSqliteEngine } from '../../src/store/sqlite-engine';
import type { Database } from '../../src/store/schema';
import { markRepliedStatement, turnContextQuery, turnStatements } from '../../src/store/turn-statements';
import type { RecordTurn } from '../../src/usecases/ports';

// Compiling needs a dialect but never a connection.
const sqlite = new Kysely<Database>({ dialect: new SqliteDialect({ database: {} as never }) });
const postgres = new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) });
const never = () => false;

function turn(n: number, over: Partial<RecordTurn> = {}): RecordTurn {
  return {
    eventId: `E${n}`,
    userId: `U${n}`,
    channel: 'line',
    replyToken: `r${n}`,
    state: { flowVersion: 'guide@1', snapshot: { value: `node${n}`, context: { lastQuestion: null } } },
    expectedVersion: n,
    reply: { messages: [{ kind: 'text', text: `reply ${n}` }], choices: [] },
    crisis: n % 2 === 0,
    at: new Date(1_000 * n),
    lastEventAt: 2_000 * n,
    leaseMs: 25_000,
    subscription: 'subscribe',
    openNotification: { window: `w${n}`, sendAt: 3_000 * n },
    ...over,
  };
}

describe('the statements of a turn', () => {
  test.each([
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ])('%s: the same SQL text for every turn of a kind, so the engine prepares each statement once', (_name, db) => {
    const sqlOf = (t: RecordTurn) => turnStatements(db, t, never).map((s) => s.query.sql);
    expect(sqlOf(turn(1))).toEqual(sqlOf(turn(2)));
    expect(sqlOf(turn(1, { expectedVersion: null, subscription: 'unsubscribe' }))).toEqual(sqlOf(turn(2, { expectedVersion: null, subscription: 'unsubscribe' })));
    expect(turnContextQuery(db, 'U1').sql).toBe(turnContextQuery(db, 'U2').sql);
  });

  test('every value is a bound parameter, in the order the SQL names its columns', () => {
    const [event, update, notification, subscription] = turnStatements(postgres, turn(3), never);
    expect(event!.query.parameters).toEqual(['E3', 'U3', 'r3', JSON.stringify(turn(3).reply), 0, 3_000 + 25_000, 3_000]);
    expect(update!.query.sql).toMatch(/where user_id = \$7 and version = \$8$/);
    expect(update!.query.parameters).toEqual(['guide@1', JSON.stringify({ value: 'node3', context: { lastQuestion: null } }), 3_000, null, 6_000, 4, 'U3', 3]);
    expect(notification!.query.parameters).toEqual(['U3', 'w3', 9_000, 3_000, 'line']);
    expect(subscription!.query.parameters).toEqual(['U3', 3_000, 'line']);
    expect(turnContextQuery(sqlite, 'U9').parameters).toEqual(['U9', 'U9']);
  });

  test('the replied marks of a batch: one statement, the same text for one id or thirty, the ids as one parameter', async () => {
    const engine = await openSqliteEngine(':memory:');
    try {
      const one = markRepliedStatement(engine.db, engine.idList(['E1'])).query;
      const thirty = markRepliedStatement(engine.db, engine.idList(Array.from({ length: 30 }, (_, i) => `E${i}`))).query;
      expect(thirty.sql).toBe(one.sql);
      expect(thirty.parameters).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});
