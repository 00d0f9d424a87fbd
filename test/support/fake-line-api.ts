/**
 * A stand-in for the LINE Messaging API (api.line.me and api-data.line.me) on 127.0.0.1.
 *
 * Point the real SDK at it:
 *   new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: fake.baseUrl })
 *
 * Every request is recorded and checked against LINE's OpenAPI spec (./line-openapi) and LINE's
 * documented limits (./line-limits.ts). A request with violations gets the 400 LINE would give and
 * is not counted as accepted. Tests should normally end with `expect(fake.violations()).toEqual([])`.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkMessageLimits, checkRichMenuLimits } from './line-limits';
import { loadLineSpec, type SpecIssue, type SpecOperation } from './line-openapi-validator';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  status: number;
  violations: string[];
  at: number;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  /** Record as accepted by LINE (retry key becomes used) even though status is an error. Default false. */
  accept?: boolean;
  delayMs?: number;
}

/**
 * How much of each request is checked. 'full' (the default): LINE's OpenAPI schema and documented
 * limits on every JSON body. 'shallow': only route, auth, required parameters, retry key and JSON
 * syntax; for load runs, where ajv would take CPU from the system being measured on the same machine.
 */
export type ValidationMode = 'full' | 'shallow';

/** A call LINE accepted, as seen by `onAccepted`. */
export interface AcceptedCall {
  kind: 'reply' | 'push' | 'multicast';
  body: any;
  retryKey?: string;
  /** When the request had fully arrived: performance.timeOrigin + performance.now(), in ms. */
  at: number;
}

export interface FakeLineApiOptions {
  port?: number;
  channelAccessToken?: string;
  /** Default 'full'. Changeable later with `setValidation`. */
  validation?: ValidationMode;
  /**
   * Keep at most this many entries in `requests` and in each of replies/pushes/multicasts, dropping
   * the oldest (for long runs). Default: keep everything. `violationCount()` still counts them all.
   */
  maxRecords?: number;
  /** Called for every reply, push and multicast LINE accepted, as it is accepted. */
  onAccepted?: (call: AcceptedCall) => void;
  /**
   * Signs the verification webhook that `testWebhookEndpoint` really sends to the endpoint, as LINE
   * does. Without it the body is signed with some other secret, which a bot must refuse.
   */
  channelSecret?: string;
  /** PEM certificate(s) to trust for an https endpoint instead of the system's (a test's own CA). */
  webhookCa?: string;
}

/** The channel as `getBotInfo` describes it (GET /v2/bot/info). */
export interface FakeBotInfo {
  userId: string;
  basicId: string;
  displayName: string;
  chatMode: 'chat' | 'bot';
  markAsReadMode: 'auto' | 'manual';
}

export const FAKE_BOT_INFO: FakeBotInfo = {
  userId: `U${'5e'.repeat(16)}`,
  basicId: '@000test',
  displayName: 'めぐろ ひきこもり支援ガイド(テスト)',
  chatMode: 'bot',
  markAsReadMode: 'auto',
};

export interface FakeLineApi {
  baseUrl: string;
  requests: RecordedRequest[];
  violations(): string[];
  /** Violations since start or the last reset(), including those of records dropped by `maxRecords`. */
  violationCount(): number;
  setValidation(mode: ValidationMode): void;
  replies(): { replyToken: string; messages: any[] }[];
  pushes(): { to: string; messages: any[]; retryKey?: string }[];
  multicasts(): { to: string[]; messages: any[]; retryKey?: string }[];
  script(method: string, pathPrefix: string, responses: ScriptedResponse[]): void;
  setQuota(q: { limit: number | null; used: number }): void;
  setBotInfo(info: Partial<FakeBotInfo>): void;
  /** The channel's webhook settings: the URL (null before one is set) and the console's "Use webhook". */
  webhook(): { endpoint: string | null; active: boolean };
  setWebhookActive(active: boolean): void;
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface AcceptedRetry {
  requestId: string;
  sentMessages?: SentMessage[];
}

interface SentMessage {
  id: string;
  quoteToken: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// LINE's own wording for these responses.
const AUTH_FAILED = 'Authentication failed. Confirm that the access token in the authorization header is valid.';
const INVALID_REPLY_TOKEN = 'Invalid reply token';
const RETRY_KEY_ACCEPTED = 'The retry key is already accepted';
const MONTHLY_LIMIT = 'You have reached your monthly limit.';

export async function startFakeLineApi(opts: FakeLineApiOptions = {}): Promise<FakeLineApi> {
  const spec = loadLineSpec();
  let validation: ValidationMode = opts.validation ?? 'full';
  let violationCount = 0;
  const cap = <T>(list: T[]): void => {
    // Dropping a quarter at a time keeps the cost per request constant on average.
    if (opts.maxRecords !== undefined && list.length > opts.maxRecords) list.splice(0, list.length - Math.floor(opts.maxRecords * 0.75));
  };

  // Cleared in place by reset(), so arrays a test holds on to stay live.
  const requests: RecordedRequest[] = [];
  const replies: { replyToken: string; messages: any[] }[] = [];
  const pushes: { to: string; messages: any[]; retryKey?: string }[] = [];
  const multicasts: { to: string[]; messages: any[]; retryKey?: string }[] = [];
  const scripts: { method: string; pathPrefix: string; queue: ScriptedResponse[] }[] = [];
  const usedReplyTokens = new Set<string>();
  const acceptedRetryKeys = new Map<string, AcceptedRetry>();
  const richMenus = new Map<string, unknown>();
  let defaultRichMenuId: string | undefined;
  // 'none' (no limit) by default so tests only meet the monthly limit when they ask for it.
  let quota: { limit: number | null; used: number } = { limit: null, used: 0 };
  let botInfo: FakeBotInfo = { ...FAKE_BOT_INFO };
  // A new channel has no webhook URL; "Use webhook" is a console switch that the API cannot change.
  let webhook: { endpoint: string | null; active: boolean } = { endpoint: null, active: true };

  const takeScript = (method: string, path: string): ScriptedResponse | undefined => {
    const s = scripts.find((x) => x.method === method && path.startsWith(x.pathPrefix) && x.queue.length > 0);
    return s?.queue.shift();
  };

  /** Checks everything that does not depend on server state. */
  const validate = (
    req: http.IncomingMessage,
    op: SpecOperation,
    url: URL,
    raw: Buffer,
  ): { body: any; issues: SpecIssue[]; authFailed: boolean } => {
    const issues: SpecIssue[] = [];
    let authFailed = false;

    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    if (!token || (opts.channelAccessToken !== undefined && token !== opts.channelAccessToken)) {
      authFailed = true;
      issues.push({ property: 'Authorization', message: token ? 'wrong channel access token' : 'missing Bearer token' });
    }

    for (const p of op.parameters) {
      if (!p.required) continue;
      if (p.in === 'query' && !url.searchParams.has(p.name)) issues.push({ property: p.name, message: 'must be specified' });
      if (p.in === 'header' && req.headers[p.name.toLowerCase()] === undefined) {
        issues.push({ property: p.name, message: 'must be specified' });
      }
    }

    const retryKey = header(req, 'x-line-retry-key');
    if (retryKey !== undefined) {
      if (!op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-line-retry-key')) {
        issues.push({ property: 'X-Line-Retry-Key', message: 'is not supported by this endpoint' });
      } else if (!UUID_RE.test(retryKey)) {
        issues.push({ property: 'X-Line-Retry-Key', message: 'must be a UUID in hexadecimal format' });
      }
    }

    let body: any;
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (op.requestContentTypes.includes('application/json')) {
      if (raw.length === 0) {
        if (op.requestBodyRequired) issues.push({ property: '(body)', message: 'request body must be specified' });
      } else if (contentType !== 'application/json') {
        issues.push({ property: 'Content-Type', message: 'must be application/json' });
        body = raw.toString('utf8');
      } else {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          issues.push({ property: '(body)', message: 'is not valid JSON' });
          body = raw.toString('utf8');
        }
      }
      if (body !== undefined && typeof body !== 'string' && op.validateBody && validation === 'full') {
        const schemaIssues = op.validateBody(body);
        issues.push(...schemaIssues);
        // Limits the schema already flagged for the same property would only repeat it.
        const flagged = new Set(schemaIssues.map((i) => i.property));
        const limitIssues = isRichMenuBody(op)
          ? checkRichMenuLimits(body)
          : body && typeof body === 'object' && 'messages' in body
            ? checkMessageLimits(body.messages)
            : [];
        issues.push(...limitIssues.filter((i) => !flagged.has(i.property)));
      }
    } else if (op.requestContentTypes.length > 0) {
      // Binary upload (rich menu image): keep the bytes, only check there is something.
      body = raw;
      if (raw.length === 0 && op.requestBodyRequired) {
        issues.push({ property: '(body)', message: 'request body must be specified' });
      }
    } else if (raw.length > 0) {
      body = raw.toString('utf8');
    }
    return { body, issues, authFailed };
  };

  /** Normal LINE behaviour for a valid request. `accept` records it as accepted by LINE. */
  const handle = (req: http.IncomingMessage, op: SpecOperation, params: Record<string, string>, body: any): Reply | Promise<Reply> => {
    const retryKey = header(req, 'x-line-retry-key');
    const conflict = retryKey !== undefined ? acceptedRetryKeys.get(retryKey) : undefined;
    if (conflict) {
      return {
        status: 409,
        headers: { 'x-line-accepted-request-id': conflict.requestId },
        body: conflict.sentMessages
          ? { message: RETRY_KEY_ACCEPTED, sentMessages: conflict.sentMessages }
          : { message: RETRY_KEY_ACCEPTED },
      };
    }
    const key = `${op.method} ${op.template}`;
    switch (key) {
      case 'POST /v2/bot/message/reply':
        if (usedReplyTokens.has(body.replyToken)) return { status: 400, body: { message: INVALID_REPLY_TOKEN } };
        return { status: 200, body: { sentMessages: body.messages.map(newSentMessage) } };
      case 'POST /v2/bot/message/push':
      case 'POST /v2/bot/message/multicast': {
        const recipients = Array.isArray(body.to) ? body.to.length : 1;
        if (quota.limit !== null && quota.used + recipients > quota.limit) {
          return { status: 429, body: { message: MONTHLY_LIMIT } };
        }
        return key.endsWith('push')
          ? { status: 200, body: { sentMessages: body.messages.map(newSentMessage) } }
          : { status: 200, body: {} };
      }
      case 'GET /v2/bot/message/quota':
        return { status: 200, body: quota.limit === null ? { type: 'none' } : { type: 'limited', value: quota.limit } };
      case 'GET /v2/bot/message/quota/consumption':
        return { status: 200, body: { totalUsage: quota.used } };
      case 'POST /v2/bot/richmenu':
        return { status: 200, body: { richMenuId: `richmenu-${randomBytes(16).toString('hex')}` } };
      case 'GET /v2/bot/richmenu/list':
        return {
          status: 200,
          body: { richmenus: [...richMenus].map(([richMenuId, menu]) => ({ ...(menu as object), richMenuId })) },
        };
      case 'GET /v2/bot/richmenu/{richMenuId}': {
        const menu = richMenus.get(params.richMenuId!);
        return menu
          ? { status: 200, body: { ...(menu as object), richMenuId: params.richMenuId } }
          : { status: 404, body: { message: 'Not found' } };
      }
      case 'GET /v2/bot/user/all/richmenu':
        return defaultRichMenuId
          ? { status: 200, body: { richMenuId: defaultRichMenuId } }
          : { status: 404, body: { message: 'no default richmenu' } };
      case 'GET /v2/bot/info':
        return { status: 200, body: botInfo };
      case 'GET /v2/bot/channel/webhook/endpoint':
        // LINE documents no answer for a channel without a URL; this stand-in says 404.
        return webhook.endpoint === null ? { status: 404, body: { message: 'Not found' } } : { status: 200, body: { ...webhook } };
      case 'PUT /v2/bot/channel/webhook/endpoint':
        if (!String(body.endpoint).startsWith('https://')) return { status: 400, body: { message: 'Invalid webhook endpoint URL', details: [{ message: 'must be https', property: 'endpoint' }] } };
        return { status: 200, body: {} };
      case 'POST /v2/bot/channel/webhook/test': {
        const endpoint = (body?.endpoint as string | undefined) ?? webhook.endpoint;
        if (!endpoint) return { status: 400, body: { message: 'The webhook endpoint URL is not set' } };
        return verifyWebhook(endpoint, opts.channelSecret ?? randomBytes(16).toString('hex'), botInfo.userId, opts.webhookCa).then((result) => ({ status: 200, body: result }));
      }
      case 'GET /v2/bot/profile/{userId}':
        return { status: 200, body: { userId: params.userId, displayName: 'テストユーザー', language: 'ja' } };
      default:
        return { status: op.successStatus, body: op.successExample ?? {} };
    }
  };

  /** Side effects of LINE accepting a request. */
  const accept = (
    req: http.IncomingMessage,
    op: SpecOperation,
    params: Record<string, string>,
    body: any,
    reply: Reply,
    requestId: string,
    at: number,
  ): void => {
    const retryKey = header(req, 'x-line-retry-key');
    const sentMessages = (reply.body as { sentMessages?: SentMessage[] } | undefined)?.sentMessages;
    const notify = (kind: AcceptedCall['kind']) => opts.onAccepted?.(withRetryKey({ kind, body, at }, retryKey));
    switch (`${op.method} ${op.template}`) {
      case 'POST /v2/bot/message/reply':
        usedReplyTokens.add(body.replyToken);
        replies.push({ replyToken: body.replyToken, messages: body.messages });
        cap(replies);
        notify('reply');
        break;
      case 'POST /v2/bot/message/push':
        quota.used += 1;
        pushes.push(withRetryKey({ to: body.to, messages: body.messages }, retryKey));
        cap(pushes);
        notify('push');
        break;
      case 'POST /v2/bot/message/multicast':
        quota.used += body.to.length;
        multicasts.push(withRetryKey({ to: body.to, messages: body.messages }, retryKey));
        cap(multicasts);
        notify('multicast');
        break;
      case 'POST /v2/bot/richmenu': {
        const id = (reply.body as { richMenuId?: string } | undefined)?.richMenuId;
        if (id) richMenus.set(id, body);
        break;
      }
      case 'DELETE /v2/bot/richmenu/{richMenuId}':
        richMenus.delete(params.richMenuId!);
        if (defaultRichMenuId === params.richMenuId) defaultRichMenuId = undefined;
        break;
      case 'POST /v2/bot/user/all/richmenu/{richMenuId}':
        defaultRichMenuId = params.richMenuId;
        break;
      case 'PUT /v2/bot/channel/webhook/endpoint':
        webhook = { ...webhook, endpoint: body.endpoint };
        break;
      case 'DELETE /v2/bot/user/all/richmenu':
        defaultRichMenuId = undefined;
        break;
      default:
        break;
    }
    if (retryKey !== undefined) {
      // For a scripted error (lost response), invent the ids LINE would have returned.
      const isPush = op.template === '/v2/bot/message/push';
      acceptedRetryKeys.set(retryKey, {
        requestId,
        sentMessages: isPush ? (sentMessages ?? (body.messages as unknown[]).map(newSentMessage)) : undefined,
      });
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void respond(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: `fake LINE API crashed: ${String(err)}` }));
      });
    });
  });

  const respond = async (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> => {
    const at = Date.now();
    const preciseAt = performance.timeOrigin + performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const requestId = randomUUID();
    const record: RecordedRequest = { method, path, headers: { ...req.headers }, body: undefined, status: 0, violations: [], at };
    requests.push(record);
    cap(requests);

    const { op, params, pathKnown } = spec.match(method, path);
    let reply: Reply;
    const scripted = takeScript(method, path);

    if (!op) {
      record.body = raw.length > 0 ? raw.toString('utf8') : undefined;
      record.violations.push(
        `${method} ${path}: ${pathKnown ? 'method not allowed for this path' : 'unknown path (not in messaging-api.yml)'}`,
      );
      reply = scripted ?? { status: pathKnown ? 405 : 404, body: { message: 'Not found' } };
    } else {
      const { body, issues, authFailed } = validate(req, op, url, raw);
      record.body = body;
      record.violations.push(...issues.map((i) => `${method} ${path}: ${i.property}: ${i.message}`));
      if (scripted) {
        reply = scripted;
        if (scripted.accept && issues.length === 0) accept(req, op, params, body, scripted, requestId, preciseAt);
      } else if (authFailed) {
        reply = { status: 401, body: { message: AUTH_FAILED } };
      } else if (issues.length > 0) {
        reply = {
          status: 400,
          body: {
            message: `The request body has ${issues.length} error(s)`,
            details: issues.map((i) => ({ message: i.message, property: i.property })),
          },
        };
      } else {
        reply = await handle(req, op, params, body);
        if (reply.status >= 200 && reply.status < 300) accept(req, op, params, body, reply, requestId, preciseAt);
      }
    }

    record.status = reply.status;
    violationCount += record.violations.length;
    const delayMs = scripted?.delayMs ?? 0;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    res.statusCode = reply.status;
    res.setHeader('x-line-request-id', requestId);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.body === undefined) {
      res.end();
    } else if (Buffer.isBuffer(reply.body)) {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(reply.body);
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.body));
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    violations: () => requests.flatMap((r) => r.violations),
    violationCount: () => violationCount,
    setValidation(mode) {
      validation = mode;
    },
    replies: () => [...replies],
    pushes: () => [...pushes],
    multicasts: () => [...multicasts],
    script(method, pathPrefix, responses) {
      scripts.push({ method: method.toUpperCase(), pathPrefix, queue: [...responses] });
    },
    setQuota(q) {
      quota = { ...q };
    },
    setBotInfo(info) {
      botInfo = { ...botInfo, ...info };
    },
    webhook: () => ({ ...webhook }),
    setWebhookActive(active) {
      webhook = { ...webhook, active };
    },
    reset() {
      for (const list of [requests, replies, pushes, multicasts, scripts]) list.length = 0;
      usedReplyTokens.clear();
      acceptedRetryKeys.clear();
      richMenus.clear();
      defaultRichMenuId = undefined;
      quota = { limit: null, used: 0 };
      botInfo = { ...FAKE_BOT_INFO };
      webhook = { endpoint: null, active: true };
      violationCount = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** LINE's result of testWebhookEndpoint (TestWebhookEndpointResponse). */
interface WebhookTestResult {
  success: boolean;
  timestamp: string;
  statusCode: number;
  reason: string;
  detail: string;
}

/**
 * What LINE's "Verify" does: POSTs a signed body with no events to the endpoint and reports the
 * answer. No answer within LINE's 2-second wait is status 0.
 */
function verifyWebhook(endpoint: string, channelSecret: string, destination: string, ca: string | undefined): Promise<WebhookTestResult> {
  const body = JSON.stringify({ destination, events: [] });
  const timestamp = new Date().toISOString();
  const url = new URL(endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        timeout: 2000,
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-line-signature': createHmac('sha256', channelSecret).update(body).digest('base64'), 'user-agent': 'LineBotWebhook/2.0' },
        // Node's `ca` replaces the system's list: a test's endpoint is signed by the test's CA only.
        ...(ca && url.protocol === 'https:' ? { ca } : {}),
      },
      (response) => {
        response.resume();
        const statusCode = response.statusCode ?? 0;
        const ok = statusCode >= 200 && statusCode < 300;
        resolve({ success: ok, timestamp, statusCode, reason: ok ? 'OK' : 'An invalid status code was returned', detail: `${statusCode} ${http.STATUS_CODES[statusCode] ?? ''}`.trim() });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out after 2 s')));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ success: false, timestamp, statusCode: 0, reason: 'Could not connect to the webhook URL', detail: error.code ?? error.message }),
    );
    request.end(body);
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isRichMenuBody(op: SpecOperation): boolean {
  return op.method === 'POST' && (op.template === '/v2/bot/richmenu' || op.template === '/v2/bot/richmenu/validate');
}

function newSentMessage(): SentMessage {
  // Message ids are 18-digit decimal strings; quote tokens are opaque.
  const id = `5${Array.from(randomBytes(17), (b) => String(b % 10)).join('')}`;
  return { id, quoteToken: randomBytes(24).toString('base64url') };
}

function withRetryKey<T extends object>(entry: T, retryKey: string | undefined): T & { retryKey?: string } {
  return retryKey === undefined ? entry : { ...entry, retryKey };
}
