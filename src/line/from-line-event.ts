import { randomUUID } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';
import type { Input } from '../domain/interpret-input';
import type { IncomingEvent } from '../usecases/ports';

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Maps a LINE webhook event to an inbound event; anything we do not serve, and anything malformed
 * inside a correctly signed body, is `ignored` (logged and answered 200), never an error: a 5xx
 * would make LINE redeliver it forever. The body is signed, but its shape is still checked here,
 * field by field, since the SDK's types describe it and do not validate it.
 */
export function fromLineEvent(raw: webhook.Event | unknown): IncomingEvent {
  if (!isObject(raw)) return { kind: 'ignored', eventId: '', reason: 'not an event object' };
  const event = raw as Loose;
  // Events without an id are never deduplicated against each other.
  const eventId = text(event.webhookEventId) ?? `no-id-${randomUUID()}`;
  const type = text(event.type) ?? 'untyped';
  const source = isObject(event.source) ? event.source : null;
  const userId = source?.type === 'user' ? text(source.userId) : null;
  if (!userId) return { kind: 'ignored', eventId, reason: `source ${text(source?.type) ?? 'none'}` };
  if (event.mode === 'standby') return { kind: 'ignored', eventId, reason: 'standby mode' };
  if (type === 'unfollow') return { kind: 'unfollow', eventId, userId, channel: 'line' };

  const replyToken = text(event.replyToken);
  if (!replyToken) return { kind: 'ignored', eventId, reason: `${type} without reply token` };
  const timestamp = event.timestamp;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return { kind: 'ignored', eventId, reason: `${type} without timestamp` };
  const redelivery = isObject(event.deliveryContext) && event.deliveryContext.isRedelivery === true;

  const turn = (input: Input): IncomingEvent => ({ kind: 'turn', eventId, userId, channel: 'line', replyToken, input, redelivery, timestamp });
  switch (type) {
    case 'follow':
      return turn({ kind: 'follow' });
    case 'postback': {
      const data = isObject(event.postback) && typeof event.postback.data === 'string' ? event.postback.data : null;
      return data === null ? { kind: 'ignored', eventId, reason: 'postback without data' } : turn({ kind: 'postback', data });
    }
    case 'message': {
      const message = isObject(event.message) ? event.message : null;
      if (!message) return { kind: 'ignored', eventId, reason: 'message without content' };
      if (message.type !== 'text') return turn({ kind: 'nonText' });
      return typeof message.text === 'string' ? turn({ kind: 'text', text: message.text }) : { kind: 'ignored', eventId, reason: 'text message without text' };
    }
    default:
      return { kind: 'ignored', eventId, reason: type };
  }
}
