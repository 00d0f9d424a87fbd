import http from 'node:http';
import path from 'node:path';
import { ConfigError, loadDotEnv, readConfig } from './config';
import { compose, systemClock } from './compose';
import { startEvery } from './usecases/periodic';
import { purgeExpired } from './usecases/retention';
import { DefinitionsError } from './domain/definitions';
import { createLogger } from './logger';

const root = path.resolve(__dirname, '..', '..');
const REMINDER_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 60 * 60_000;

async function main(): Promise<void> {
  loadDotEnv(path.join(root, '.env'), process.env);
  const config = readConfig(process.env, root);
  const logger = createLogger(config.logLevel);
  const composed = await compose(config, { logger });
  let stopReminders = () => {};
  if (composed.runReminders && config.reminders) {
    const run = composed.runReminders;
    stopReminders = startEvery(REMINDER_INTERVAL_MS, (now) => run(now), { clock: systemClock, logger });
  } else if (composed.runReminders) {
    process.stderr.write('off: いばしょ reminder dispatcher (REMINDERS=off); run `npm run reminders` from cron instead\n');
  }
  const stopPurge = startEvery(PURGE_INTERVAL_MS, async (now) => {
    await purgeExpired(composed.store, { conversationIdleDays: config.conversationRetentionDays }, now, logger);
    // Expired staff sessions and day-old login failures; the staff audit log is never purged.
    await composed.staff.purgeExpired(now.getTime(), now.getTime() - 24 * 60 * 60_000);
  }, {
    clock: systemClock,
    logger,
  });
  for (const feature of composed.disabled) process.stderr.write(`off: ${feature}\n`);

  const server = http.createServer(composed.handleRequest).listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port }, 'listening');
    process.stderr.write(`めぐろ ひきこもり支援ガイド: http://localhost:${port}/healthz\n`);
    if (config.statsPage) process.stderr.write(`usage counts: http://localhost:${port}/stats\n`);
    if (composed.simulator) process.stderr.write(`simulator: http://localhost:${port}/ (chat) and http://localhost:${port}/flow (the whole tree)\n`);
  });
  const shutdown = () => {
    stopReminders();
    stopPurge();
    server.close(() => void composed.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof DefinitionsError || error instanceof ConfigError) {
    process.stderr.write(`Cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`Cannot start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
