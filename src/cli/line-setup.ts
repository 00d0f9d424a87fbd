import { parseArgs } from 'node:util';
import { ConfigError } from '../config';
import { LineApiError } from '../line/line-api-error';
import { lineChannelApi, type LineChannelApi } from '../line/line-channel';
import { useLineHttpAgent } from '../line/line-http';
import { runCommand, UsageError, type CommandStart } from './command';

const USAGE = `usage: npm run line:setup [-- --dry-run]
  Shows the bot's LINE account, sets the channel's webhook URL to PUBLIC_URL/webhook, has LINE
  send it a test request and prints the answer, and shows this month's message quota.
  --dry-run   only read and print; sets nothing and sends no test`;

/** LINE answered, but what it said means the setup is not done (its test failed): exit 1. */
class SetupIncomplete extends Error {
  override name = 'SetupIncomplete';
}

/** The one line for a call that failed, in terms of what to do about it. */
function explain(error: LineApiError, baseUrl: string): string {
  if (error.status === 401) {
    return `LINE refused the channel access token (401 on ${error.call}): issue a long-lived token in the LINE Developers console (Messaging API tab) and put it in LINE_CHANNEL_ACCESS_TOKEN`;
  }
  if (error.status === null) return `cannot reach LINE at ${baseUrl}: ${error.message}`;
  return error.message;
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, USAGE);
  }
}

async function setUp(api: LineChannelApi, endpoint: string, dryRun: boolean, out: (line: string) => void): Promise<void> {
  const bot = await api.botInfo();
  out(`bot: ${bot.displayName} (${bot.basicId}), chat ${bot.chatMode === 'chat' ? 'on' : 'off'}`);
  // The API does not tell whether the Official Account Manager's auto-reply or greeting is on.
  out(
    'CHECK: LINE does not say whether the account\'s own auto-reply is on. In LINE Official Account Manager, 設定 → 応答設定: 応答メッセージ オフ, あいさつメッセージ オフ, Webhook オン' +
      (bot.chatMode === 'chat' ? ' (chat is on: staff replies in the chat screen would reach people too)' : ''),
  );
  const current = await api.webhook();
  out(`webhook URL now: ${current ? `${current.endpoint} (Use webhook ${current.active ? 'on' : 'OFF'})` : 'none'}`);
  if (current && !current.active) out('WARNING: "Use webhook" is off: turn it on in the LINE Developers console, Messaging API tab, Webhook settings');

  if (dryRun) {
    out(current?.endpoint === endpoint ? `would leave the webhook URL at ${endpoint}` : `would set the webhook URL to ${endpoint}`);
    out(`would ask LINE to send a test request to ${endpoint}`);
  } else {
    if (current?.endpoint !== endpoint) await api.setWebhook(endpoint);
    out(`webhook URL: ${endpoint}`);
    const test = await api.testWebhook(endpoint);
    if (!test.success) {
      throw new SetupIncomplete(
        `LINE's test of ${endpoint} failed: status ${test.statusCode}, ${test.reason} (${test.detail}). Is the server running, is the proxy up with a valid certificate, and is LINE_CHANNEL_SECRET this channel's secret?`,
      );
    }
    out(`LINE's test: ok (status ${test.statusCode})`);
  }

  const quota = await api.quota();
  out(`messages pushed this month: ${quota.used}${quota.limit === null ? ' (no monthly limit)' : ` of ${quota.limit}`} (reminders count; replies are free)`);
  if (dryRun) out('dry run: nothing was changed');
}

/** `npm run line:setup [-- --dry-run]`: see USAGE. Output goes to stdout, errors to stderr in one line. */
async function main(start: CommandStart): Promise<number> {
  const values = parseOptions(start.args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = start.config();
  if (!config.line) throw new ConfigError('line:setup needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN');
  if (!config.publicUrl) throw new ConfigError('set PUBLIC_URL to the https:// address of this server, such as https://guide.example.jp');
  useLineHttpAgent();
  const api = lineChannelApi({ channelAccessToken: config.line.channelAccessToken, baseURL: config.lineApiBaseUrl });
  try {
    await setUp(api, `${config.publicUrl}/webhook`, values['dry-run'], (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    if (error instanceof LineApiError) throw new SetupIncomplete(explain(error, config.lineApiBaseUrl));
    throw error;
  }
  return 0;
}

runCommand('line:setup', main, { expected: [SetupIncomplete], exitCode: (error) => (error instanceof SetupIncomplete ? 1 : undefined) });
