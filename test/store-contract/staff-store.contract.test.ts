/**
 * The staff console's store contract, run against the embedded SQLite store and a real PostgreSQL
 * database: its layer over content/, the version counter every instance polls, accounts, sessions,
 * login throttling and the audit log that the retention purge never touches.
 */
import type { DatabaseStore } from '../../src/store/open-store';
import { DuplicateError, StaffStore } from '../../src/store/staff-store';
import { LiveDefinitions } from '../../src/usecases/live-definitions';
import type { StaffIbashoDate } from '../../src/domain/staff-changes';
import { describeWithPostgres } from '../support/postgres';
import { projectDefinitions, staffIbashoDate } from '../support/fixtures';
import { postgresStores, sqliteStores, type StoreFactory } from '../support/stores';

interface Opened {
  stores: [DatabaseStore, DatabaseStore];
  cleanup(): Promise<void>;
}

/** Two stores (two instances, in effect) on one database. */
async function openTwo(factory: StoreFactory): Promise<Opened> {
  const { store: a, cleanup } = await factory.open();
  const { store: b } = await factory.reopen(a);
  return { stores: [a, b], cleanup };
}

const base = projectDefinitions();
/** The instant staffIbashoDate stamps: 2026-12-01 12:00 in Tokyo. */
const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);
const held = (date: string, over: Partial<StaffIbashoDate> = {}): StaffIbashoDate => staffIbashoDate({ date, ...over });

function contract(open: () => Promise<Opened>) {
  let opened: Opened;
  let staff: StaffStore;
  let other: StaffStore;

  beforeAll(async () => {
    opened = await open();
    staff = new StaffStore(opened.stores[0].database);
    other = new StaffStore(opened.stores[1].database);
  });
  afterAll(async () => {
    await opened.stores[0].close();
    await opened.stores[1].close();
    await opened.cleanup();
  });

  test('every change of dates, notices or facts moves the version, seen by another instance', async () => {
    const before = await other.content.version();
    await staff.content.putIbashoDate(held('2026-12-22', { note: `<script>alert("x")</script>'; DROP TABLE staff_audit_log; --` }), 'ibasho.publish');
    expect(await other.content.version()).toBe(before + 1);
    const changes = await other.content.changes();
    expect(changes.version).toBe(before + 1);
    expect(changes.ibashoDates).toEqual([held('2026-12-22', { note: `<script>alert("x")</script>'; DROP TABLE staff_audit_log; --` })]);
  });

  test('a date row is replaced by a later change and can be taken back', async () => {
    await staff.content.putIbashoDate(held('2027-01-24'), 'ibasho.publish');
    await staff.content.putIbashoDate(held('2027-01-24', { status: 'moved', movedTo: '2027-01-26', at: T0 + 1 }), 'ibasho.move');
    expect(await staff.content.ibashoDate('2027-01-24')).toMatchObject({ status: 'moved', movedTo: '2027-01-26' });
    expect(await staff.content.removeIbashoDate('2027-01-24', 'tanaka', T0 + 2)).toBe(true);
    expect(await staff.content.ibashoDate('2027-01-24')).toBeNull();
    expect(await staff.content.removeIbashoDate('2027-01-24', 'tanaka', T0 + 3)).toBe(false);
  });

  test('notices and fact checks are kept and read back', async () => {
    const id = await staff.content.addNotice({ text: '年末年始はお休みです', startsOn: '2026-12-28', endsOn: '2027-01-04', windows: ['kurashi'], by: 'tanaka', at: T0 });
    await staff.content.putFactCheck({ window: 'kurashi', field: 'phone', checked: '2026-12-01', by: 'tanaka', sourceNote: '電話で確認', value: null, at: T0 });
    await staff.content.putFactCheck({ window: 'kurashi', field: 'phone', checked: '2026-12-02', by: 'suzuki', sourceNote: '区のページ', value: { value: '03-5722-9370' }, at: T0 + 1 });
    const changes = await other.content.changes();
    expect(changes.notices).toEqual([{ id, text: '年末年始はお休みです', startsOn: '2026-12-28', endsOn: '2027-01-04', windows: ['kurashi'], by: 'tanaka', at: T0 }]);
    expect(changes.factChecks).toEqual([{ window: 'kurashi', field: 'phone', checked: '2026-12-02', by: 'suzuki', sourceNote: '区のページ', value: { value: '03-5722-9370' }, at: T0 + 1 }]);
    expect(await staff.content.removeNotice(id, 'tanaka', T0 + 2)).toBe(true);
    expect((await other.content.changes()).notices).toEqual([]);
  });

  test('every change has an audit row with who, when, before and after; the purge leaves them', async () => {
    const log = await staff.content.auditLog();
    const actions = log.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['ibasho.publish', 'ibasho.move', 'ibasho.remove', 'notice.add', 'notice.remove', 'fact.check', 'fact.correct']));
    const move = log.find((e) => e.action === 'ibasho.move')!;
    expect(move).toMatchObject({ actor: 'tanaka', subject: 'ibasho:2027-01-24', before: { status: 'held' }, after: { status: 'moved', movedTo: '2027-01-26' } });
    await opened.stores[0].purge({ conversationsIdleSince: Date.now() + 1e9, eventsBefore: Date.now() + 1e9, remindersBefore: Date.now() + 1e9 });
    await staff.access.purgeExpired(Date.now() + 1e9, Date.now() + 1e9);
    expect((await staff.content.auditLog()).length).toBe(log.length);
  });

  test('accounts: added once, disabled, reset; the hash never reaches the audit log', async () => {
    await staff.access.addAccount('tanaka', '$argon2id$hash-one', 'cli', T0);
    await expect(staff.access.addAccount('tanaka', '$argon2id$hash-two', 'cli', T0)).rejects.toBeInstanceOf(DuplicateError);
    expect(await other.access.account('tanaka')).toMatchObject({ username: 'tanaka', passwordHash: '$argon2id$hash-one', disabled: false });
    await staff.access.saveSession('sid-1', 'tanaka', '{"user":"tanaka"}', T0 + 60_000);
    expect(await staff.access.disableAccount('tanaka', 'cli', T0)).toBe(true);
    expect(await other.access.account('tanaka')).toMatchObject({ disabled: true });
    expect(await staff.access.session('sid-1', T0)).toBeNull();
    expect(await staff.access.resetPassword('tanaka', '$argon2id$hash-three', 'cli', T0)).toBe(true);
    expect(await other.access.account('tanaka')).toMatchObject({ disabled: false, passwordHash: '$argon2id$hash-three' });
    expect(await staff.access.disableAccount('nobody', 'cli', T0)).toBe(false);
    expect((await staff.access.accounts()).map((a) => a.username)).toEqual(['tanaka']);
    expect(JSON.stringify(await staff.content.auditLog())).not.toContain('$argon2id');
  });

  test('sessions are shared between instances, expire and end', async () => {
    await staff.access.saveSession('sid-2', 'tanaka', '{"n":1}', T0 + 1000);
    expect(await other.access.session('sid-2', T0)).toBe('{"n":1}');
    expect(await other.access.session('sid-2', T0 + 1000)).toBeNull();
    await other.access.touchSession('sid-2', T0 + 5000);
    expect(await staff.access.session('sid-2', T0 + 1000)).toBe('{"n":1}');
    await staff.access.saveSession('sid-2', 'tanaka', '{"n":2}', T0 + 5000);
    expect(await other.access.session('sid-2', T0)).toBe('{"n":2}');
    await other.access.destroySession('sid-2');
    expect(await staff.access.session('sid-2', T0)).toBeNull();
  });

  test('login failures are counted per key across instances, within a time window', async () => {
    await staff.access.recordLoginFailure(['ip:10.0.0.1', 'user:tanaka'], T0);
    await other.access.recordLoginFailure(['ip:10.0.0.1', 'user:tanaka'], T0 + 1000);
    expect(await staff.access.loginFailures('user:tanaka', T0)).toBe(2);
    expect(await staff.access.loginFailures('user:tanaka', T0 + 500)).toBe(1);
    await other.access.clearLoginFailures('user:tanaka');
    expect(await staff.access.loginFailures('user:tanaka', 0)).toBe(0);
    expect(await staff.access.loginFailures('ip:10.0.0.1', 0)).toBe(2);
  });

  test('LiveDefinitions on another instance picks up a change at its next poll', async () => {
    const live = new LiveDefinitions(base, other.content);
    await live.refresh();
    expect(live.view.content.ibasho.dates.map((d) => d.date)).toContain('2026-12-22');
    expect(await live.refresh()).toBe(false);
    await staff.content.putIbashoDate(held('2027-02-28'), 'ibasho.publish');
    expect(await live.refresh()).toBe(true);
    expect(live.view.content.ibasho.dates.find((d) => d.date === '2027-02-28')).toMatchObject({ status: 'held', source: expect.stringContaining('tanaka') });
    expect(base.content.ibasho.dates).toEqual([]);
  });
}

describe('staff store on SQLite', () => contract(() => openTwo(sqliteStores)));
describeWithPostgres('staff store on PostgreSQL', () => contract(() => openTwo(postgresStores)));
