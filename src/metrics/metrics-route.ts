import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { OperatorMetrics } from './operator-metrics';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `Authorization: Bearer <token>` names the token. Compared in constant time, on digests so
 * that the length of a wrong guess tells nothing either. Behind the proxy every request comes from
 * the loopback address, so the address is no proof: only the token is.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

function serve(metrics: OperatorMetrics): RequestHandler {
  return (_req, res, next) => {
    metrics.scrape().then(({ contentType, body }) => {
      res.set('Cache-Control', 'no-store').type(contentType).send(body);
    }, next);
  };
}

/** GET /metrics on the public port: only with the bearer token (METRICS_TOKEN). */
export function metricsRouter(metrics: OperatorMetrics, token: string): express.Router {
  const router = express.Router();
  router.get('/metrics', (req, res, next) => {
    if (bearerMatches(req.headers.authorization, token)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ message: 'a bearer token is required' });
  }, serve(metrics));
  return router;
}

/** The app of METRICS_PORT, listening on 127.0.0.1 only: GET /metrics without a token, nothing else. */
export function metricsPortApp(metrics: OperatorMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', serve(metrics));
  return app;
}
