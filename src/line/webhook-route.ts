import { middleware, SignatureValidationFailed, type webhook } from '@line/bot-sdk';
import express, { type RequestHandler } from 'express';
import type { EventResult, IncomingEvent } from '../usecases/ports';
import { fromLineEvent } from './from-line-event';

/** LINE's bodies are a few kilobytes; anything far larger is not from LINE. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/** Bodies read at once: at most this many MiB held for strangers; LINE's bursts stay far below. */
export const WEBHOOK_BODIES_IN_FLIGHT = 32;

/** Thrown when too many webhook bodies are being read at once; answered 503 so LINE tries again. */
export class WebhookBusyError extends Error {
  override name = 'WebhookBusyError';
  readonly status = 503;
}

/**
 * Refuses before a byte of the body is read: a request without a signature (401, the SDK's own
 * error), and any request beyond the bodies in flight (503). Strangers cost a header parse, not a MiB.
 */
function refuseStrangers(): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    const signature = req.headers['x-line-signature'];
    if (typeof signature !== 'string' || signature === '') return next(new SignatureValidationFailed('no signature'));
    if (inFlight >= WEBHOOK_BODIES_IN_FLIGHT) return next(new WebhookBusyError('too many webhook bodies in flight'));
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  };
}

/**
 * POST /webhook as the SDK documents it: its middleware checks the signature on the raw bytes and
 * then parses the JSON. Nothing may parse the body before it; the only thing ahead is express.raw,
 * which keeps the bytes as they came and refuses bodies over the limit (413) before they are read
 * into memory. The SDK's SignatureValidationFailed and JSONParseError become 401 and 400 in the
 * app's error handler.
 *
 * All events of a body are handled; if any fails, the error goes on to the error handler (500) so
 * that LINE redelivers, and the handled ones are then recognised as duplicates.
 *
 * These are the handlers of the app's own `POST /webhook` route (create-app.ts), as in the SDK's
 * example, rather than a router of their own: a nested router walked its own stack on every webhook.
 */
export function webhookHandlers(options: { channelSecret: string; handleEvent: (event: IncomingEvent) => Promise<EventResult> }): RequestHandler[] {
  return [
    refuseStrangers(),
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES }),
    middleware({ channelSecret: options.channelSecret }),
    async (req, res) => {
      const body = req.body as Partial<webhook.CallbackRequest> | null;
      const events = Array.isArray(body?.events) ? body.events : [];
      const results = await Promise.allSettled(events.map((event) => options.handleEvent(fromLineEvent(event))));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      // LINE reads only the status. res.json would also hash the body for an ETag on every webhook.
      res.status(200).type('json').end('{}');
    },
  ];
}
