/**
 * The LINE messenger's wire: the SDK client, used through its public methods, sends with the global
 * fetch, on the process-wide undici agent that src/line/line-http.ts installs (keep-alive, timeout).
 * These tests hold what reaches LINE and how failures are classified.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fetch as undiciFetch, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { useLineHttpAgent } from '../../src/line/line-http';
import { LineMessenger } from '../../src/line/line-messenger';
import type { Reply } from '../../src/domain/reply';
import { SendError } from '../../src/usecases/ports';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';

const TOKEN = 'test-channel-access-token';
const text: Reply = { messages: [{ kind: 'text', text: 'こんにちは' }], choices: [] };

async function failureOf(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SendError);
    return error as SendError;
  }
  throw new Error('expected the call to fail');
}

/** A bare server for what the stand-in does not do: hang, drop, close idle connections. */
async function startRawServer(handler: http.RequestListener, options: { keepAliveTimeout?: number } = {}) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = http.createServer(handler);
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('against the stand-in LINE API', () => {
  let fake: FakeLineApi;
  let messenger: LineMessenger;
  beforeAll(async () => {
    fake = await startFakeLineApi({ channelAccessToken: TOKEN });
    messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: fake.baseUrl });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  test('reply, push and multicast carry what the SDK sends: its User-Agent, the token, JSON, the retry key', async () => {
    await messenger.reply('reply-token-1', text);
    await messenger.push('U' + '1'.repeat(32), text, '123e4567-e89b-42d3-a456-426614174000');
    await messenger.multicast(['U' + '2'.repeat(32), 'U' + '3'.repeat(32)], text, '123e4567-e89b-42d3-a456-426614174001');
    expect(fake.violations()).toEqual([]);
    expect(fake.replies()).toHaveLength(1);
    expect(fake.replies()[0]!.replyToken).toBe('reply-token-1');
    expect(fake.pushes()[0]!.retryKey).toBe('123e4567-e89b-42d3-a456-426614174000');
    expect(fake.multicasts()[0]!.to).toHaveLength(2);
    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(3);
    for (const request of posts) {
      expect(request.headers['user-agent']).toMatch(/^@line\/bot-sdk\/\d+\.\d+\.\d+$/);
      expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(Number(request.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(request.body)));
    }
  });

  test('calls that are not JSON POSTs still go through the SDK (the quota)', async () => {
    fake.setQuota({ limit: 200, used: 12 });
    await expect(messenger.quota()).resolves.toEqual({ limit: 200, used: 12 });
  });

  test.each([
    [500, 'retryable'],
    [429, 'retryable'],
    [409, 'already-accepted'],
    [403, 'rejected'],
  ])('LINE answers %i → %s, with LINE status kept', async (status, failure) => {
    fake.script('POST', '/v2/bot/message/push', [{ status, body: { message: 'scripted' } }]);
    const error = await failureOf(messenger.push('U' + '1'.repeat(32), text, '123e4567-e89b-42d3-a456-426614174002'));
    expect(error.failure).toBe(failure);
    expect(error.status).toBe(status);
    expect(error.message).toContain('scripted');
  });

  test('an expired reply token → invalid-reply-token, so the use case can push instead', async () => {
    fake.script('POST', '/v2/bot/message/reply', [{ status: 400, body: { message: 'Invalid reply token' } }]);
    const error = await failureOf(messenger.reply('old-token', text));
    expect(error.failure).toBe('invalid-reply-token');
  });

  test('a wrong access token → rejected (401), never retried as if LINE were down', async () => {
    const wrong = new LineMessenger({ channelAccessToken: 'wrong', baseURL: fake.baseUrl });
    const error = await failureOf(wrong.reply('t', text));
    expect(error).toMatchObject({ failure: 'rejected', status: 401 });
  });
});

describe('the connection, on the agent the server installs', () => {
  // Jest runs this file in a vm context: Node's built-in fetch reads its dispatcher from the outer
  // global, which setGlobalDispatcher here cannot reach. undici's own fetch is the same code reading
  // this context's global, so the SDK's global fetch is swapped for it while these tests run (in a
  // real process, the built-in fetch honours the agent: BENCHMARKS.md shows one connection reused).
  let previous: Dispatcher;
  const builtInFetch = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = undiciFetch as unknown as typeof fetch;
    previous = getGlobalDispatcher();
    useLineHttpAgent();
  });
  afterAll(async () => {
    const ours = getGlobalDispatcher();
    setGlobalDispatcher(previous);
    globalThis.fetch = builtInFetch;
    await ours.close();
  });

  test('connections are reused: twenty calls in a row open at most two', async () => {
    const server = await startRawServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    try {
      const messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
      for (let i = 0; i < 20; i++) await messenger.reply(`t${i}`, text);
      // undici may open a second socket when a call starts before the first socket is back in the
      // pool (the SDK reads the answer, then returns); without keep-alive this would be 20.
      expect(server.connections()).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });

  test('a socket the server closed while idle is not reused: the next call succeeds', async () => {
    const server = await startRawServer(
      (req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      },
      { keepAliveTimeout: 50 },
    );
    try {
      const messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
      await messenger.reply('t1', text);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await messenger.reply('t2', text);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  test('LINE not answering → retryable after the timeout, not a hang', async () => {
    const server = await startRawServer(() => {
      // Never answers.
    });
    const production = getGlobalDispatcher();
    const short = useLineHttpAgent({ timeoutMs: 200 });
    try {
      const messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
      const started = Date.now();
      const error = await failureOf(messenger.reply('t', text));
      expect(error.failure).toBe('retryable');
      expect(error.message).toContain('UND_ERR_HEADERS_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      setGlobalDispatcher(production);
      await short.destroy();
      await server.close();
    }
  });

  test('the connection dropped mid-call → retryable', async () => {
    const server = await startRawServer((req) => req.socket.destroy());
    try {
      const messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
      const error = await failureOf(messenger.reply('t', text));
      expect(error).toMatchObject({ failure: 'retryable', status: null });
    } finally {
      await server.close();
    }
  });

  test('nothing listening → retryable', async () => {
    const server = await startRawServer(() => undefined);
    const { baseUrl } = server;
    await server.close();
    const messenger = new LineMessenger({ channelAccessToken: TOKEN, baseURL: baseUrl });
    const error = await failureOf(messenger.reply('t', text));
    expect(error).toMatchObject({ failure: 'retryable', status: null });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});
