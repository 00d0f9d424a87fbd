import type { CompiledQuery, Kysely, RawBuilder } from 'kysely';
import type { Database } from './schema';

/** How one statement of a write unit ended: the rows it changed, or the error it raised. */
export type StatementOutcome = { changes: number } | { error: unknown };

/** One statement of a write unit and what its outcome means: `check` throws to undo the whole unit. */
export interface UnitStatement {
  query: CompiledQuery;
  check(outcome: StatementOutcome): void;
}

/**
 * What differs between SQLite and PostgreSQL, injected into every store module; everything else is
 * the same SQL, built by Kysely on `db`. Upserts need nothing here: both speak `ON CONFLICT`.
 */
export interface StoreEngine {
  readonly db: Kysely<Database>;
  /**
   * Runs one read of a turn's hot path, outside any transaction. (On SQLite it and writeUnit may run
   * at once between Kysely's queries: no store module may hold `db.connection()` or a `.stream()`
   * across an `await` outside a transaction.)
   */
  rows<R>(query: CompiledQuery<R>): Promise<R[]>;
  /**
   * Runs the statements of a turn as one atomic unit: all of them or none. Rejects with what a
   * `check` threw, or with the database's error.
   */
  writeUnit(statements: UnitStatement[]): Promise<void>;
  /** A primary key or unique constraint refused the row. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * A list of ids for `column in <list>`, as one SQL text whatever its length (SQLite reads it from
   * JSON, PostgreSQL from an array), so a statement over a batch is prepared once.
   */
  idList(ids: readonly string[]): RawBuilder<unknown>;
  /**
   * Copies SQLite's write-ahead log into the database file now; resolves with the frames copied (0
   * elsewhere). `truncate` waits for readers and the writer and empties the log file.
   */
  checkpointNow(mode?: 'passive' | 'truncate'): Promise<number>;
  close(): Promise<void>;
}

/** Runs one statement of a unit and hands its outcome to its check (which throws to undo the unit). */
export function runChecked(statement: UnitStatement, execute: () => number): void {
  let outcome: StatementOutcome;
  try {
    outcome = { changes: execute() };
  } catch (error) {
    outcome = { error };
  }
  statement.check(outcome);
}
