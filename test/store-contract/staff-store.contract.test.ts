/**
 * The staff console's store contract, run against the embedded SQLite store and a real PostgreSQL
 * database: its layer over content/, the version counter every instance polls, accounts, sessions,
 * login throttling and the audit log that the retention purge never touches.
 */
import type { DatabaseStore } from '../../src/store/open-store';
import { StaffStore } from '../../src/store/staff-store';
import { DuplicateError } from '../../src/usecases/ports';
import { LiveDefinitions } from '../../src/usecases/live-definitions';
import type { StaffIbashoDate } from '../../src/domain/staff-changes/change';
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
    // A new password does not bring a disabled account back: that takes `staff enable`.
    expect(await other.access.account('tanaka')).toMatchObject({ disabled: true, passwordHash: '$argon2id$hash-three' });
    expect(await staff.access.enableAccount('tanaka', 'cli', T0)).toBe(true);
    expect(await other.access.account('tanaka')).toMatchObject({ disabled: false });
    expect(await staff.access.enableAccount('nobody', 'cli', T0)).toBe(false);
    expect((await staff.content.auditLog()).find((e) => e.action === 'account.enable')).toMatchObject({ actor: 'cli', subject: 'account:tanaka', before: { disabled: true }, after: { disabled: false } });
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

  test('login attempts are reserved atomically: of 30 parallel tries on two instances exactly the free ones pass', async () => {
    const rule = { free: 5, delayMs: 60_000, maxDelayMs: 240_000, quietMs: 86_400_000 };
    const tries = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? staff : other).access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0)));
    expect(tries.filter((t) => t.allowed)).toHaveLength(5);
    expect(tries.find((t) => !t.allowed)).toEqual({ allowed: false, until: T0 + 60_000 });
    // The block grows: one more try after each block, each followed by a block twice as long, up to the maximum.
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 59_999)).toEqual({ allowed: false, until: T0 + 60_000 });
    expect(await other.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 60_000)).toEqual({ allowed: true });
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 60_001)).toEqual({ allowed: false, until: T0 + 180_000 });
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 180_000)).toEqual({ allowed: true });
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 180_000)).toEqual({ allowed: false, until: T0 + 420_000 });
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 420_000)).toEqual({ allowed: true });
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 420_000)).toEqual({ allowed: false, until: T0 + 660_000 });
    // Other keys are untouched; a success clears a key; a key quiet for a day starts afresh.
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.2:tanaka', rule, T0)).toEqual({ allowed: true });
    await other.access.clearLoginAttempts(['pair:10.0.0.1:tanaka']);
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.1:tanaka', rule, T0 + 420_001)).toEqual({ allowed: true });
    for (let i = 0; i < 5; i++) await staff.access.reserveLoginAttempt('ip:10.0.0.3', rule, T0);
    expect((await staff.access.reserveLoginAttempt('ip:10.0.0.3', rule, T0)).allowed).toBe(false);
    expect(await staff.access.reserveLoginAttempt('ip:10.0.0.3', rule, T0 + 86_400_001)).toEqual({ allowed: true });
    await staff.access.purgeExpired(T0, T0 + 86_400_001);
    expect(await staff.access.reserveLoginAttempt('pair:10.0.0.2:tanaka', rule, T0 + 1)).toEqual({ allowed: true });
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
