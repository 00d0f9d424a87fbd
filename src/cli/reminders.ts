import { parseArgs } from 'node:util';
import { ConfigError } from '../config';
import { loadDefinitions } from '../files/definitions-files';
import { useLineHttpAgent } from '../line/line-http';
import { LineMessenger } from '../line/line-messenger';
import { createLogger } from '../log/pino-logger';
import { openStore } from '../store/open-store';
import { StaffStore } from '../store/staff-store';
import { LiveDefinitions } from '../usecases/live-definitions';
import { dispatchReminders, formatSummary } from '../usecases/dispatch-reminders';
import { runCommand, type CommandStart } from './command';

/**
 * `npm run reminders -- [--now <ISO-8601>] [--dry-run]`: one pass of the reminder outbox, as if the
 * clock read --now (default: the real clock). Prints a one-line summary and exits 0.
 */
async function main(start: CommandStart): Promise<number> {
  const { values } = parseArgs({
    args: start.args,
    options: { now: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new ConfigError(`--now must be an ISO-8601 instant, e.g. 2026-12-21T09:00:00Z; got "${values.now}"`);
  const config = start.config();
  if (!config.line) throw new ConfigError('reminders need LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN');
  const base = loadDefinitions(config);
  // Logs go to stderr so that stdout carries just the summary.
  const logger = createLogger(config.logLevel, process.stderr);
  const store = await openStore(config);
  try {
    useLineHttpAgent();
    // The dates staff published in the console or with `npm run ibasho` count like those in content/.
    const live = new LiveDefinitions(base, new StaffStore(store.database).content);
    await live.refresh();
    const definitions = live.view;
    const messenger = new LineMessenger({ channelAccessToken: config.line.channelAccessToken, baseURL: config.lineApiBaseUrl });
    const result = await dispatchReminders({ definitions, store, messenger, logger, staffDates: () => live.staffChanges.ibashoDates }, now, { dryRun: values['dry-run'] });
    if (values['dry-run']) {
      for (const item of result.plan) process.stdout.write(`would send ${item.slot} to ${item.recipients} people\n`);
      const quota = result.quota ? `quota limit=${result.quota.limit ?? 'none'} used=${result.quota.used}` : 'quota not asked (nothing due)';
      const use = result.plan.reduce((sum, item) => sum + item.recipients, 0);
      process.stdout.write(`dry run: would use ${use} messages; ${quota}; ${formatSummary(result.summary)}\n`);
    } else {
      process.stdout.write(`${formatSummary(result.summary)}\n`);
      for (const batch of result.held) {
        process.stdout.write(`held by another run until ${batch.until.toISOString()}: ${batch.slotKey} (${batch.recipients} people); run again after that time\n`);
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}

runCommand('reminders', main);
