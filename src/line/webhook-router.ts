import { middleware, type webhook } from '@line/bot-sdk';
import express, { Router } from 'express';
import type { EventResult, IncomingEvent } from '../usecases/handle-webhook-event';
import { fromLineEvent } from './from-line-event';

/** LINE's bodies are a few kilobytes; anything far larger is not from LINE. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * POST /webhook as the SDK documents it: its middleware checks the signature on the raw bytes and
 * then parses the JSON. Nothing may parse the body before it; the only thing ahead is express.raw,
 * which keeps the bytes as they came and refuses bodies over the limit (413) before they are read
 * into memory. The SDK's SignatureValidationFailed and JSONParseError become 401 and 400 in the
 * app's error handler.
 *
 * All events of a body are handled; if any fails, the error goes on to the error handler (500) so
 * that LINE redelivers, and the handled ones are then recognised as duplicates.
 */
export function webhookRouter(options: { channelSecret: string; handleEvent: (event: IncomingEvent) => Promise<EventResult> }): Router {
  const router = Router();
  router.post(
    '/webhook',
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
  );
  return router;
}
