import { middleware, type webhook } from '@line/bot-sdk';
import { Router } from 'express';
import type { EventResult, IncomingEvent } from '../usecases/handle-webhook-event';
import { fromLineEvent } from './from-line-event';

/**
 * POST /webhook: the SDK middleware checks the signature on the raw bytes before anything parses
 * them (so no JSON body parser may run before it). All events of a body are handled; if any fails,
 * the answer is 500 so that LINE redelivers, and the handled ones are then recognised as duplicates.
 */
export function webhookRouter(options: {
  channelSecret: string;
  handleEvent: (event: IncomingEvent) => Promise<EventResult>;
}): Router {
  const router = Router();
  router.post('/webhook', middleware({ channelSecret: options.channelSecret }), async (req, res) => {
    const body = req.body as Partial<webhook.CallbackRequest> | null;
    const events = Array.isArray(body?.events) ? body.events : [];
    const results = await Promise.allSettled(events.map((event) => options.handleEvent(fromLineEvent(event))));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    res.status(200).json({});
  });
  return router;
}
