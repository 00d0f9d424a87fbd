import { Agent, setGlobalDispatcher } from 'undici';

/**
 * How the SDK's calls to LINE travel. MessagingApiClient sends every request with the global fetch
 * and takes no agent or timeout of its own; Node's fetch is undici, and undici's documented
 * setGlobalDispatcher (https://nodejs.org/api/globals.html#fetch, "Custom dispatcher") sets the
 * connection pool that every fetch of this process uses. So this is process-wide: the entry points
 * (the server, the reminder and rich-menu CLIs) call it once, before the first call to LINE.
 */

/** Longer than LINE takes to answer, shorter than LINE waits for our webhook before redelivering. */
export const LINE_CALL_TIMEOUT_MS = 20_000;
/** Idle sockets close before a server's usual 5 s keep-alive timeout can race a new request. */
const IDLE_SOCKET_MS = 4_000;
const CONNECT_TIMEOUT_MS = 10_000;
const CONNECTIONS_PER_ORIGIN = 64;

export function useLineHttpAgent(options: { timeoutMs?: number } = {}): Agent {
  const timeoutMs = options.timeoutMs ?? LINE_CALL_TIMEOUT_MS;
  const agent = new Agent({
    keepAliveTimeout: IDLE_SOCKET_MS,
    keepAliveMaxTimeout: IDLE_SOCKET_MS,
    connections: CONNECTIONS_PER_ORIGIN,
    // No answer (status and headers) within the timeout, or a body that stalls as long: the call
    // fails with UND_ERR_HEADERS_TIMEOUT / UND_ERR_BODY_TIMEOUT, which the messenger reports as retryable.
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(CONNECT_TIMEOUT_MS, timeoutMs) },
  });
  setGlobalDispatcher(agent);
  return agent;
}
