import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { definitionsFor, isSafetyReply, lateTurn, step, type TurnOutcome } from '../domain/conversation';
import type { Definitions } from '../domain/definitions';
import type { ByLang } from '../domain/lang';
import type { Reply } from '../domain/reply';
import { withoutNotices } from '../domain/notice-lines';
import { KeyedQueue } from './keyed-queue';
import { capabilitiesOf } from './channels';
import { localDateOf } from '../domain/calendar';
import { eventOutcome } from './event-outcome';
import { ConflictError, SendError, type Clock, type EventMetrics, type EventResult, type IncomingEvent, type Logger, type Messenger, type Store, type StoredConversation, type StoredEvent } from './ports';

export interface HandleEventDeps {
  definitions: Definitions;
  store: Store;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
  /** A stable, non-reversible id for logs: user ids are never logged in the clear. */
  hashUserId(userId: string): string;
  /** Counts each event's outcome and time for operators; absent, nothing is counted. */
  metrics?: EventMetrics;
}

export type EventHandler = ((event: IncomingEvent) => Promise<EventResult>) & {
  /** Finishes events whose holder died (their lease ran out) and that LINE did not redeliver. */
  finishAbandoned(now: Date): Promise<number>;
};

/** Another instance holds the event and did not finish within the wait: LINE should try again later. */
export class EventHeldError extends Error {
  override name = 'EventHeldError';
}

/** Longer than the LINE client's 20-second call timeout, so that a live holder is never overtaken. */
export const LEASE_MS = 25_000;
/** LINE waits 2 seconds for a webhook's answer; a redelivery waits this long for the event's holder. */
const HOLD_WAIT_MS = 1_200;
const HOLD_POLL_MS = 100;
/** Event ids are kept for two days (retention.ts); older events could not be told from a replay. */
export const EVENT_ACCEPT_WINDOW_MS = 24 * 60 * 60 * 1000;
const ABANDONED_BATCH = 100;
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

const isSendFailure = (error: unknown, failure: SendError['failure']) => error instanceof SendError && error.failure === failure;

/**
 * Handles one webhook event: exactly one state change per event id, and a reply that reaches the
 * person once. Each gap between "LINE accepted" and "we recorded it" is decided (README, "What the bot
 * guarantees"):
 * - The turn and its reply are recorded, with a lease, before the reply call: a crash before the
 *   record loses nothing (LINE gets no 200 and redelivers; the turn is computed then).
 * - A crash after the record: a redelivery, or the sweeper when LINE does not redeliver, takes the
 *   event over once the lease runs out and sends the stored reply with its reply token.
 * - If that token was already used, the earlier holder's reply reached LINE: it is not sent again,
 *   except a crisis reply, which is pushed again rather than risk that it was lost.
 * - Once a reply has to go by push, that is recorded before the push, and every later attempt reuses
 *   the event's retry key, which LINE accepts only once.
 * Events of one person are applied in LINE's timestamp order: an older one arriving late is answered
 * without moving the conversation back. Throws when the event must be redelivered.
 */
export function createEventHandler(deps: HandleEventDeps): EventHandler {
  const { definitions, store, messenger, clock, logger } = deps;
  /** The definitions of each language a conversation may be in: only Japanese today. */
  const languages: ByLang<Definitions> = { ja: definitions };
  const queue = new KeyedQueue();
  const decided = (eventId: string, userId: string, decision: string) => logger.info({ user: deps.hashUserId(userId), eventId, decision }, 'delivery decision');

  async function pushOnce(eventId: string, userId: string, reply: Reply): Promise<void> {
    await store.markPushDelivery(eventId);
    try {
      await messenger.push(userId, reply, retryKeyFor(eventId));
    } catch (error) {
      if (!isSendFailure(error, 'already-accepted')) throw error;
    }
  }

  /**
   * Replies; when LINE refuses the reply itself (400, not its token), that is a content error (a
   * staff notice LINE would not take, say): logged as one, and the person still gets the answer,
   * sent again without the notices. A LINE 400 delivers nothing, so the token is still unused.
   */
  async function replyOrPlain(eventId: string, userId: string, replyToken: string, reply: Reply): Promise<void> {
    try {
      await messenger.reply(replyToken, reply);
    } catch (error) {
      const plain = withoutNotices(reply);
      if (!isSendFailure(error, 'rejected') || (error as SendError).status !== 400 || plain === reply) throw error;
      logger.error({ user: deps.hashUserId(userId), eventId, contentError: true, err: { message: (error as Error).message } }, 'content error: LINE refused the reply; sent without the notices');
      await messenger.reply(replyToken, plain);
    }
  }

  /** The first attempt, by the instance that recorded the turn: nothing has been sent for it yet. */
  async function firstDelivery(eventId: string, userId: string, replyToken: string, reply: Reply): Promise<EventResult> {
    try {
      await replyOrPlain(eventId, userId, replyToken, reply);
      return 'replied';
    } catch (error) {
      if (!isSendFailure(error, 'invalid-reply-token')) throw error;
      // The token expired before this first use (a late redelivery): nothing was sent, so push.
      decided(eventId, userId, 'reply token expired before its first use: pushed with the event\'s retry key');
      await pushOnce(eventId, userId, reply);
      return 'replied';
    }
  }

  /** A later attempt, after a holder that may or may not have reached LINE. */
  async function takeOverDelivery(eventId: string, pending: StoredEvent): Promise<EventResult> {
    const reply = pending.reply!;
    if (pending.delivery === 'push') {
      await pushOnce(eventId, pending.userId, reply);
      decided(eventId, pending.userId, 'push repeated with the same retry key (LINE accepts it once)');
      return 'resent';
    }
    try {
      if (!pending.replyToken) throw new SendError('invalid-reply-token', null, 'no reply token stored');
      await replyOrPlain(eventId, pending.userId, pending.replyToken, reply);
      decided(eventId, pending.userId, 'reply sent with its unused token after a takeover');
      return 'resent';
    } catch (error) {
      if (!isSendFailure(error, 'invalid-reply-token')) throw error;
      if (pending.crisis) {
        await pushOnce(eventId, pending.userId, reply);
        decided(eventId, pending.userId, 'crisis reply: token already used or expired after an attempt; pushed again rather than risk a loss');
        return 'resent';
      }
      decided(eventId, pending.userId, 'token already used after an attempt: taken as delivered, not sent again');
      return 'assumed-delivered';
    }
  }

  /**
   * Runs a delivery; marks the event replied, or releases it for the next attempt and rethrows.
   * The mark is written behind and not waited for: the reply has reached LINE, and a mark that is
   * lost (the process dies, the database fails) leaves the event pending, which a redelivery or the
   * sweeper takes over after its lease and finds its token used (README, "What the bot guarantees").
   */
  async function settle(eventId: string, userId: string, deliver: () => Promise<EventResult>): Promise<EventResult> {
    let result: EventResult;
    try {
      result = await deliver();
    } catch (error) {
      await store.releaseEvent(eventId).catch(() => undefined);
      throw error;
    }
    store.markReplied(eventId).catch((error: unknown) =>
      logger.warn({ user: deps.hashUserId(userId), eventId, err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'reply sent but not marked: the event is finished after its lease'),
    );
    return result;
  }

  /** An event recorded before: done, taken over, or (held by a live instance) waited for briefly. */
  async function finishKnown(eventId: string, userId: string): Promise<EventResult> {
    for (let waited = 0; ; waited += HOLD_POLL_MS) {
      const known = await store.findEvent(eventId);
      // Gone (the person blocked the bot meanwhile) or done.
      if (!known || known.status === 'replied') return 'duplicate';
      const pending = await store.claimPendingEvent(eventId, clock.now(), LEASE_MS);
      if (pending?.reply) return settle(eventId, userId, () => takeOverDelivery(eventId, pending));
      if (waited >= HOLD_WAIT_MS) {
        decided(eventId, userId, 'held by a live instance: answered 5xx so that LINE tries again later');
        throw new EventHeldError(`event ${eventId} is held by another instance`);
      }
      await new Promise((resolve) => setTimeout(resolve, HOLD_POLL_MS));
    }
  }

  /** The event's result, and the kind of turn when one was computed for it (for the counts). */
  async function handleTurn(event: Extract<IncomingEvent, { kind: 'turn' }>): Promise<{ result: EventResult; turn: TurnOutcome | null }> {
    const user = deps.hashUserId(event.userId);
    // LINE marks redeliveries, so only those are looked up first; any other duplicate (the same
    // delivery at two instances at once) is caught by the event id's primary key below.
    if (event.redelivery && (await store.findEvent(event.eventId))) return { result: await finishKnown(event.eventId, event.userId), turn: null };

    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const { conversation: stored, subscribed } = await store.loadTurnContext(event.userId);
      const now = clock.now();
      const late = event.timestamp !== null && stored?.lastEventAt != null && event.timestamp < stored.lastEventAt;
      // The definitions in the conversation's language (only Japanese today).
      const defs = definitionsFor(languages, stored?.state ?? null);
      const turn = (late ? lateTurn : step)(defs, stored?.state ?? null, event.input, now, { subscribed });
      let recorded: 'recorded' | 'duplicate';
      try {
        recorded = await store.recordTurn({
          eventId: event.eventId,
          userId: event.userId,
          channel: event.channel,
          replyToken: event.replyToken,
          state: turn.state,
          expectedVersion: stored?.version ?? null,
          reply: turn.reply,
          // A safety reply (crisis, danger at home, the question asked back) is pushed again rather than lost.
          crisis: isSafetyReply(turn.outcome),
          at: now,
          lastEventAt: Math.max(stored?.lastEventAt ?? 0, event.timestamp ?? 0),
          leaseMs: LEASE_MS,
          ...(turn.subscription ? { subscription: turn.subscription } : {}),
          ...(turn.openNotification ? { openNotification: turn.openNotification } : {}),
          ...(capabilitiesOf(event.channel).countsUsage ? { usage: { day: localDateOf(now), node: turn.node, outcome: turn.outcome, previous: stoppedAt(stored), ...(turn.typed ? { typed: turn.typed } : {}) } } : {}),
        });
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      if (recorded === 'duplicate') return { result: await finishKnown(event.eventId, event.userId), turn: null };
      const result = await settle(event.eventId, event.userId, () => firstDelivery(event.eventId, event.userId, event.replyToken, turn.reply));
      logger.info({ user, eventId: event.eventId, input: event.input.kind, outcome: turn.outcome, node: turn.node }, 'turn handled');
      return { result: late ? 'late' : result, turn: turn.outcome };
    }
    throw new ConflictError(`gave up after ${MAX_CONFLICT_RETRIES} concurrent changes`);
  }

  async function finishAbandoned(now: Date): Promise<number> {
    let finished = 0;
    for (const { eventId, userId } of await store.abandonedEvents(now, ABANDONED_BATCH)) {
      try {
        const result = await queue.run(userId, () => finishKnown(eventId, userId));
        if (result !== 'duplicate') finished++;
      } catch (error) {
        logger.warn({ user: deps.hashUserId(userId), eventId, err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'abandoned event not finished yet');
      }
    }
    return finished;
  }

  const handle = (event: IncomingEvent): Promise<EventResult> => {
    const metrics = deps.metrics;
    if (!metrics) return route(event).then(({ result }) => result);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    return route(event).then(
      ({ result, turn }) => {
        metrics.eventHandled(eventOutcome(result, turn), seconds());
        return result;
      },
      (error: unknown) => {
        metrics.eventHandled('failed', seconds());
        throw error;
      },
    );
  };

  const route = (event: IncomingEvent): Promise<{ result: EventResult; turn: TurnOutcome | null }> => {
    if (event.kind === 'turn' && event.timestamp !== null && clock.now().getTime() - event.timestamp > EVENT_ACCEPT_WINDOW_MS) {
      // Its id may have been purged: it could be a replay of an old, signed body.
      logger.warn({ eventId: event.eventId, user: deps.hashUserId(event.userId) }, 'event ignored: older than the window in which its id is remembered');
      return Promise.resolve({ result: 'ignored', turn: null });
    }
    switch (event.kind) {
      case 'ignored':
        logger.info({ eventId: event.eventId, reason: event.reason }, 'event ignored');
        return Promise.resolve({ result: 'ignored', turn: null });
      case 'unfollow':
        return queue.run(event.userId, async () => {
          await store.deleteUser(event.userId);
          logger.info({ user: deps.hashUserId(event.userId), eventId: event.eventId }, 'unfollowed: user data deleted');
          return { result: 'deleted' as const, turn: null };
        });
      case 'turn':
        return queue.run(event.userId, () => handleTurn(event));
    }
  };
  return Object.assign(handle, { finishAbandoned });
}
