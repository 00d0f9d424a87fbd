/**
 * Runs the real app (compose) against the stand-in LINE API, with a fresh SQLite file, a settable
 * clock and captured JSON logs. Requests go through supertest to the Express app in-process (real
 * HTTP on an ephemeral port per request); webhooks are signed with the channel secret, exactly as
 * LINE sends them. `url` is the same app listening on 127.0.0.1:0, for a real browser.
 */
import { createServer } from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { compose, type Composed } from '../../src/compose';
import { readConfig } from '../../src/config';
import { createLogger } from '../../src/log/pino-logger';
import { startFakeLineApi, type FakeLineApi } from './fake-line-api';
import { postbackEvent, signBody, stampEventsAt, webhookBody, type WebhookEvent } from './line-webhook';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CHANNEL_SECRET = '7e57c4a22e15ec2e70123456789abcde';
export const CHANNEL_ACCESS_TOKEN = 'test-channel-access-token';

export interface BotHarness {
  url: string;
  fake: FakeLineApi;
  composed: Composed;
  dataDir: string;
  /** supertest on the Express app: `bot.http().get('/healthz')`. */
  http(): ReturnType<typeof supertest>;
  /** Every log line the server wrote, as parsed JSON, and as raw text. */
  logs: Record<string, unknown>[];
  logText(): string;
  setNow(instant: Date | string): void;
  /** Signs and posts events; resolves with the HTTP status and body. */
  send(events: WebhookEvent[], options?: { signature?: string | null }): Promise<{ status: number; body: string }>;
  post(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startBot(options: { now?: Date | string; env?: Record<string, string>; dataDir?: string } = {}): Promise<BotHarness> {
  const fake = await startFakeLineApi({ channelAccessToken: CHANNEL_ACCESS_TOKEN });
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'guide-test-'));
  let now = new Date(options.now ?? '2026-11-25T01:00:00Z');
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = readConfig(
    {
      LINE_CHANNEL_SECRET: CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN,
      LINE_API_BASE_URL: fake.baseUrl,
      DATA_DIR: dataDir,
      PORT: '0',
      ...options.env,
    },
    ROOT,
  );
  const composed = await compose(config, { logger: createLogger('debug', capture), clock: { now: () => now } });
  stampEventsAt(() => now);
  const server: Server = await new Promise((resolve) => {
    const s = createServer(composed.handleRequest).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const http = () => supertest(composed.handleRequest);
  const post = async (body: string, headers: Record<string, string>) => {
    const response = await http().post('/webhook').set({ 'content-type': 'application/json', ...headers }).send(body);
    return { status: response.status, body: response.text };
  };

  return {
    url,
    fake,
    composed,
    dataDir,
    http,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    setNow(instant) {
      now = new Date(instant);
    },
    send(events, sendOptions = {}) {
      const body = webhookBody(events);
      const signature = sendOptions.signature === undefined ? signBody(body, CHANNEL_SECRET) : sendOptions.signature;
      return post(body, signature === null ? {} : { 'x-line-signature': signature });
    },
    post,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.close();
      await fake.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The text of every message of a recorded reply, flex cards flattened to their texts and button URIs. */
export function replyText(messages: any[]): string {
  const texts: string[] = [];
  const walk = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      if (typeof node.text === 'string') texts.push(node.text);
      if (typeof node.altText === 'string') texts.push(node.altText);
      if (node.action?.uri) texts.push(node.action.uri);
      Object.entries(node).forEach(([key, value]) => key !== 'quickReply' && walk(value));
    }
  };
  walk(messages);
  return texts.join('\n');
}

/** tel: URIs of the buttons in a reply. */
export function telLinks(messages: any[]): string[] {
  return (JSON.stringify(messages).match(/"tel:[^"]+"/g) ?? []).map((s) => s.slice(1, -1));
}

/** Sends one event, expects 200 and exactly one reply to it, and returns that reply's messages. */
export async function say(bot: BotHarness, event: WebhookEvent): Promise<any[]> {
  const before = bot.fake.replies().length;
  const response = await bot.send([event]);
  expect(response.status).toBe(200);
  const replies = bot.fake.replies();
  expect(replies.length).toBe(before + 1);
  return replies[replies.length - 1]!.messages;
}

/**
 * A fresh bot for every test of the file (Wednesday 2026-11-25 10:00 in Tokyo unless told otherwise),
 * whose requests to LINE are checked against its spec after each test; `say` sends to it.
 */
export function botPerTest(
  options: Parameters<typeof startBot>[0] | (() => Parameters<typeof startBot>[0]) = { now: '2026-11-25T01:00:00Z' },
): { readonly bot: BotHarness; say(event: WebhookEvent): Promise<any[]> } {
  let current: BotHarness | undefined;
  beforeEach(async () => {
    // A function is read before each test: for options a beforeAll prepares (a content folder, say).
    current = await startBot(typeof options === 'function' ? options() : options);
  });
  afterEach(async () => {
    expect(current!.fake.violations()).toEqual([]);
    await current!.close();
  });
  return {
    get bot() {
      return current!;
    },
    say: (event) => say(current!, event),
  };
}

/** The postback of tapping the quick reply whose label contains `label` (throws if there is none). */
export function tap(user: string, messages: any[], label: string): WebhookEvent {
  const item = quickReplies(messages).find((q) => q.label.includes(label));
  if (!item) throw new Error(`no quick reply "${label}" in ${JSON.stringify(quickReplies(messages))}`);
  return postbackEvent(user, item.data);
}

/** Quick reply items (label and postback data) of the last message. */
export function quickReplies(messages: any[]): { label: string; data: string }[] {
  const last = messages[messages.length - 1];
  return (last?.quickReply?.items ?? []).map((item: any) => ({ label: item.action.label, data: item.action.data }));
}
