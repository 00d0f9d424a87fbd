/**
 * Build and sign webhook requests the way the LINE Platform sends them.
 * https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects
 *
 *   const body = webhookBody([textEvent(userId, 'こんにちは')]);
 *   await request(app).post('/webhook')
 *     .set('x-line-signature', signBody(body, channelSecret))
 *     .set('content-type', 'application/json')
 *     .send(body);
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';

export type WebhookEvent = webhook.Event;

export interface EventOptions {
  /** Event time in ms since the epoch; default now (see stampEventsAt). */
  timestamp?: number;
  /** deliveryContext.isRedelivery; default false. */
  redelivery?: boolean;
  /** Override the generated ids (e.g. to replay the exact same event). */
  webhookEventId?: string;
  replyToken?: string;
}

/** Base64 HMAC-SHA256 of the exact body string: the `x-line-signature` header. */
export function signBody(body: string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(body, 'utf8').digest('base64');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (26 chars of Crockford base32: 48-bit time, 80 random bits), like LINE's webhookEventId. */
export function ulid(time = Date.now()): string {
  let t = '';
  let n = time;
  for (let i = 0; i < 10; i++) {
    t = CROCKFORD[n % 32]! + t;
    n = Math.floor(n / 32);
  }
  const r = Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]!).join('');
  return t + r;
}

/** 32 hex characters, the shape of LINE's reply tokens. */
export function newReplyToken(): string {
  return randomBytes(16).toString('hex');
}

/** An 18-digit decimal id, the shape of LINE message ids. */
function newMessageId(): string {
  return `5${Array.from(randomBytes(17), (b) => String(b % 10)).join('')}`;
}

function newQuoteToken(): string {
  return randomBytes(24).toString('base64url');
}

let worldClock: (() => number) | null = null;

/**
 * Makes events happen in the bot's (injected) time: LINE stamps an event when the person acts, and
 * the bot refuses events older than it can deduplicate. Events are never stamped before real time,
 * and the stamp keeps moving forward with real time while the bot's clock stands still.
 */
export function stampEventsAt(now: (() => Date) | null): void {
  if (!now) {
    worldClock = null;
    return;
  }
  const startedAt = Date.now();
  worldClock = () => Math.max(Date.now(), now().getTime() + (Date.now() - startedAt));
}

function base(userId: string, opts: EventOptions | undefined) {
  const timestamp = opts?.timestamp ?? worldClock?.() ?? Date.now();
  return {
    source: { type: 'user' as const, userId },
    timestamp,
    mode: 'active' as const,
    webhookEventId: opts?.webhookEventId ?? ulid(timestamp),
    deliveryContext: { isRedelivery: opts?.redelivery ?? false },
  };
}

export function followEvent(userId: string, opts?: EventOptions & { isUnblocked?: boolean }): webhook.FollowEvent {
  return {
    type: 'follow',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    follow: { isUnblocked: opts?.isUnblocked ?? false },
  };
}

export function unfollowEvent(userId: string, opts?: EventOptions): webhook.UnfollowEvent {
  return { type: 'unfollow', ...base(userId, opts) };
}

export function textEvent(userId: string, text: string, opts?: EventOptions): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    message: { type: 'text', id: newMessageId(), text, quoteToken: newQuoteToken() },
  };
}

export function postbackEvent(
  userId: string,
  data: string,
  opts?: EventOptions & { params?: Record<string, string> },
): webhook.PostbackEvent {
  return {
    type: 'postback',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    postback: opts?.params ? { data, params: opts.params } : { data },
  };
}

export function stickerEvent(userId: string, opts?: EventOptions): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    message: {
      type: 'sticker',
      id: newMessageId(),
      packageId: '446',
      stickerId: '1988',
      stickerResourceType: 'STATIC',
      quoteToken: newQuoteToken(),
    },
  };
}

export function imageEvent(userId: string, opts?: EventOptions): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    message: { type: 'image', id: newMessageId(), contentProvider: { type: 'line' }, quoteToken: newQuoteToken() },
  };
}

export function locationEvent(userId: string, opts?: EventOptions): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(userId, opts),
    replyToken: opts?.replyToken ?? newReplyToken(),
    message: {
      type: 'location',
      id: newMessageId(),
      title: '目黒区総合庁舎',
      address: '東京都目黒区上目黒2-19-15',
      latitude: 35.641537,
      longitude: 139.698214,
    },
  };
}

/** The JSON request body LINE posts: `{ destination, events }`. Sign this exact string. */
export function webhookBody(events: WebhookEvent[], destination = `U${'0'.repeat(32)}`): string {
  return JSON.stringify({ destination, events });
}
