import type http from 'node:http';
import express, { type Express } from 'express';
import type { EventResult, IncomingEvent } from '../usecases/ports';
import type { Logger, Store } from '../usecases/ports';
import type { TrustProxy } from '../config';
import { webhookHandlers } from '../line/webhook-route';
import { errorHandler } from './error-handler';

const READY_TIMEOUT_MS = 1000;

/**
 * For the HTTP server that serves the app: a request must arrive whole within 5 s (LINE's are a few
 * kilobytes and LINE itself waits only 2 s), checked every second, so slow senders cannot hold memory.
 */
export const SERVER_OPTIONS: http.ServerOptions = { headersTimeout: 5_000, requestTimeout: 5_000, connectionsCheckingInterval: 1_000 };

export interface AppOptions {
  logger: Logger;
  store: Store;
  /** Null when LINE credentials are not configured: /webhook then answers 503. */
  line: { channelSecret: string; handleEvent: (event: IncomingEvent) => Promise<EventResult> } | null;
  /** Behind an HTTPS proxy (TRUST_PROXY): believe its X-Forwarded-* headers, for addresses and https. */
  trustProxy?: TrustProxy | null;
  /** Extra routers (the simulator, the stats page) mounted after the webhook. */
  extraRouters?: express.Router[];
  /** Told the status of every answered POST /webhook (the operators' counts). */
  onWebhookAnswered?: (status: number) => void;
  /** GET /metrics behind its bearer token, mounted before the extra routers. */
  metricsRouter?: express.Router;
}

/** The HTTP surface, without listen(): tests (through supertest) and main() both use it. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is whatever a caller writes: only the entries added by proxies we know are
  // believed, counted from the right: a proxy on this machine, one hop (TRUST_PROXY=on) or the listed
  // proxies. Login throttling and the simulator's rate limit key on the address this yields.
  const trust = options.trustProxy;
  app.set('trust proxy', !trust ? 'loopback' : 'hops' in trust ? trust.hops : trust.addresses);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // A load balancer asks this often: it answers within a second even when the database hangs.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([options.store.ping(), timeout]);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'not ready', reason: 'store unreachable' });
    } finally {
      clearTimeout(timer);
    }
  });

  const observe = options.onWebhookAnswered;
  if (observe) {
    app.post('/webhook', (_req, res, next) => {
      res.once('finish', () => observe(res.statusCode));
      next();
    });
  }
  if (options.line) {
    app.post('/webhook', ...webhookHandlers(options.line, options.logger));
  } else {
    app.post('/webhook', (_req, res) => {
      res.status(503).json({ message: 'LINE is not configured on this server' });
    });
  }
  if (options.metricsRouter) app.use(options.metricsRouter);
  for (const router of options.extraRouters ?? []) app.use(router);

  app.use(errorHandler(options.logger));
  return app;
}
