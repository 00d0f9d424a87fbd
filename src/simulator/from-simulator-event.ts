import { randomBytes, randomUUID } from 'node:crypto';
import type { Input } from '../domain/interpret-input';
import type { IncomingEvent } from '../usecases/ports';

/**
 * Simulator users have their own id space: `sim-` and a random UUID, which no LINE user id
 * (`U` and 32 hex digits) can ever be. Knowing an id is what lets a page continue its conversation,
 * so ids are minted by the server from a cryptographic random source and never listed.
 */
const SIM_USER_ID = /^sim-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** LINE accepts at most 5000 characters in a text message. */
const TEXT_LIMIT = 5000;

export function newSimulatorUserId(): string {
  return `sim-${randomUUID()}`;
}

export function isSimulatorUserId(value: unknown): value is string {
  return typeof value === 'string' && SIM_USER_ID.test(value);
}

/** What the page sends, mirroring the LINE webhook events the simulator stands in for. */
export type SimulatorEvent =
  | { kind: 'follow' }
  | { kind: 'unfollow' }
  | { kind: 'text'; text: string }
  | { kind: 'postback'; data: string }
  | { kind: 'sticker'; packageId: string; stickerId: string };

export class SimulatorRequestError extends Error {
  readonly status = 400;
  override name = 'SimulatorRequestError';
}

const shortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** `at` (the page's ?at=): answer as if it were then. An ISO date and time; a bare local time is Tokyo's. */
export function parseSimulatorInstant(value: unknown): Date | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 40) throw new SimulatorRequestError('at must be an ISO date and time such as 2026-11-25T02:00');
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}+09:00` : value;
  const at = new Date(withZone);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) {
    throw new SimulatorRequestError('at must be an ISO date and time such as 2026-11-25T02:00');
  }
  return at;
}

/** Checks a request body of POST /simulator/api/events; throws SimulatorRequestError (400). */
export function parseSimulatorRequest(body: unknown): { userId: string; event: SimulatorEvent; at: Date | null } {
  const { userId, event, at: atText } = (typeof body === 'object' && body !== null ? body : {}) as {
    userId?: unknown;
    event?: Record<string, unknown>;
    at?: unknown;
  };
  if (!isSimulatorUserId(userId)) throw new SimulatorRequestError('userId must be a simulator id ("sim-" and a UUID) from POST /simulator/api/users');
  const at = parseSimulatorInstant(atText);
  return { ...parseEvent(userId, event), at };
}

function parseEvent(userId: string, event: Record<string, unknown> | undefined): { userId: string; event: SimulatorEvent } {
  if (typeof event !== 'object' || event === null) throw new SimulatorRequestError('event is missing');
  switch (event.kind) {
    case 'follow':
    case 'unfollow':
      return { userId, event: { kind: event.kind } };
    case 'text':
      if (!shortString(event.text, TEXT_LIMIT)) throw new SimulatorRequestError(`text must be 1 to ${TEXT_LIMIT} characters`);
      return { userId, event: { kind: 'text', text: event.text } };
    case 'postback':
      if (!shortString(event.data, 300)) throw new SimulatorRequestError('postback data must be 1 to 300 characters');
      return { userId, event: { kind: 'postback', data: event.data } };
    case 'sticker': {
      const packageId = String(event.packageId ?? '');
      const stickerId = String(event.stickerId ?? '');
      if (!/^\d{1,12}$/.test(packageId) || !/^\d{1,12}$/.test(stickerId)) throw new SimulatorRequestError('a sticker needs numeric packageId and stickerId');
      return { userId, event: { kind: 'sticker', packageId, stickerId } };
    }
    default:
      throw new SimulatorRequestError('event.kind must be follow, unfollow, text, postback or sticker');
  }
}

/**
 * The inbound event the use case gets, as `fromLineEvent` would build it from the matching LINE
 * webhook event: each request is a new event with a fresh id and reply token.
 */
export function fromSimulatorEvent(userId: string, event: SimulatorEvent): IncomingEvent {
  const eventId = `sim-${randomUUID()}`;
  if (event.kind === 'unfollow') return { kind: 'unfollow', eventId, userId, channel: 'simulator' };
  const replyToken = randomBytes(16).toString('hex');
  const input: Input =
    event.kind === 'follow'
      ? { kind: 'follow' }
      : event.kind === 'text'
        ? { kind: 'text', text: event.text }
        : event.kind === 'postback'
          ? { kind: 'postback', data: event.data }
          : { kind: 'nonText' };
  // No LINE timestamp: the server makes these events itself, in arrival order, and they cannot be replayed.
  return { kind: 'turn', eventId, userId, channel: 'simulator', replyToken, input, redelivery: false, timestamp: null };
}
