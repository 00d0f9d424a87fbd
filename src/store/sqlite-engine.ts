import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type CompiledQuery, type SqliteDatabase } from 'kysely';
import type { Logger } from '../usecases/ports';
import { migrateToLatest } from './migrations';
import type { Database } from './schema';
import { startCheckpointer } from './sqlite-checkpointer';
import { runChecked, type StoreEngine, type UnitStatement } from './store-engine';
import { groupCommitEach } from './write-behind';

const CHECKPOINT_INTERVAL_MS = 1000;
const BUSY_TIMEOUT_MS = 1500;
const STATEMENT_CACHE_SIZE = 256;

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

/**
 * better-sqlite3's prepared statements, made once per SQL text and reused (least recently used go
 * first). Preparing the same SQL again on each turn was a sixth of the bot's CPU in the benchmark.
 * One query runs at a time on this connection, so a statement is never in use twice. Kysely's
 * SqliteDialect gets the same cache through its documented `database.prepare(sql)`.
 */
type Statements = { prepare(sql: string): BetterSqlite3.Statement };

function statementCache(database: BetterSqlite3.Database): SqliteDatabase & Statements {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement as never;
    },
  };
}

/**
 * The embedded database: one SQLite file in WAL mode, created on first start. Good for one server
 * process (plus the CLIs on the same machine); several instances need PostgreSQL.
 *
 * A turn's statements (compiled by Kysely like every other query) run synchronously on cached
 * statements on Kysely's one connection, never inside a Kysely transaction (see onConnection).
 * Turns written in the same loop turn share one transaction, each in its own savepoint:
 * a duplicate or a conflict undoes only its own turn, and the commit, the costliest step of a turn,
 * is paid once for all of them.
 */
export async function openSqliteEngine(file: string, options: { migrate?: boolean; logger?: Logger | undefined } = {}): Promise<StoreEngine> {
  const inMemory = file === ':memory:';
  if (!inMemory) createPrivately(file);
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // Shorter than LINE's webhook timeout (2 s): a lock held too long fails the event (5xx, redelivered)
  // instead of leaving LINE waiting.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('synchronous = NORMAL');
  // Deleted rows (a person who blocked the bot, purged conversations) are overwritten with zeros, not
  // left readable in free space of the file; after a person's data is deleted the log is emptied too.
  database.pragma('secure_delete = ON');
  // Checkpoints run in a worker thread (see sqlite-checkpointer.ts), never inside a commit here.
  if (!inMemory) database.pragma('wal_autocheckpoint = 0');
  const cache = statementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cache }) });
  const statements: Statements = cache;
  if (options.migrate !== false) await migrateToLatest(db);
  const checkpointer = inMemory
    ? null
    : startCheckpointer(file, {
        intervalMs: CHECKPOINT_INTERVAL_MS,
        logger: options.logger,
        // SQLite's own default: the commit that crosses 1,000 pages checkpoints.
        onStopped: () => database.open && database.pragma('wal_autocheckpoint = 1000'),
      });

  // The group commit's own statements, run for every unit: prepared here once.
  const begin = database.prepare('BEGIN IMMEDIATE');
  const savepoint = database.prepare('SAVEPOINT turn');
  const release = database.prepare('RELEASE turn');
  const rollbackTo = database.prepare('ROLLBACK TO turn');
  const commit = database.prepare('COMMIT');
  const rollback = database.prepare('ROLLBACK');
  const writeUnitsNow = (units: UnitStatement[][]): PromiseSettledResult<void>[] => {
    begin.run();
    try {
      const outcomes = units.map((unit): PromiseSettledResult<void> => {
        savepoint.run();
        try {
          for (const statement of unit) runChecked(statement, () => statements.prepare(statement.query.sql).run(statement.query.parameters).changes as number);
          release.run();
          return { status: 'fulfilled', value: undefined };
        } catch (reason) {
          rollbackTo.run();
          release.run();
          return { status: 'rejected', reason };
        }
      });
      commit.run();
      return outcomes;
    } catch (error) {
      if (database.inTransaction) rollback.run();
      throw error;
    }
  };

  /**
   * Runs synchronous work on the one connection. While no transaction is open it runs at once: it
   * cannot interleave with anything (better-sqlite3 runs each statement to its end, and so do Kysely's
   * own queries on SQLite), and queueing behind Kysely's connection mutex cost two promise hops and
   * their garbage on every read of a turn. While a Kysely transaction is open (a staff change, a
   * reminder claim) it waits for the connection as before, so it never lands inside that transaction.
   * This holds as long as nothing keeps Kysely's connection across an `await` outside a transaction
   * (`db.connection()`, `.stream()`): the store uses neither, and must not on SQLite.
   */
  const onConnection = <T>(work: () => T): Promise<T> => {
    if (database.inTransaction) return db.connection().execute(async () => work());
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    db,
    rows: <R>(query: CompiledQuery<R>) => onConnection(() => statements.prepare(query.sql).all(query.parameters) as R[]),
    writeUnit: groupCommitEach<UnitStatement[]>((units) => onConnection(() => writeUnitsNow(units))),
    isUniqueViolation: (error) => {
      const code = (error as { code?: string } | null)?.code;
      return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
    },
    idList: (ids) => sql`(select value from json_each(${JSON.stringify(ids)}))`,
    checkpointNow: (mode) => (checkpointer ? checkpointer.now(mode) : Promise.resolve(0)),
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
