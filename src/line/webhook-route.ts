import { middleware, type webhook } from '@line/bot-sdk';
import express, { type RequestHandler } from 'express';
import type { EventResult, IncomingEvent, Logger } from '../usecases/ports';
import { fromLineEvent } from './from-line-event';
import { admitWebhookBody, WEBHOOK_BODY_LIMIT_BYTES } from './webhook-intake';

/**
 * POST /webhook as the SDK documents it: its middleware checks the signature on the raw bytes and
 * then parses the JSON. Nothing may parse the body before it; ahead of it are the intake limits
 * (webhook-intake.ts: no signature, too many bytes held, too slow) and express.raw, which keeps the
 * bytes as they came and refuses bodies over the limit (413) before they are read into memory. LINE
 * sends its bodies uncompressed: a compressed one is refused (415) rather than inflated. The SDK's
 * SignatureValidationFailed and JSONParseError become 401 and 400 in the app's error handler.
 *
 * All events of a body are handled; if any fails, the error goes on to the error handler (500) so
 * that LINE redelivers, and the handled ones are then recognised as duplicates.
 *
 * These are the handlers of the app's own `POST /webhook` route (create-app.ts), as in the SDK's
 * example, rather than a router of their own: a nested router walked its own stack on every webhook.
 */
export function webhookHandlers(options: { channelSecret: string; handleEvent: (event: IncomingEvent) => Promise<EventResult> }, logger: Logger): RequestHandler[] {
  return [
    admitWebhookBody(logger),
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES, inflate: false }),
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
