import fs from 'node:fs';
import path from 'node:path';

export interface Config {
  port: number;
  line: { channelSecret: string; channelAccessToken: string } | null;
  lineApiBaseUrl: string;
  dataDir: string;
  databaseUrl: string | null;
  simulator: boolean;
  /** Whether the usage counts page /stats is served (off unless STATS_PAGE=on). */
  statsPage: boolean;
  /** Whether the server runs the reminder dispatcher every minute. */
  reminders: boolean;
  /** Days of inactivity after which a conversation's state is deleted. */
  conversationRetentionDays: number;
  logLevel: string;
  /** Behind a TLS-terminating proxy (TRUST_PROXY=on): staff cookies are sent over HTTPS only. */
  trustProxy: boolean;
  /** Signs the staff session cookie (SESSION_SECRET); null derives one (see admin-router.ts). */
  sessionSecret: string | null;
  root: string;
  flowsDir: string;
  contentDir: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads KEY=VALUE lines of a .env file into `env` without overriding what is already set. */
export function loadDotEnv(file: string, env: NodeJS.ProcessEnv): void {
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const [, key, raw] = match as unknown as [string, string, string];
    const value = raw.replace(/^(['"])(.*)\1$/, '$2');
    if (env[key] === undefined) env[key] = value;
  }
}

/** The only reader of process.env: parses, applies defaults, and fails fast on nonsense. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not "${env.PORT}"`);
  const secret = env.LINE_CHANNEL_SECRET?.trim() ?? '';
  const token = env.LINE_CHANNEL_ACCESS_TOKEN?.trim() ?? '';
  if (Boolean(secret) !== Boolean(token)) {
    throw new ConfigError('set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN, or neither');
  }
  const lineApiBaseUrl = (env.LINE_API_BASE_URL?.trim() || 'https://api.line.me').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(lineApiBaseUrl)) throw new ConfigError(`LINE_API_BASE_URL must be an http(s) URL, not "${lineApiBaseUrl}"`);
  const simulatorSetting = (env.SIMULATOR ?? '').trim().toLowerCase();
  if (simulatorSetting && !['on', 'off'].includes(simulatorSetting)) throw new ConfigError('SIMULATOR must be "on" or "off"');
  const statsSetting = (env.STATS_PAGE ?? '').trim().toLowerCase();
  if (statsSetting && !['on', 'off'].includes(statsSetting)) throw new ConfigError('STATS_PAGE must be "on" or "off"');
  const remindersSetting = (env.REMINDERS ?? '').trim().toLowerCase();
  if (remindersSetting && !['on', 'off'].includes(remindersSetting)) throw new ConfigError('REMINDERS must be "on" or "off"');
  const trustProxySetting = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (trustProxySetting && !['on', 'off'].includes(trustProxySetting)) throw new ConfigError('TRUST_PROXY must be "on" or "off"');
  const sessionSecret = env.SESSION_SECRET?.trim() || null;
  if (sessionSecret && sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  const retention = Number(env.CONVERSATION_RETENTION_DAYS?.trim() || 30);
  if (!Number.isFinite(retention) || retention <= 0) throw new ConfigError('CONVERSATION_RETENTION_DAYS must be a positive number of days');
  const line = secret ? { channelSecret: secret, channelAccessToken: token } : null;
  return {
    port,
    line,
    lineApiBaseUrl,
    dataDir: path.resolve(root, env.DATA_DIR?.trim() || 'data'),
    databaseUrl: env.DATABASE_URL?.trim() || null,
    simulator: simulatorSetting ? simulatorSetting === 'on' : line === null,
    statsPage: statsSetting === 'on',
    reminders: remindersSetting !== 'off',
    conversationRetentionDays: retention,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxy: trustProxySetting === 'on',
    sessionSecret,
    root,
    flowsDir: path.resolve(root, env.FLOWS_DIR?.trim() || 'flows'),
    contentDir: path.resolve(root, env.CONTENT_DIR?.trim() || 'content'),
  };
}
