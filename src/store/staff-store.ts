import type { Kysely } from 'kysely';
import type { StaffStore as StaffStorePort } from '../usecases/ports';
import { StaffAccessStore } from './staff-access-store';
import { StaffContentStore } from './staff-content-store';

/**
 * The staff console's persistence on one database (SQLite or PostgreSQL, the same SQL through
 * Kysely): what the bot says (content) and who may change it (access). The port is in usecases/ports.ts.
 */
export class StaffStore implements StaffStorePort {
  readonly content: StaffContentStore;
  readonly access: StaffAccessStore;

  constructor(database: Kysely<any>) {
    this.content = new StaffContentStore(database);
    this.access = new StaffAccessStore(database);
  }
}
