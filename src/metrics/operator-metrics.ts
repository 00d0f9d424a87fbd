import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { DispatchSummary } from '../usecases/dispatch-reminders';
import type { EventMetrics, EventOutcome, SendFailure } from '../usecases/ports';

/** The LINE API calls the bot makes, as labels. */
export type LineCall = 'reply' | 'push' | 'multicast' | 'quota';

/**
 * What operators watch, in Prometheus's text format through prom-client. Every label is one of a
 * fixed set of words or an HTTP status: never a user id (hashed or not) and never text.
 */
export interface OperatorMetrics extends EventMetrics {
  webhookAnswered(status: number): void;
  lineCall(call: LineCall, seconds: number, failure: SendFailure | null): void;
  reminderPass(summary: DispatchSummary): void;
  storeError(operation: string): void;
  /** The exposition: this app's metrics and the process's default ones. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

// Turns answer within LINE's 2-second wait; calls to LINE time out after 20 s (line-http.ts).
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

let processRegistry: Registry | null = null;

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC, handles), collected once per process:
 * prom-client starts an event-loop monitor and a GC observer for each collection, which would pile up
 * with each app a test composes. The monitor samples the loop every 100 ms rather than prom-client's
 * 10: at 10 ms its timer alone cost 0.8 % of a core on an idle server (BENCHMARKS.md, issue 30).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 100 });
  }
  return processRegistry;
}

/** A child per label value, made on first use: counting an event then costs no label hashing. */
function perLabel<T>(make: (value: string) => T): (value: string) => T {
  const children = new Map<string, T>();
  return (value) => {
    let child = children.get(value);
    if (!child) children.set(value, (child = make(value)));
    return child;
  };
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const webhookRequests = new Counter({ name: 'guide_webhook_requests_total', help: 'POST /webhook requests answered, by HTTP status', labelNames: ['status'], registers });
  const events = new Counter({ name: 'guide_events_total', help: 'Webhook events handled, by outcome', labelNames: ['outcome'], registers });
  const turnSeconds = new Histogram({ name: 'guide_event_duration_seconds', help: 'Time to handle one webhook event (the turn, its store writes and the reply call)', buckets: TURN_BUCKETS, registers });
  const callSeconds = new Histogram({ name: 'guide_line_api_call_duration_seconds', help: 'Calls to the LINE Messaging API, by call', labelNames: ['call'], buckets: CALL_BUCKETS, registers });
  const lineErrors = new Counter({ name: 'guide_line_api_errors_total', help: 'Failed calls to the LINE Messaging API, by call and kind', labelNames: ['call', 'kind'], registers });
  const reminderPasses = new Counter({ name: 'guide_reminder_passes_total', help: 'Reminder dispatcher passes run by this process', registers });
  const reminderBatches = new Counter({ name: 'guide_reminder_batches_sent_total', help: 'Reminder multicasts LINE accepted', registers });
  const reminderRecipients = new Counter({
    name: 'guide_reminder_recipients_total',
    help: 'People in reminder passes, by result (sent, skipped for the quota, missed, held by another run, failed)',
    labelNames: ['result'],
    registers,
  });
  const storeErrors = new Counter({ name: 'guide_store_errors_total', help: 'Store calls that failed (database unreachable, timed out, refused), by operation', labelNames: ['operation'], registers });

  const statusChild = perLabel((status) => webhookRequests.labels(status));
  const outcomeChild = perLabel((outcome) => events.labels(outcome));
  const callChild = perLabel((call) => callSeconds.labels(call));
  const defaults = processMetrics();

  return {
    webhookAnswered: (status) => statusChild(String(status)).inc(),
    eventHandled(outcome: EventOutcome, seconds: number) {
      outcomeChild(outcome).inc();
      turnSeconds.observe(seconds);
    },
    lineCall(call, seconds, failure) {
      callChild(call).observe(seconds);
      if (failure) lineErrors.labels(call, failure).inc();
    },
    reminderPass(summary) {
      reminderPasses.inc();
      reminderBatches.inc(summary.sent);
      reminderRecipients.labels('sent').inc(summary.recipients);
      reminderRecipients.labels('skipped').inc(summary.skipped);
      reminderRecipients.labels('missed').inc(summary.missed);
      reminderRecipients.labels('held').inc(summary.held);
      reminderRecipients.labels('failed').inc(summary.failed);
    },
    storeError: (operation) => storeErrors.labels(operation).inc(),
    async scrape() {
      const [own, process] = await Promise.all([registry.metrics(), defaults.metrics()]);
      return { contentType: registry.contentType, body: `${own}\n${process}` };
    },
  };
}
