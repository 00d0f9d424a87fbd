import type { Express, Router } from 'express';
import type { Config } from './config';
import { loadDefinitions } from './files/definitions-files';
import { LINE_CONTENT_LIMITS } from './line/line-limits';
import type { Definitions } from './domain/definitions';
import { createApp } from './http/create-app';
import { LineMessenger } from './line/line-messenger';
import { userIdHasher } from './log/pino-logger';
import { openSqliteStore, openStore, type DatabaseStore } from './store/open-store';
import { dispatchReminders, type DispatchDeps } from './usecases/dispatch-reminders';
import { createEventHandler } from './usecases/handle-webhook-event';
import type { Clock, Logger } from './usecases/ports';
import { LiveDefinitions } from './usecases/live-definitions';
import { StaffStore } from './store/staff-store';
import { adminRouter, sessionSecretFrom } from './admin/admin-router';
import path from 'node:path';
import type { RequestListener } from 'node:http';
import type { OperatorMetrics } from './metrics/operator-metrics';
import { measuredMessenger } from './metrics/measured-messenger';
import { measuredStore } from './metrics/measured-store';
import { metricsPortApp, metricsRouter } from './metrics/metrics-route';

export interface Composed {
  /** The Express app: serve it with http.createServer(handleRequest), or hand it to supertest. */
  handleRequest: Express;
  store: DatabaseStore;
  /** The simulator's own store (in memory), or null when the simulator is off. */
  simulatorStore: DatabaseStore | null;
  /** The staff console's data (dates, notices, fact checks, accounts, sessions, audit log). */
  staff: StaffStore;
  /** content/ with the staff's changes, refreshed every second. */
  live: LiveDefinitions;
  definitions: Definitions;
  /** Finishes webhook events whose holder died and that LINE did not redeliver; null without LINE credentials. */
  finishAbandonedEvents: ((now: Date) => Promise<number>) | null;
  /** One pass of the いばしょ reminder outbox; null without LINE credentials. */
  runReminders: ((now: Date, options?: { dryRun?: boolean }) => ReturnType<typeof dispatchReminders>) | null;
  /** Features that are off, to tell the operator. */
  disabled: string[];
  /** Whether the local chat simulator is served at / (and the tree at /flow). */
  simulator: boolean;
  /** GET /metrics without a token, for METRICS_PORT on 127.0.0.1; null when METRICS_PORT is unset. */
  metricsListener: RequestListener | null;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** The composition root: config → definitions → store → messenger → use cases → app. */
export async function compose(config: Config, deps: { logger: Logger; clock?: Clock }): Promise<Composed> {
  // Metrics are off unless asked for (METRICS_TOKEN or METRICS_PORT); off, nothing is measured and
  // prom-client is not even loaded (about 20 ms of a start-up).
  const metrics: OperatorMetrics | null = config.metricsToken || config.metricsPort !== null ? (await import('./metrics/operator-metrics')).createOperatorMetrics() : null;
  const opened = await openStore(config, { logger: deps.logger });
  const store = metrics ? measuredStore(opened, metrics) : opened;
  const staff = new StaffStore(store.database);
  const live = new LiveDefinitions(loadDefinitions(config, LINE_CONTENT_LIMITS), staff.content);
  await live.refresh();
  live.start(deps.logger);
  const definitions = live.view;
  const clock = deps.clock ?? systemClock;
  const disabled: string[] = [];

  let line = null;
  let runReminders: Composed['runReminders'] = null;
  let finishAbandonedEvents: Composed['finishAbandonedEvents'] = null;
  if (config.line) {
    const lineMessenger = new LineMessenger({ channelAccessToken: config.line.channelAccessToken, baseURL: config.lineApiBaseUrl });
    const messenger = metrics ? measuredMessenger(lineMessenger, metrics) : lineMessenger;
    const reminderDeps: DispatchDeps = { definitions, store, messenger, logger: deps.logger, staffDates: () => live.staffChanges.ibashoDates };
    runReminders = async (now, options) => {
      const result = await dispatchReminders(reminderDeps, now, options);
      if (metrics && !options?.dryRun) metrics.reminderPass(result.summary);
      return result;
    };
    const handleEvent = createEventHandler({
      definitions,
      store,
      messenger,
      clock,
      logger: deps.logger,
      hashUserId: userIdHasher(config.line.channelSecret),
      ...(metrics ? { metrics } : {}),
    });
    finishAbandonedEvents = handleEvent.finishAbandoned;
    line = { channelSecret: config.line.channelSecret, handleEvent };
  } else {
    disabled.push('LINE webhook (/webhook answers 503): set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN');
    disabled.push('いばしょ reminders (they are pushed through LINE)');
  }

  const links = [...(config.simulator ? [{ href: '/', label: 'シミュレーター' }] : []), ...(config.statsPage ? [{ href: '/stats', label: '利用状況' }] : [])];
  const admin = adminRouter({ staff, live, clock, logger: deps.logger, secureCookies: config.trustProxy !== null, sessionSecret: sessionSecretFrom(config), links, factMaxAgeDays: config.factMaxAgeDays });
  /** The simulator and /stats: pages for staff, not for the people the bot serves. */
  const staffPages: Router[] = [];
  // Simulator conversations are practice, not people: kept in memory, out of the production tables,
  // gone when the server stops (and purged like the rest while it runs).
  const simulatorStore = config.simulator ? await openSqliteStore(':memory:') : null;
  if (simulatorStore) {
    // Loaded only when on (off wherever LINE is configured): about 25 ms of every production start-up otherwise.
    const { SIMULATOR_ASSETS, simulatorRouter } = await import('./simulator/simulator-router');
    staffPages.push(
      simulatorRouter({
        definitions,
        store: simulatorStore,
        clock: config.simulatorNow ? { now: () => new Date(config.simulatorNow!.getTime()) } : clock,
        fixedNow: config.simulatorNow !== null,
        logger: deps.logger,
        hashUserId: userIdHasher(config.line?.channelSecret ?? 'simulator'),
        location: config,
        assetsDir: path.join(config.root, SIMULATOR_ASSETS),
        https: config.trustProxy !== null,
      }),
    );
  }

  if (config.statsPage) {
    const { STATS_ASSETS, statsRouter } = await import('./stats/stats-router');
    staffPages.push(statsRouter({ definitions, store, clock, assetsDir: path.join(config.root, STATS_ASSETS), https: config.trustProxy !== null }));
  }

  // With LINE credentials the server faces the public: the staff pages are mounted behind the staff
  // login. Without them (local use) they stay open as before.
  const extraRouters = [admin.router, ...(config.line && staffPages.length > 0 ? [admin.staffOnly(staffPages)] : staffPages)];
  const operatorRoutes = metrics ? { onWebhookAnswered: metrics.webhookAnswered, ...(config.metricsToken ? { metricsRouter: metricsRouter(metrics, config.metricsToken) } : {}) } : {};
  const handleRequest = createApp({ logger: deps.logger, store, line, extraRouters, trustProxy: config.trustProxy, ...operatorRoutes });
  return {
    handleRequest,
    store,
    simulatorStore,
    staff,
    live,
    definitions,
    runReminders,
    finishAbandonedEvents,
    disabled,
    simulator: config.simulator,
    metricsListener: metrics && config.metricsPort !== null ? metricsPortApp(metrics) : null,
    async close() {
      live.stop();
      await simulatorStore?.close();
      await store.close();
    },
  };
}
