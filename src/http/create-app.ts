import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import type { EventResult, IncomingEvent } from '../usecases/handle-webhook-event';
import type { Logger, Store } from '../usecases/ports';
import { webhookEndpoint } from '../line/webhook-endpoint';
import { errorHandler } from './error-handler';

const READY_TIMEOUT_MS = 1000;

export interface AppOptions {
  logger: Logger;
  store: Store;
  /** Null when LINE credentials are not configured: /webhook then answers 503. */
  line: { channelSecret: string; handleEvent: (event: IncomingEvent) => Promise<EventResult> } | null;
  /** Extra routers (the simulator) mounted after the webhook. */
  extraRouters?: express.Router[];
}

/**
 * The HTTP surface, without listen(): tests and main() both use it. POST /webhook goes straight to
 * its node:http endpoint; every other request (health, simulator, stats) goes through Express.
 */
export function createApp(options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

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

  if (!options.line) {
    app.post('/webhook', (_req, res) => {
      res.status(503).json({ message: 'LINE is not configured on this server' });
    });
  }
  for (const router of options.extraRouters ?? []) app.use(router);

  app.use(errorHandler(options.logger));

  if (!options.line) return app;
  const webhook = webhookEndpoint({ ...options.line, logger: options.logger });
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && isWebhookPath(req.url)) webhook(req, res);
    else app(req, res);
  };
}

function isWebhookPath(url: string | undefined): boolean {
  const path = url?.split('?', 1)[0];
  return path === '/webhook' || path === '/webhook/';
}
