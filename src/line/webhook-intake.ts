import { SignatureValidationFailed } from '@line/bot-sdk';
import type { RequestHandler } from 'express';
import type { Logger } from '../usecases/ports';

/** LINE's bodies are a few kilobytes; anything far larger is not from LINE. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * LINE sends a webhook's body at once, right behind its headers, and waits 2 seconds for the answer:
 * a body not complete by then is not LINE's, or is too late to matter.
 */
export const WEBHOOK_BODY_DEADLINE_MS = 2_000;
/**
 * Bytes of webhook bodies held at once (as many as 32 bodies of the largest size before). Counted as
 * they actually arrive, so that slow senders, who send little, cannot crowd LINE out.
 */
export const WEBHOOK_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/**
 * What a webhook body may cost, decided before and while it is read (express.raw reads it next, and
 * refuses a declared length over the limit with 413 before reading):
 * 1. no `X-Line-Signature`: 401 before a byte of the body is read (the SDK's own error);
 * 2. each arriving chunk counts towards the bytes held by all bodies being read; past the budget,
 *    this body is answered 503 (LINE tries again);
 * 3. a body not complete within 2 s is answered 408.
 * A refused body is answered here, and its connection closed at once: the rest is never read (the
 * parser behind sees the request aborted, and the error handler lets it be).
 */
export function admitWebhookBody(logger: Logger): RequestHandler {
  let bytesInFlight = 0;
  return (req, res, next) => {
    const signature = req.headers['x-line-signature'];
    if (typeof signature !== 'string' || signature === '') return next(new SignatureValidationFailed('no signature'));
    let held = 0;
    const refuse = (status: 408 | 503, reason: string) => {
      req.off('data', count);
      if (res.headersSent) return;
      logger.warn({ path: req.path, status, bytes: held }, `webhook refused: ${reason}`);
      res.status(status).set('Connection', 'close');
      if (status === 503) res.set('Retry-After', '1');
      res.type('json').end(JSON.stringify({ message: status === 503 ? 'busy' : 'body too slow' }), () => req.destroy());
    };
    const count = (chunk: Buffer) => {
      held += chunk.length;
      bytesInFlight += chunk.length;
      if (bytesInFlight > WEBHOOK_BYTES_IN_FLIGHT) refuse(503, 'too many body bytes in flight');
    };
    const deadline = setTimeout(() => refuse(408, 'body not complete within the deadline'), WEBHOOK_BODY_DEADLINE_MS);
    req.on('data', count);
    req.once('end', () => clearTimeout(deadline));
    res.once('close', () => {
      clearTimeout(deadline);
      req.off('data', count);
      bytesInFlight -= held;
      held = 0;
    });
    next();
  };
}
