import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateSignature, type webhook } from '@line/bot-sdk';
import type { EventResult, IncomingEvent } from '../usecases/handle-webhook-event';
import type { Logger } from '../usecases/ports';
import { fromLineEvent } from './from-line-event';

/** LINE's bodies are a few kilobytes; anything far larger is not from LINE. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface WebhookEndpointOptions {
  channelSecret: string;
  handleEvent: (event: IncomingEvent) => Promise<EventResult>;
  logger: Logger;
}

/**
 * POST /webhook on plain node:http. The signature is checked on the raw bytes with the SDK's own
 * validateSignature before anything parses them. All events of a body are handled; if any fails,
 * the answer is 500 so that LINE redelivers, and the handled ones are then recognised as duplicates.
 *
 * Not an Express route: Express and the SDK's middleware cost more CPU per webhook than the whole
 * reply call (BENCHMARKS.md), and this path carries every message.
 */
export function webhookEndpoint(options: WebhookEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { channelSecret, handleEvent, logger } = options;

  const answer = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handleBody = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const signature = req.headers['x-line-signature'];
    if (typeof signature !== 'string' || signature === '') {
      logger.warn({ path: '/webhook', reason: 'no signature' }, 'webhook rejected: bad or missing signature');
      return answer(res, 401, '{"message":"invalid signature"}');
    }
    if (!validateSignature(raw, channelSecret, signature)) {
      logger.warn({ path: '/webhook', reason: 'signature validation failed' }, 'webhook rejected: bad or missing signature');
      return answer(res, 401, '{"message":"invalid signature"}');
    }
    let body: Partial<webhook.CallbackRequest> | null;
    try {
      body = JSON.parse(raw.toString('utf8')) as Partial<webhook.CallbackRequest> | null;
    } catch {
      logger.warn({ path: '/webhook' }, 'webhook rejected: body is not JSON');
      return answer(res, 400, '{"message":"invalid JSON"}');
    }
    const events = Array.isArray(body?.events) ? body.events : [];
    const results = await Promise.allSettled(events.map((event) => handleEvent(fromLineEvent(event))));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    answer(res, 200, '{}');
  };

  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT_BYTES) {
        refused = true;
        logger.warn({ path: '/webhook', bytes: size }, 'webhook rejected: body too large');
        res.setHeader('Connection', 'close');
        answer(res, 413, '{"message":"body too large"}');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      handleBody(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).catch((error: unknown) => {
        // 5xx tells LINE to redeliver; the events already handled are then recognised as duplicates.
        logger.error({ path: '/webhook', err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'request failed');
        if (!res.headersSent) answer(res, 500, '{"message":"internal error"}');
      });
    });
    req.on('error', () => {
      // The client went away mid-body: nothing was handled, and there is no one to answer.
    });
  };
}
