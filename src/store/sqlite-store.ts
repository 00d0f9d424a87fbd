import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { checkTurnStatement, KyselyStore, migrateToLatest, type TurnStatement } from './kysely-store';
import type { Bound } from './prepared';
import type { Logger } from '../usecases/ports';
import type { Database } from './schema';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer';
import { groupCommitEach } from './write-behind';

const CHECKPOINT_INTERVAL_MS = 1000;
const BUSY_TIMEOUT_MS = 1500;

/**
 * The database holds LINE user ids: its folder is 0700 and its file 0600 (SQLite gives the -wal and
 * -shm files the database file's mode). Files made by an older version are tightened too.
 */
function createPrivately(file: string): void {
  const dir = path.dirname(file);
  const existed = fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existed) fs.chmodSync(dir, 0o700);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, 0o600);
  }
}

type Statements = { prepare(sql: string): BetterSqlite3.Statement };

/**
 * Kysely prepares every query anew; compiling the same SQL again on each turn was a sixth of the bot's
 * CPU in the benchmark. Statements are reused per SQL text (one query runs at a time on this
 * connection, so a statement is never in use twice).
 */
function withStatementCache(database: BetterSqlite3.Database, capacity = 256): SqliteDatabase & Statements {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement as never;
    },
  };
}

/**
 * The embedded store: one SQLite file in WAL mode, created on first start. Good for one server
 * process (plus the reminders CLI on the same machine); several instances need PostgreSQL.
 *
 * The statements of a turn (the same SQL as on PostgreSQL, compiled once by Kysely) run here
 * synchronously while holding Kysely's one connection, so they never interleave with a Kysely
 * transaction. Turns recorded in the same loop turn share one transaction, each in its own
 * savepoint: a duplicate or a conflict undoes only its own turn, and the commit, the costliest
 * step of a turn, is paid once for all of them.
 */
export class SqliteStore extends KyselyStore {
  private readonly writeTurns = groupCommitEach<TurnStatement[]>((turns) => this.db.connection().execute(async () => this.writeTurnsNow(turns)));

  constructor(
    db: Kysely<Database>,
    private readonly statements: Statements,
    private readonly raw: BetterSqlite3.Database,
    private readonly checkpointer: Checkpointer | null,
  ) {
    super(db, async () => {
      await checkpointer?.stop();
      await db.destroy();
    });
  }

  /** Copies the write-ahead log into the database file now (it happens every second anyway). */
  checkpointNow(): Promise<number> {
    return this.checkpointer ? this.checkpointer.now() : Promise.resolve(0);
  }

  protected override rows(bound: Bound): Promise<Record<string, unknown>[]> {
    return this.db.connection().execute(async () => this.statements.prepare(bound.sql).all(bound.parameters) as Record<string, unknown>[]);
  }

  protected override writeTurn(statements: TurnStatement[]): Promise<void> {
    return this.writeTurns(statements);
  }

  private writeTurnsNow(turns: TurnStatement[][]): PromiseSettledResult<void>[] {
    const exec = (sql: string) => this.statements.prepare(sql).run();
    exec('BEGIN IMMEDIATE');
    try {
      const outcomes = turns.map((statements): PromiseSettledResult<void> => {
        exec('SAVEPOINT turn');
        try {
          for (const statement of statements) {
            let outcome: { error: unknown } | { changes: number };
            try {
              outcome = { changes: this.statements.prepare(statement.bound.sql).run(statement.bound.parameters).changes };
            } catch (error) {
              outcome = { error };
            }
            checkTurnStatement(statement, outcome);
          }
          exec('RELEASE turn');
          return { status: 'fulfilled', value: undefined };
        } catch (reason) {
          exec('ROLLBACK TO turn');
          exec('RELEASE turn');
          return { status: 'rejected', reason };
        }
      });
      exec('COMMIT');
      return outcomes;
    } catch (error) {
      if (this.raw.inTransaction) exec('ROLLBACK');
      throw error;
    }
  }
}


export async function openSqliteStore(file: string, options: { migrate?: boolean; logger?: Logger | undefined } = {}): Promise<SqliteStore> {
  const inMemory = file === ':memory:';
  if (!inMemory) createPrivately(file);
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // Shorter than LINE's webhook timeout (2 s): a lock held too long fails the event (5xx, redelivered)
  // instead of leaving LINE waiting.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('synchronous = NORMAL');
  // Checkpoints run in a worker thread (see sqlite-checkpointer.ts), never inside a commit here.
  if (!inMemory) database.pragma('wal_autocheckpoint = 0');
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  if (options.migrate !== false) await migrateToLatest(db);
  const checkpointer = inMemory ? null : startCheckpointer(file, { intervalMs: CHECKPOINT_INTERVAL_MS, logger: options.logger });
  return new SqliteStore(db, statements, database, checkpointer);
}
