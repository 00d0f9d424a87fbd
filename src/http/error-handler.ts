import { JSONParseError, SignatureValidationFailed } from '@line/bot-sdk';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../usecases/ports';

/**
 * The one place where errors become HTTP answers, for every route. On /webhook, a 5xx tells LINE to
 * redeliver; a 4xx tells it the request itself was wrong.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    // Answered already (a webhook body refused while it arrived, see webhook-intake.ts): its parser
    // reports the aborted read here, and there is nothing left to say.
    if (res.headersSent) return;
    // A body left unread (a refused stranger): close the connection rather than read it to reuse it.
    if (!req.complete) res.set('Connection', 'close');
    if (error instanceof SignatureValidationFailed) {
      logger.warn({ path: req.path, reason: error.message }, 'webhook rejected: bad or missing signature');
      res.status(401).json({ message: 'invalid signature' });
      return;
    }
    if (error instanceof JSONParseError) {
      logger.warn({ path: req.path }, 'webhook rejected: body is not JSON');
      res.status(400).json({ message: 'invalid JSON' });
      return;
    }
    if (error?.type === 'entity.too.large') {
      // From express.raw's limit: the rest of the body is drained, not kept.
      logger.warn({ path: req.path, bytes: error.length }, 'webhook rejected: body too large');
      res.status(413).json({ message: 'body too large' });
      return;
    }
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ path: req.path, err: { name: error?.name, message: error?.message } }, 'request failed');
    res.status(status).json({ message: status === 500 ? 'internal error' : 'bad request' });
  };
}
