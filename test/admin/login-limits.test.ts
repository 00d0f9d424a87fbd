/**
 * The login limits and the stranger's cost, as an attacker meets them: real HTTP against a real server
 * process behind a proxy (TRUST_PROXY=on, the test standing in for the proxy on 127.0.0.1 and
 * appending the client's address to X-Forwarded-For as nginx's $proxy_add_x_forwarded_for does), on
 * its SQLite file.
 */
import path from 'node:path';
import { hashPassword } from '../../src/staff/passwords';
import { openSqliteStore, type DatabaseStore } from '../../src/store/open-store';
import { StaffStore } from '../../src/store/staff-store';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { openLoginForm, postLogin } from '../support/staff-login';
import { storeRows } from '../support/stores';
import { tempDirs } from '../support/temp-dirs';

const tempDir = tempDirs();
const PASSWORD = 'plum blossom window seat';

let server: ServerProcess;
let store: DatabaseStore;

/** What the proxy sends on: whatever the client wrote, then the address it came from. */
const through = (client: string, written?: string) => ({ 'x-forwarded-for': written ? `${written}, ${client}` : client });

beforeAll(async () => {
  const dataDir = tempDir('guide-login-');
  server = await startServerProcess({ TRUST_PROXY: 'on', DATA_DIR: dataDir });
  store = await openSqliteStore(path.join(dataDir, 'guide.db'));
  const staff = new StaffStore(store.database);
  const hash = await hashPassword(PASSWORD);
  for (const name of ['tanaka', 'suzuki']) await staff.access.addAccount(name, hash, 'test', Date.now());
});
afterAll(async () => {
  await stopServerProcess(server);
  await store.close();
});

test('30 wrong passwords at once on one session: at most 5 are evaluated, the right one is refused while locked, and staff elsewhere still get in', async () => {
  const client = '203.0.113.10';
  const form = await openLoginForm(server.url, through(client));
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => postLogin(server.url, form, 'tanaka', `wrong guess ${i}`, through(client))));
  const statuses = answers.map((r) => r.status);
  expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
  expect(statuses.filter((s) => s === 429)).toHaveLength(30 - statuses.filter((s) => s === 401).length);
  const failed = await storeRows(store, "SELECT count(*) AS n FROM staff_audit_log WHERE action = 'account.login-failed' AND subject = 'account:tanaka'");
  expect(Number(failed[0].n)).toBe(statuses.filter((s) => s === 401).length);
  expect((await postLogin(server.url, form, 'tanaka', PASSWORD, through(client))).status).toBe(429);
  const office = '198.51.100.20';
  expect((await postLogin(server.url, await openLoginForm(server.url, through(office)), 'tanaka', PASSWORD, through(office))).status).toBe(303);
});

test('a new address written into X-Forwarded-For by the client does not reset its limits', async () => {
  const client = '203.0.113.11';
  for (let i = 0; i < 5; i++) {
    const forged = `10.9.${i}.1`;
    const res = await postLogin(server.url, await openLoginForm(server.url, through(client, forged)), 'suzuki', 'wrong password', through(client, forged));
    expect(res.status).toBe(401);
  }
  const forged = '10.9.99.1';
  const blocked = await postLogin(server.url, await openLoginForm(server.url, through(client, forged)), 'suzuki', PASSWORD, through(client, forged));
  expect(blocked.status).toBe(429);
  // The forged addresses got no limits of their own: only the client's address was counted.
  const keys = (await storeRows(store, 'SELECT key FROM staff_login_throttle')).map((r) => r.key as string);
  expect(keys.filter((k) => k.includes('10.9.'))).toEqual([]);
  expect(keys).toEqual(expect.arrayContaining([`ip:${client}`, `pair:${client}:suzuki`]));
});

test('400 strangers opening the login page add no row anywhere in the store', async () => {
  const everyRow = async () => {
    const tables = (await storeRows(store, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name as string);
    let total = 0;
    for (const table of tables) total += Number((await storeRows(store, `SELECT count(*) AS n FROM "${table}"`))[0].n);
    return total;
  };
  const before = await everyRow();
  const pages = await Promise.all(Array.from({ length: 400 }, async (_, i) => (await fetch(`${server.url}/admin/login`, { headers: through(`192.0.2.${i % 250}`) })).status));
  expect(pages.every((s) => s === 200)).toBe(true);
  expect(await everyRow()).toBe(before);
});
