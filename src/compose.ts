import type { Express } from 'express';
import type { Config } from './config';
import { loadDefinitions } from './definitions-files';
import type { Definitions } from './domain/definitions';
import { createApp } from './http/create-app';
import { LineMessenger } from './line/line-messenger';
import { userIdHasher } from './logger';
import { SIMULATOR_ASSETS, simulatorRouter } from './simulator/simulator-router';
import { STATS_ASSETS, statsRouter } from './stats/stats-router';
import { openStore } from './store/open-store';
import { openSqliteStore } from './store/sqlite-store';
import type { KyselyStore } from './store/kysely-store';
import { dispatchReminders, type DispatchDeps } from './usecases/dispatch-reminders';
import { createEventHandler } from './usecases/handle-webhook-event';
import type { Clock, Logger } from './usecases/ports';
import path from 'node:path';

export interface Composed {
  /** The Express app: serve it with http.createServer(handleRequest), or hand it to supertest. */
  handleRequest: Express;
  store: KyselyStore;
  /** The simulator's own store (in memory), or null when the simulator is off. */
  simulatorStore: KyselyStore | null;
  definitions: Definitions;
  /** Finishes webhook events whose holder died and that LINE did not redeliver; null without LINE credentials. */
  finishAbandonedEvents: ((now: Date) => Promise<number>) | null;
  /** One pass of the いばしょ reminder outbox; null without LINE credentials. */
  runReminders: ((now: Date, options?: { dryRun?: boolean }) => ReturnType<typeof dispatchReminders>) | null;
  /** Features that are off, to tell the operator. */
  disabled: string[];
  /** Whether the local chat simulator is served at / (and the tree at /flow). */
  simulator: boolean;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** The composition root: config → definitions → store → messenger → use cases → app. */
export async function compose(config: Config, deps: { logger: Logger; clock?: Clock }): Promise<Composed> {
  const definitions = loadDefinitions(config);
  const store = await openStore(config, { logger: deps.logger });
  const clock = deps.clock ?? systemClock;
  const disabled: string[] = [];

  let line = null;
  let runReminders: Composed['runReminders'] = null;
  let finishAbandonedEvents: Composed['finishAbandonedEvents'] = null;
  if (config.line) {
    const messenger = new LineMessenger({ channelAccessToken: config.line.channelAccessToken, baseURL: config.lineApiBaseUrl });
    const reminderDeps: DispatchDeps = { definitions, store, messenger, logger: deps.logger };
    runReminders = (now, options) => dispatchReminders(reminderDeps, now, options);
    const handleEvent = createEventHandler({
      definitions,
      store,
      messenger,
      clock,
      logger: deps.logger,
      hashUserId: userIdHasher(config.line.channelSecret),
    });
    finishAbandonedEvents = handleEvent.finishAbandoned;
    line = { channelSecret: config.line.channelSecret, handleEvent };
  } else {
    disabled.push('LINE webhook (/webhook answers 503): set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN');
    disabled.push('いばしょ reminders (they are pushed through LINE)');
  }

  const extraRouters = [];
  // Simulator conversations are practice, not people: kept in memory, out of the production tables,
  // gone when the server stops (and purged like the rest while it runs).
  const simulatorStore = config.simulator ? await openSqliteStore(':memory:') : null;
  if (simulatorStore) {
    extraRouters.push(
      simulatorRouter({
        definitions,
        store: simulatorStore,
        clock: config.simulatorNow ? { now: () => new Date(config.simulatorNow!.getTime()) } : clock,
        fixedNow: config.simulatorNow !== null,
        logger: deps.logger,
        hashUserId: userIdHasher(config.line?.channelSecret ?? 'simulator'),
        location: config,
        assetsDir: path.join(config.root, SIMULATOR_ASSETS),
      }),
    );
  }

  if (config.statsPage) {
    extraRouters.push(statsRouter({ definitions, store, clock, assetsDir: path.join(config.root, STATS_ASSETS) }));
  }

  const handleRequest = createApp({ logger: deps.logger, store, line, extraRouters });
  return {
    handleRequest,
    store,
    simulatorStore,
    definitions,
    runReminders,
    finishAbandonedEvents,
    disabled,
    simulator: config.simulator,
    async close() {
      await simulatorStore?.close();
      await store.close();
    },
  };
}
