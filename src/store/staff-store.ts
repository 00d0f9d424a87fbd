import type { Kysely } from 'kysely';
import { StaffAccessStore } from './staff-access-store';
import { StaffContentStore } from './staff-content-store';

export { DuplicateError, type AuditEntry, type StaffAccount, type StaffTables } from './staff-tables';

/** The staff console's persistence on one database: what the bot says (content) and who may change it (access). */
export class StaffStore {
  readonly content: StaffContentStore;
  readonly access: StaffAccessStore;

  constructor(database: Kysely<any>) {
    this.content = new StaffContentStore(database);
    this.access = new StaffAccessStore(database);
  }
}
