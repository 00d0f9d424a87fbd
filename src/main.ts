import http from 'node:http';
import path from 'node:path';
import { readConfig, settingsFromEnvironment } from './config';
import { compose, systemClock } from './compose';
import { DefinitionsError } from './domain/definitions';
import { startEvery } from './usecases/periodic';
import { purgeExpired } from './usecases/retention';
import { createLogger } from './log/pino-logger';
import { SERVER_OPTIONS } from './http/create-app';
import { useLineHttpAgent } from './line/line-http';

const root = path.resolve(__dirname, '..', '..');
const REMINDER_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 60 * 60_000;
const ABANDONED_EVENTS_INTERVAL_MS = 10_000;

async function main(): Promise<void> {
  const config = settingsFromEnvironment(root, readConfig);
  const logger = createLogger(config.logLevel);
  // Keep-alive connections to LINE and the 20-second call timeout, for every fetch of this process.
  if (config.line) useLineHttpAgent();
  const composed = await compose(config, { logger });
  let stopReminders = () => {};
  if (composed.runReminders && config.reminders) {
    const run = composed.runReminders;
    stopReminders = startEvery(REMINDER_INTERVAL_MS, (now) => run(now), { clock: systemClock, logger });
  } else if (composed.runReminders) {
    process.stderr.write('off: いばしょ reminder dispatcher (REMINDERS=off); run `npm run reminders` from cron instead\n');
  }
  const stores = [composed.store, ...(composed.simulatorStore ? [composed.simulatorStore] : [])];
  const retention = { conversationIdleDays: config.conversationRetentionDays };
  const stopPurge = startEvery(PURGE_INTERVAL_MS, async (now) => {
    await Promise.all(stores.map((store) => purgeExpired(store, retention, now, logger)));
    // Expired staff sessions and login limits left alone for a day; the staff audit log is never purged.
    await composed.staff.access.purgeExpired(now.getTime(), now.getTime() - 24 * 60 * 60_000);
  }, {
    clock: systemClock,
    logger,
  });
  const finishAbandoned = composed.finishAbandonedEvents;
  const stopSweeper = finishAbandoned ? startEvery(ABANDONED_EVENTS_INTERVAL_MS, (now) => finishAbandoned(now), { clock: systemClock, logger }) : () => {};
  for (const feature of composed.disabled) process.stderr.write(`off: ${feature}\n`);

  const server = http.createServer(SERVER_OPTIONS, composed.handleRequest);
  server.listen({ port: config.port, ...(config.host ? { host: config.host } : {}) }, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port }, 'listening');
    process.stderr.write(`めぐろ ひきこもり支援ガイド: http://localhost:${port}/healthz\n`);
    if (config.statsPage) process.stderr.write(`usage counts: http://localhost:${port}/stats\n`);
    if (composed.simulator) process.stderr.write(`simulator: http://localhost:${port}/ (chat) and http://localhost:${port}/flow (the whole tree)\n`);
  });
  // Listening fails after main() resolved (a port in use): the same one-line message.
  server.once('error', failStartup);
  // METRICS_PORT: on the loopback address only, so that only this machine (a local scraper) reaches it.
  const metricsServer = composed.metricsListener && config.metricsPort !== null ? http.createServer(SERVER_OPTIONS, composed.metricsListener) : null;
  metricsServer?.once('error', failStartup).listen(config.metricsPort!, '127.0.0.1', () => {
    const address = metricsServer.address();
    process.stderr.write(`metrics: http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.metricsPort}/metrics\n`);
  });
  const shutdown = () => {
    stopReminders();
    stopPurge();
    stopSweeper();
    metricsServer?.close();
    server.close(() => void composed.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch(failStartup);

function failStartup(error: unknown): never {
  // What an operator can act on, never a stack trace: content problems one per line, anything else
  // (a port in use, a database that refuses) in one line.
  const text = error instanceof Error ? error.message : String(error);
  const message = error instanceof DefinitionsError ? text.trimEnd() : (text.split('\n', 1)[0] ?? '');
  const code = (error as { code?: unknown })?.code;
  process.stderr.write(`Cannot start: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}\n`);
  process.exit(1);
}
