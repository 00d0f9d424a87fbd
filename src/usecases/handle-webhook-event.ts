import { createHash } from 'node:crypto';
import { step } from '../domain/conversation';
import type { Definitions } from '../domain/definitions';
import type { Input } from '../domain/interpret-input';
import type { Reply } from '../domain/reply';
import { KeyedQueue } from './keyed-queue';
import { localDateOf } from '../domain/calendar';
import { isLineUser } from './user-ids';
import { ConflictError, SendError, type Clock, type Logger, type Messenger, type Store, type StoredConversation, type StoredEvent } from './ports';

export type IncomingEvent =
  | { kind: 'turn'; eventId: string; userId: string; replyToken: string; input: Input; redelivery: boolean }
  | { kind: 'unfollow'; eventId: string; userId: string }
  | { kind: 'ignored'; eventId: string; reason: string };

export interface HandleEventDeps {
  definitions: Definitions;
  store: Store;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
  /** A stable, non-reversible id for logs: user ids are never logged in the clear. */
  hashUserId(userId: string): string;
}

export type EventResult = 'replied' | 'resent' | 'duplicate' | 'in-progress' | 'deleted' | 'ignored';

/** How long an instance holds an event while it replies; longer than any reply call takes. */
const LEASE_MS = 30_000;
const MAX_CONFLICT_RETRIES = 20;

/** A UUID derived from the event id, so a push for the same event is never sent twice. */
export function retryKeyFor(eventId: string): string {
  const hex = createHash('sha256').update(`reply:${eventId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Where a conversation's "stopped here" usage mark stands: the node it was left at, on its last day. */
function stoppedAt(conversation: StoredConversation | null): { day: string; node: string } | null {
  const node = (conversation?.state as { snapshot?: { value?: unknown } } | undefined)?.snapshot?.value;
  return conversation?.lastDay && typeof node === 'string' ? { day: conversation.lastDay, node } : null;
}

/**
 * Handles one webhook event: exactly one state change per event id, a reply sent at least once and
 * normally once, events of one person in arrival order. Throws when the event must be redelivered.
 */
export function createEventHandler(deps: HandleEventDeps): (event: IncomingEvent) => Promise<EventResult> {
  const { definitions, store, messenger, clock, logger } = deps;
  const queue = new KeyedQueue();

  async function deliver(eventId: string, userId: string, replyToken: string | null, reply: Reply): Promise<void> {
    try {
      if (!replyToken) throw new SendError('invalid-reply-token', null, 'no reply token stored');
      await messenger.reply(replyToken, reply);
    } catch (error) {
      if (!(error instanceof SendError) || error.failure !== 'invalid-reply-token') throw error;
      // The token expired (e.g. a late redelivery): the person still gets their answer, by push.
      logger.warn({ user: deps.hashUserId(userId), eventId }, 'reply token no longer valid; pushing the reply');
      try {
        await messenger.push(userId, reply, retryKeyFor(eventId));
      } catch (pushError) {
        if (!(pushError instanceof SendError) || pushError.failure !== 'already-accepted') throw pushError;
      }
    }
  }

  async function send(eventId: string, userId: string, replyToken: string | null, reply: Reply): Promise<void> {
    try {
      await deliver(eventId, userId, replyToken, reply);
    } catch (error) {
      await store.releaseEvent(eventId).catch(() => undefined);
      throw error;
    }
    await store.markReplied(eventId);
  }

  async function resume(eventId: string, userId: string, replyToken: string): Promise<EventResult> {
    const pending = await store.claimPendingEvent(eventId, clock.now(), LEASE_MS);
    if (!pending?.reply) return 'in-progress';
    await send(eventId, userId, pending.replyToken ?? replyToken, pending.reply);
    logger.info({ user: deps.hashUserId(userId), eventId }, 'reply sent again for a redelivered event');
    return 'resent';
  }

  async function handleTurn(event: Extract<IncomingEvent, { kind: 'turn' }>): Promise<EventResult> {
    const user = deps.hashUserId(event.userId);
    const settle = (known: StoredEvent | null): Promise<EventResult> | EventResult =>
      !known ? 'in-progress' : known.status === 'replied' ? 'duplicate' : resume(event.eventId, event.userId, event.replyToken);
    // LINE marks redeliveries, so only those are looked up first; any other duplicate (the same
    // delivery at two instances at once) is caught by the event id's primary key below.
    if (event.redelivery) {
      const known = await store.findEvent(event.eventId);
      if (known) return settle(known);
    }

    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const { conversation: stored, subscribed } = await store.loadTurnContext(event.userId);
      const now = clock.now();
      const turn = step(definitions, stored?.state ?? null, event.input, now, { subscribed });
      let recorded: 'recorded' | 'duplicate';
      try {
        recorded = await store.recordTurn({
          eventId: event.eventId,
          userId: event.userId,
          replyToken: event.replyToken,
          state: turn.state,
          expectedVersion: stored?.version ?? null,
          reply: turn.reply,
          at: now,
          leaseMs: LEASE_MS,
          ...(turn.subscription ? { subscription: turn.subscription } : {}),
          ...(turn.openNotification ? { openNotification: turn.openNotification } : {}),
          ...(isLineUser(event.userId) ? { usage: { day: localDateOf(now), node: turn.node, outcome: turn.outcome, previous: stoppedAt(stored), ...(turn.typed ? { typed: turn.typed } : {}) } } : {}),
        });
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      if (recorded === 'duplicate') return settle(await store.findEvent(event.eventId));
      await send(event.eventId, event.userId, event.replyToken, turn.reply);
      logger.info({ user, eventId: event.eventId, input: event.input.kind, outcome: turn.outcome, node: turn.node }, 'turn handled');
      return 'replied';
    }
    throw new ConflictError(`gave up after ${MAX_CONFLICT_RETRIES} concurrent changes`);
  }

  return (event) => {
    switch (event.kind) {
      case 'ignored':
        logger.info({ eventId: event.eventId, reason: event.reason }, 'event ignored');
        return Promise.resolve('ignored');
      case 'unfollow':
        return queue.run(event.userId, async () => {
          await store.deleteUser(event.userId);
          logger.info({ user: deps.hashUserId(event.userId), eventId: event.eventId }, 'unfollowed: user data deleted');
          return 'deleted' as const;
        });
      case 'turn':
        return queue.run(event.userId, () => handleTurn(event));
    }
  };
}
