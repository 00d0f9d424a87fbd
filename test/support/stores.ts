/**
 * Stores for suites that run against both databases, and a way to read any store's tables without
 * knowing which database it is on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgresStore, openSqliteStore, type DatabaseStore } from '../../src/store/open-store';
import { freshDatabase } from './postgres';

export interface Opened {
  store: DatabaseStore;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  /** A migrated store on a database of its own. */
  open(): Promise<Opened>;
  /** A second store (another process, in effect) on the same database as `store`. */
  reopen(store: DatabaseStore): Promise<Opened>;
  /** A store on a database of its own, with no migration applied. */
  blank(): Promise<Opened>;
}

/** Where each open store's data lives (a file or a connection string), for `reopen`. */
const locations = new Map<DatabaseStore, string>();

export const sqliteStores: StoreFactory = {
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-store-'));
    const file = path.join(dir, 'guide.db');
    const store = await openSqliteStore(file);
    locations.set(store, file);
    return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
  async reopen(store) {
    return { store: await openSqliteStore(locations.get(store)!), cleanup: async () => undefined };
  },
  async blank() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-store-'));
    const store = await openSqliteStore(path.join(dir, 'guide.db'), { migrate: false });
    return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgresStores: StoreFactory = {
  async open() {
    const database = await freshDatabase();
    const store = await openPostgresStore(database.url, { poolSize: 4 });
    locations.set(store, database.url);
    return { store, cleanup: () => database.drop() };
  },
  async reopen(store) {
    return { store: await openPostgresStore(locations.get(store)!, { poolSize: 2 }), cleanup: async () => undefined };
  },
  async blank() {
    const database = await freshDatabase();
    return { store: await openPostgresStore(database.url, { poolSize: 2, migrate: false }), cleanup: () => database.drop() };
  },
};

/** Runs one statement on the store's database, `?` standing for each parameter in turn; returns its rows. */
export async function storeRows(store: DatabaseStore, query: string, ...params: unknown[]): Promise<any[]> {
  const parts = query.split('?');
  const statement = sql.join(
    parts.map((part, i) => (i < params.length ? sql`${sql.raw(part)}${params[i]}` : sql.raw(part))),
    sql``,
  );
  return (await statement.execute(store.database)).rows as any[];
}

/** A person's conversation row, read through the store the bot runs on. */
export async function conversationRow(store: DatabaseStore, userId: string): Promise<any> {
  return (await storeRows(store, 'SELECT * FROM conversations WHERE user_id = ?', userId))[0];
}
