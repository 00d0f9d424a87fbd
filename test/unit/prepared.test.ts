import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { prepared } from '../../src/store/prepared';

interface Db {
  t: { a: string; b: string; c: number };
}

// Compiling needs a dialect but never a connection.
const sqlite = new Kysely<Db>({ dialect: new SqliteDialect({ database: {} as never }) });
const postgres = new Kysely<Db>({ dialect: new PostgresDialect({ pool: {} as never }) });

describe('prepared', () => {
  test('binds named values in placeholder order, keeping the constants of the query', () => {
    const query = prepared<{ a: string; c: number }>((p) => sqlite.selectFrom('t').select('a').where('c', '=', p.c).where('b', '=', 'fixed').where('a', '=', p.a));
    const bound = query({ a: 'x', c: 7 });
    expect(bound).toEqual({
      sql: 'select "a" from "t" where "c" = ? and "b" = ? and "a" = ?',
      parameters: [7, 'fixed', 'x'],
    });
    expect(query({ a: 'y', c: 8 }).parameters).toEqual([8, 'fixed', 'y']);
  });

  test('a value used twice is bound twice; PostgreSQL numbers its placeholders', () => {
    const query = prepared<{ a: string }>((p) => postgres.updateTable('t').set({ b: p.a }).where('a', '=', p.a));
    expect(query({ a: 'z' })).toEqual({ sql: 'update "t" set "b" = $1 where "a" = $2', parameters: ['z', 'z'] });
  });

  test('the same SQL text every call, so a statement cache keyed on it hits', () => {
    const query = prepared<{ a: string }>((p) => sqlite.selectFrom('t').selectAll().where('a', '=', p.a));
    expect(query({ a: '1' }).sql).toBe(query({ a: '2' }).sql);
  });
});
