/**
 * A person who blocks the bot is forgotten on disk too: after the unfollow, their LINE id can be found
 * in neither the SQLite file nor its write-ahead log (secure_delete overwrites deleted rows with zeros,
 * and the log is checkpointed and emptied). A real server process, its real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHANNEL_SECRET } from '../support/bot-harness';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { newUser } from '../support/fixtures';
import { followEvent, signBody, textEvent, unfollowEvent, webhookBody, type WebhookEvent } from '../support/line-webhook';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../support/server-process';
import { tempDirs } from '../support/temp-dirs';

const tempDir = tempDirs();
let fake: FakeLineApi;
let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('guide-forget-');
  fake = await startFakeLineApi({ channelAccessToken: 'test-channel-access-token' });
  server = await startServerProcess({ DATA_DIR: dataDir, LINE_API_BASE_URL: fake.baseUrl });
});
afterAll(async () => {
  await stopServerProcess(server);
  await fake.close();
});

async function send(event: WebhookEvent): Promise<void> {
  const body = webhookBody([event]);
  const res = await fetch(`${server.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) }, body });
  expect(res.status).toBe(200);
}

/** Which of the database's files hold these bytes now. */
const filesHolding = (text: string) =>
  ['guide.db', 'guide.db-wal'].filter((name) => {
    const file = path.join(dataDir, name);
    return fs.existsSync(file) && fs.readFileSync(file).includes(Buffer.from(text));
  });

async function pollUntil(check: () => boolean, ms = 5_000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((resolve) => setTimeout(resolve, 100))) if (check()) return true;
  return check();
}

test('after an unfollow the LINE id is in neither the database file nor its log', async () => {
  const user = newUser();
  const other = newUser();
  for (const id of [user, other]) {
    await send(followEvent(id));
    await send(textEvent(id, 'いばしょ'));
  }
  // Stored first (so that the search below can find an id at all), and copied into the file by the checkpointer.
  expect(await pollUntil(() => filesHolding(user).includes('guide.db'))).toBe(true);
  await send(unfollowEvent(user));
  expect(await pollUntil(() => filesHolding(user).length === 0)).toBe(true);
  expect(filesHolding(other)).toContain('guide.db');
});
