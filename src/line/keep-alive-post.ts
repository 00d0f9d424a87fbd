import http from 'node:http';
import https from 'node:https';
import { HTTPFetchError, type messagingApi } from '@line/bot-sdk';

/**
 * The SDK client builds every request (path, body, Authorization, User-Agent, X-Line-Retry-Key) and
 * parses every answer; this only replaces how its JSON POSTs travel. The SDK sends them with the global
 * fetch, which costs about 0.55 ms of CPU and much garbage per call here, five times a plain keep-alive
 * node:http request (BENCHMARKS.md). Every reply, push and multicast is such a POST. Other calls
 * (GETs, uploads) keep the SDK's own fetch.
 */

/** The part of the SDK's HTTPFetchClient (not exported) that this replaces. */
interface SdkHttpClient {
  baseURL: string;
  defaultHeaders: Record<string, string>;
  post(url: string, body?: unknown, config?: { headers?: Record<string, string> }): Promise<Response>;
}

/** Longer than LINE takes to answer, shorter than LINE waits for our webhook to be redelivered. */
const REQUEST_TIMEOUT_MS = 20_000;
/** Idle sockets are closed before a server's usual 5 s keep-alive timeout can race a new request. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;
const MAX_SOCKETS = 64;

export function useKeepAlivePost(client: messagingApi.MessagingApiClient, options: { timeoutMs?: number } = {}): void {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const holder = client as unknown as { httpClient: SdkHttpClient };
  const sdk = holder.httpClient;
  if (typeof sdk?.post !== 'function' || typeof sdk.baseURL !== 'string' || typeof sdk.defaultHeaders !== 'object') {
    throw new Error('@line/bot-sdk: MessagingApiClient no longer has the httpClient this adapter expects; check the SDK version');
  }
  const base = new URL(sdk.baseURL);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: FREE_SOCKET_TIMEOUT_MS });
  const replaced: SdkHttpClient = Object.create(sdk) as SdkHttpClient;
  replaced.post = (url, body, config) => {
    const payload = JSON.stringify(body);
    const target = new URL(url, base);
    const headers = {
      'Content-Type': 'application/json',
      ...sdk.defaultHeaders,
      ...config?.headers,
      'Content-Length': String(Buffer.byteLength(payload)),
    };
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            const statusText = response.statusMessage ?? '';
            if (status < 200 || status > 299) {
              reject(new HTTPFetchError(`${status} - ${statusText}`, { status, statusText, headers: toHeaders(response.headers), body: text }));
              return;
            }
            resolve(answered(status, statusText, response.headers, text));
          });
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(payload);
    });
  };
  holder.httpClient = replaced;
}

/**
 * What the SDK reads of an answer (ok, status, text()), without building a WHATWG Response: reading
 * a Response's body through its stream costs as much again as the request itself.
 */
function answered(status: number, statusText: string, raw: http.IncomingHttpHeaders, text: string): Response {
  let headers: Headers | undefined;
  const answer = {
    ok: true,
    status,
    statusText,
    get headers() {
      return (headers ??= toHeaders(raw));
    },
    text: () => Promise.resolve(text),
    json: () => Promise.resolve(text ? (JSON.parse(text) as unknown) : null),
  };
  return answer as unknown as Response;
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}
