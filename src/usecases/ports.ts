import type { ConversationState } from '../domain/conversation';
import type { Input } from '../domain/interpret-input';
import type { Reply } from '../domain/reply';
import type { StaffChanges, StaffFactCheck, StaffIbashoDate, StaffNotice } from '../domain/staff-changes/change';

import type { Channel } from './channels';

export type { Channel } from './channels';

/** An inbound event, as an adapter (from-line-event, from-simulator-event) hands it to the use case. */
export type IncomingEvent =
  | {
      kind: 'turn';
      eventId: string;
      userId: string;
      channel: Channel;
      replyToken: string;
      input: Input;
      redelivery: boolean;
      /** LINE's event time (ms), for order and age; null for events made in arrival order (the simulator). */
      timestamp: number | null;
    }
  | { kind: 'unfollow'; eventId: string; userId: string; channel: Channel }
  | { kind: 'ignored'; eventId: string; reason: string };

export type EventResult =
  /** Answered now. */
  | 'replied'
  /** An event whose first holder did not finish: its reply was sent by the one that took it over. */
  | 'resent'
  /** Its reply may already have reached the person, and it is not a crisis reply: not sent again. */
  | 'assumed-delivered'
  | 'duplicate'
  | 'late'
  | 'deleted'
  | 'ignored';

/**
 * How an event ended, in the operators' counts (metrics): a fixed set of words, never a user id or
 * text. `taken_over`: a redelivery or the sweeper finished an event another attempt had recorded.
 */
export type EventOutcome =
  | 'answered'
  | 'crisis'
  | 'danger'
  | 'asked_back'
  | 'not_understood'
  | 'non_text'
  | 'stale'
  | 'late'
  | 'duplicate'
  | 'taken_over'
  | 'ignored'
  | 'unfollowed'
  | 'failed';

/** What the webhook use case tells the operators' counts. The Prometheus side is src/metrics/. */
export interface EventMetrics {
  eventHandled(outcome: EventOutcome, seconds: number): void;
}

/** Why a send failed, in terms the use cases act on. */
export type SendFailure =
  /** The reply token was used or expired: nothing to retry with it. */
  | 'invalid-reply-token'
  /** LINE already accepted a request with this retry key: the message was sent. */
  | 'already-accepted'
  /** Rate limit, server error or network: worth trying again later. */
  | 'retryable'
  /** LINE refused the request itself (other 4xx): retrying the same request cannot help. */
  | 'rejected';

export class SendError extends Error {
  constructor(
    readonly failure: SendFailure,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** The capability to talk back to people. The LINE implementation wraps the SDK client. */
export interface Messenger {
  reply(replyToken: string, reply: Reply): Promise<void>;
  /** A push that LINE performs at most once per retry key (a UUID). */
  push(to: string, reply: Reply, retryKey: string): Promise<void>;
  /** The same message to up to 500 people, at most once per retry key. */
  multicast(to: string[], reply: Reply, retryKey: string): Promise<void>;
  /** This month's push quota: limit null means unlimited. */
  quota(): Promise<{ limit: number | null; used: number }>;
}

export interface StoredEvent {
  status: 'pending' | 'replied';
  /** Empty once replied: a replied event keeps only its id. */
  userId: string;
  replyToken: string | null;
  reply: Reply | null;
  /** How the pending reply goes out: with its reply token, or by push once the token failed. */
  delivery: 'reply' | 'push';
  /** A crisis reply: when it may or may not have arrived, it is sent again rather than risk a loss. */
  crisis: boolean;
}

export interface StoredConversation {
  state: unknown;
  /** Row version for optimistic concurrency: a save with a stale version fails with ConflictError. */
  version: number;
  /** The Tokyo date of the last counted turn ("YYYY-MM-DD"), or null. */
  lastDay: string | null;
  /** LINE's timestamp (ms) of the newest event applied, or null. */
  lastEventAt: number | null;
}

/** What a turn needs to know about a person, read in one go. */
export interface TurnContext {
  conversation: StoredConversation | null;
  subscribed: boolean;
}

export class ConflictError extends Error {
  constructor(message = 'the conversation changed meanwhile') {
    super(message);
    this.name = 'ConflictError';
  }
}

export interface RecordTurn {
  eventId: string;
  userId: string;
  /** Where the person talks to the bot: kept with their subscription and open notifications. */
  channel: Channel;
  replyToken: string;
  state: ConversationState;
  /** The version read before the turn, or null when there was no row. */
  expectedVersion: number | null;
  reply: Reply;
  /** Whether the reply is a crisis reply (see StoredEvent.crisis). */
  crisis: boolean;
  at: Date;
  /** LINE's timestamp of the newest event applied to the conversation after this turn. */
  lastEventAt: number;
  /** How long the recording instance holds the event while it sends the reply. */
  leaseMs: number;
  /** A change to the いばしょ reminder subscription made by this turn. */
  subscription?: 'subscribe' | 'unsubscribe';
  /** A one-time push when a window opens, asked for in this turn. */
  openNotification?: { window: string; sendAt: number };
  /** What to count for the ward's usage figures (absent on the simulator channel): no id, no text. */
  usage?: UsageOfTurn;
}

export interface UsageOfTurn {
  /** The Tokyo date of the turn, "YYYY-MM-DD". */
  day: string;
  /** The node shown after the turn. */
  node: string;
  /** What happened: answer, question, crisis, unrecognized … */
  outcome: string;
  /** For typed text: read as a sentence (a need, a question, small talk), or not understood. */
  typed?: 'understood' | 'notUnderstood';
  /** Where this conversation's "stopped here" mark was before the turn, to move it from there. */
  previous: { day: string; node: string } | null;
}

export interface UsageRow {
  day: string;
  node: string;
  metric: string;
  count: number;
}

/**
 * Persistence for conversations. Implementations: embedded SQLite (one process) and PostgreSQL
 * (several instances). Each method is one transaction.
 */
export interface Store {
  findEvent(eventId: string): Promise<StoredEvent | null>;
  /** The person's conversation (null before their first turn) and whether they get reminders. */
  loadTurnContext(userId: string): Promise<TurnContext>;
  /**
   * Records the event id and saves the new state with the reply to send, in one transaction.
   * Returns 'duplicate' when the event id was already recorded (nothing is written), and throws
   * ConflictError when the conversation's version is not `expectedVersion`.
   */
  recordTurn(turn: RecordTurn): Promise<'recorded' | 'duplicate'>;
  /**
   * Takes over a recorded event whose reply was not confirmed, when no one else holds it (its lease
   * has run out or was released). Returns the stored reply to send again, or null.
   */
  claimPendingEvent(eventId: string, now: Date, leaseMs: number): Promise<StoredEvent | null>;
  /** Lets a redelivery take over at once after a failed send. */
  releaseEvent(eventId: string): Promise<void>;
  /** Records, before the push is made, that the event's reply goes out by push from now on. */
  markPushDelivery(eventId: string): Promise<void>;
  /** Pending events that nobody holds any more (their holder died or gave up), oldest first. */
  abandonedEvents(now: Date, limit: number): Promise<{ eventId: string; userId: string }[]>;
  /**
   * Marks the event's reply as sent. Written behind: marks made close together share one statement,
   * which joins the next turn recorded or goes on its own a few milliseconds later. Resolves once the
   * mark is stored; the webhook does not wait for that (see handle-webhook-event.ts).
   */
  markReplied(eventId: string): Promise<void>;
  /** Forgets everything about a person (they blocked the bot). */
  deleteUser(userId: string): Promise<void>;
  /**
   * Retention: deletes conversations idle since before `conversationsIdleSince`, webhook event ids
   * received before `eventsBefore`, and reminder delivery records made before `remindersBefore`.
   * Subscriptions stay until revoked.
   */
  purge(cutoffs: { conversationsIdleSince: number; eventsBefore: number; remindersBefore: number }): Promise<PurgeCounts>;
  /**
   * Daily usage counts between two Tokyo dates, inclusive. Counts are gathered in memory and written
   * about once a second (and on close); reading them first writes this instance's pending counts.
   */
  usage(from: string, to: string): Promise<UsageRow[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A multicast of one reminder to up to 500 people, kept with its retry key until LINE accepts it. */
export interface ReminderBatch {
  batchId: string;
  slotKey: string;
  retryKey: string;
  recipients: string[];
  message: Reply;
  eventStart: number;
  attempts: number;
}

/** The durable outbox of reminders. Both stores implement it. */
export interface ReminderStore {
  /** LINE subscribers since `subscribedBy` who have no delivery row for the slot yet (only LINE users can be pushed to). */
  subscribersWithoutDelivery(slotKey: string, subscribedBy: number): Promise<string[]>;
  /**
   * Claims the slot for these people (a delivery row each; people already claimed by anyone are
   * left out) and groups the claimed ones into batches with fresh retry keys, in one transaction.
   */
  claimDeliveries(args: { slotKey: string; userIds: string[]; message: Reply; eventStart: number; batchSize: number; now: number }): Promise<ReminderBatch[]>;
  /** Records these people as missed for the slot (once); returns how many were newly recorded. */
  recordMissed(slotKey: string, userIds: string[], now: number): Promise<number>;
  /** LINE users waiting for a window to open, grouped by (window, opening time), whose time has come. */
  openNotificationsDue(now: number): Promise<{ window: string; sendAt: number; userIds: string[] }[]>;
  /** Forgets the waiting people of a (window, opening time) once their push is claimed or dropped. */
  clearOpenNotifications(window: string, sendAt: number, userIds: string[]): Promise<void>;
  /** Pending batches nobody holds (their lease has run out). */
  pendingBatches(now: number): Promise<ReminderBatch[]>;
  /** Takes a batch for sending; false when another dispatcher holds it or it is no longer pending. */
  leaseBatch(batchId: string, now: number, leaseMs: number): Promise<boolean>;
  /** Keeps holding a batch this dispatcher leased (before each retry). */
  renewBatchLease(batchId: string, leaseUntil: number): Promise<void>;
  /** Pending batches another dispatcher holds at `now`, and until when. */
  heldBatches(now: number): Promise<{ batchId: string; slotKey: string; recipients: number; leaseUntil: number }[]>;
  finishBatch(batchId: string, status: 'sent' | 'failed' | 'missed', attempts: number): Promise<void>;
  /** Leaves a batch pending for a later pass (its lease released). */
  deferBatch(batchId: string, attempts: number): Promise<void>;
}

export interface PurgeCounts {
  conversations: number;
  events: number;
  reminderRecords: number;
  /** Open notifications never sent (the simulator's are never sent), 30 days after they were due. */
  openNotifications: number;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Where the staff layer comes from: the store's version counter and the changes themselves. */
export interface StaffChangesSource {
  /** Grows by one with every change of dates, notices or facts; instances poll it. */
  version(): Promise<number>;
  /** The whole staff layer, with the version it was read at. */
  changes(): Promise<StaffChanges>;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

/**
 * What staff change in what the bot says (いばしょ dates, notices, fact checks). Every change is one
 * transaction that also writes its audit row and bumps the version counter.
 */
export interface StaffContentStore extends StaffChangesSource {
  ibashoDate(date: string): Promise<StaffIbashoDate | null>;
  /** Publishes, cancels or moves a date (one row per original date); `action` names it in the audit log. */
  putIbashoDate(entry: StaffIbashoDate, action: string): Promise<void>;
  /** Takes a staff row back (the date falls back to content/ or the rule). */
  removeIbashoDate(date: string, actor: string, at: number): Promise<boolean>;
  addNotice(notice: Omit<StaffNotice, 'id'>): Promise<string>;
  removeNotice(id: string, actor: string, at: number): Promise<boolean>;
  putFactCheck(check: StaffFactCheck): Promise<void>;
  /** The newest audit rows first. */
  auditLog(limit?: number): Promise<AuditEntry[]>;
}

export interface StaffAccount {
  username: string;
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}

/** How many login attempts a key gets, and how long it is blocked once they are used (see reserveLoginAttempt). */
export interface LoginRule {
  free: number;
  delayMs: number;
  maxDelayMs: number;
  quietMs: number;
}

/** A name that is taken (an account added twice). */
export class DuplicateError extends Error {
  override name = 'DuplicateError';
}

/** Who may use the staff console: accounts (changes audited), sessions for express-session, login throttling. */
export interface StaffAccessStore {
  account(username: string): Promise<StaffAccount | null>;
  accounts(): Promise<StaffAccount[]>;
  /** Throws DuplicateError when the name is taken. The hash never reaches the audit log. */
  addAccount(username: string, passwordHash: string, actor: string, at: number): Promise<void>;
  /** Disables an account and ends its sessions. False when there is no such account. */
  disableAccount(username: string, actor: string, at: number): Promise<boolean>;
  /** Sets a new password, ending its sessions; a disabled account stays disabled. False when there is no such account. */
  resetPassword(username: string, passwordHash: string, actor: string, at: number): Promise<boolean>;
  /** Enables a disabled account again (its password unchanged). False when there is no such account. */
  enableAccount(username: string, actor: string, at: number): Promise<boolean>;
  session(sid: string, now: number): Promise<string | null>;
  saveSession(sid: string, username: string | null, data: string, expiresAt: number): Promise<void>;
  touchSession(sid: string, expiresAt: number): Promise<void>;
  destroySession(sid: string): Promise<void>;
  /** Reserves one login attempt for `key` before the password is verified, parallel attempts counted one by one. */
  reserveLoginAttempt(key: string, rule: LoginRule, now: number): Promise<{ allowed: true } | { allowed: false; until: number }>;
  /** A successful login: its keys start afresh. */
  clearLoginAttempts(keys: string[]): Promise<void>;
  /** Audit rows for signing in and out; a failed login names only an account that exists (never what was typed). */
  recordSignIn(action: 'account.login' | 'account.login-failed' | 'account.logout', username: string, at: number): Promise<void>;
  /** Expired sessions and login limits untouched since `attemptsBefore`; the audit log is never purged. */
  purgeExpired(now: number, attemptsBefore: number): Promise<void>;
}

/**
 * The staff console's data, on the same database as the conversations: what the bot says (content)
 * and who may change it (access). Implementation: src/store/staff-store.ts (SQLite and PostgreSQL).
 */
export interface StaffStore {
  readonly content: StaffContentStore;
  readonly access: StaffAccessStore;
}
