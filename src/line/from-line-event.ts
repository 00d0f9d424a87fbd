import type { webhook } from '@line/bot-sdk';
import type { Input } from '../domain/interpret-input';
import type { IncomingEvent } from '../usecases/handle-webhook-event';

/** Maps a LINE webhook event to an inbound event; anything we do not serve is `ignored`, never an error. */
export function fromLineEvent(event: webhook.Event): IncomingEvent {
  const eventId = event.webhookEventId ?? '';
  const source = event.source;
  if (!source || source.type !== 'user' || !source.userId) {
    return { kind: 'ignored', eventId, reason: `source ${source?.type ?? 'none'}` };
  }
  const userId = source.userId;
  if (event.mode === 'standby') return { kind: 'ignored', eventId, reason: 'standby mode' };
  if (event.type === 'unfollow') return { kind: 'unfollow', eventId, userId };

  const redelivery = event.deliveryContext?.isRedelivery ?? false;
  const replyToken = 'replyToken' in event && typeof event.replyToken === 'string' ? event.replyToken : null;
  if (!replyToken) return { kind: 'ignored', eventId, reason: `${event.type} without reply token` };

  const turn = (input: Input): IncomingEvent => ({ kind: 'turn', eventId, userId, replyToken, input, redelivery });
  switch (event.type) {
    case 'follow':
      return turn({ kind: 'follow' });
    case 'postback':
      return turn({ kind: 'postback', data: (event as webhook.PostbackEvent).postback.data });
    case 'message': {
      const message = (event as webhook.MessageEvent).message;
      return message.type === 'text' ? turn({ kind: 'text', text: (message as webhook.TextMessageContent).text }) : turn({ kind: 'nonText' });
    }
    default:
      return { kind: 'ignored', eventId, reason: event.type };
  }
}
