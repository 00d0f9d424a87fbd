/**
 * The staff console on two real server processes sharing one PostgreSQL: a session made on one works
 * on the other, and a change made through one is served by the other within 5 seconds.
 */
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { randomBytes } from 'node:crypto';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, replyText } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { followEvent, signBody, textEvent, webhookBody, type WebhookEvent } from '../support/line-webhook';
import { describeWithPostgres, freshDatabase } from '../support/postgres';
import { openPostgresStore } from '../../src/store/open-store';
import { StaffStore } from '../../src/store/staff-store';
import { hashPassword } from '../../src/staff/passwords';
import { addDays, dateParts, localDateOf } from '../../src/domain/calendar';

type Instance = ServerProcess;
const startInstance = (env: Record<string, string>) => startServerProcess(env);
const stop = stopServerProcess;

const PASSWORD = 'correct horse battery staple';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

describeWithPostgres('the staff console on two instances sharing PostgreSQL', () => {
  let fake: FakeLineApi;
  let database: { url: string; drop(): Promise<void> };
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
    database = await freshDatabase();
    const env = { DATABASE_URL: database.url, LINE_API_BASE_URL: fake.baseUrl };
    a = await startInstance(env);
    b = await startInstance(env);
    const store = await openPostgresStore(database.url, { poolSize: 1 });
    await new StaffStore(store.database).access.addAccount('tanaka', await hashPassword(PASSWORD), 'test', Date.now());
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a && stop(a), b && stop(b)]);
    await fake.close();
    await database.drop();
  });

  async function ask(instance: Instance, user: string, text: string): Promise<string> {
    const before = fake.replies().length;
    const body = webhookBody([textEvent(user, text)] as WebhookEvent[]);
    const response = await fetch(`${instance.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) }, body });
    expect(response.status).toBe(200);
    return replyText(fake.replies()[before]!.messages);
  }

  test('logged in on A, the session works on B; a date published on A is served by B within 5 seconds', async () => {
    const form = await fetch(`${a.url}/admin/login`);
    const login = await fetch(`${a.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), username: 'tanaka', password: PASSWORD }).toString(),
    });
    expect(login.status).toBe(303);
    const cookie = cookieOf(login);

    const onB = await fetch(`${b.url}/admin/ibasho`, { headers: { cookie }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    const csrf = csrfOf(await onB.text());

    const user = `U${randomBytes(16).toString('hex')}`;
    const follow = webhookBody([followEvent(user)] as WebhookEvent[]);
    await fetch(`${b.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(follow, CHANNEL_SECRET) }, body: follow });
    expect(await ask(b, user, 'いばしょ')).toContain('予定');

    // Tomorrow in Tokyo, by the real clock the servers read.
    const date = addDays(localDateOf(new Date()), 1);
    const { month, day } = dateParts(date);
    const published = await fetch(`${a.url}/admin/ibasho/publish`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, date }).toString(),
    });
    expect(published.status).toBe(303);

    // "Within 5 seconds": a turn that starts on B 5 seconds after A accepted the change must show it.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const answer = await ask(b, user, 'いばしょ');
    expect(answer).toContain(`${month}月${day}日`);
    expect(answer).not.toContain('予定');
  });
});
