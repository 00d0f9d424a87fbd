import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Where the decision tree, the facts and the facts table live: all that the content commands need. */
export interface ContentSettings {
  root: string;
  flowsDir: string;
  contentDir: string;
  /** The vendored table of checked facts (FACTS_FILE) that every `fact:` id must name. */
  factsFile: string;
  /** FACT_MAX_AGE_DAYS: a fact checked longer ago than this is reported for checking again. */
  factMaxAgeDays: number;
}

export interface Config extends ContentSettings {
  port: number;
  /** HOST: the address the server listens on (127.0.0.1 behind a proxy on the same machine); null: every address. */
  host: string | null;
  line: { channelSecret: string; channelAccessToken: string } | null;
  lineApiBaseUrl: string;
  /** Where rich menu images are uploaded (LINE serves them from a second host). */
  lineDataApiBaseUrl: string;
  dataDir: string;
  databaseUrl: string | null;
  /** PUBLIC_URL: the https address LINE reaches this server at (line:setup sets PUBLIC_URL/webhook); null if unset. */
  publicUrl: string | null;
  /** METRICS_TOKEN: /metrics is served on PORT to a request bearing this token; null: not on PORT. */
  metricsToken: string | null;
  /** METRICS_PORT: /metrics is also served, without a token, on 127.0.0.1 at this port; null: not. */
  metricsPort: number | null;
  simulator: boolean;
  /** SIMULATOR_NOW: the simulator answers as if it were this instant (staff can see what the bot says at night). */
  simulatorNow: Date | null;
  /** Whether the usage counts page /stats is served (off unless STATS_PAGE=on). */
  statsPage: boolean;
  /** Whether the server runs the reminder dispatcher every minute. */
  reminders: boolean;
  /** Days of inactivity after which a conversation's state is deleted. */
  conversationRetentionDays: number;
  logLevel: string;
  /**
   * TRUST_PROXY: the TLS-terminating proxy in front, whose X-Forwarded-* headers are believed (for
   * client addresses and https); null when there is none. Behind one, staff cookies go over HTTPS only.
   */
  trustProxy: TrustProxy | null;
  /** Signs the staff session cookie (SESSION_SECRET); null derives one (see admin-router.ts). */
  sessionSecret: string | null;
}

/** One proxy hop in front (TRUST_PROXY=on), or the proxies' own addresses and networks. Never "everyone". */
export type TrustProxy = { hops: 1 } | { addresses: string[] };

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

/** PORT: a whole number 0–65535 written as digits; empty or unset means 3000. */
function readPort(raw: string | undefined, name = 'PORT'): number {
  const value = raw?.trim() ?? '';
  if (value === '') return 3000;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError(`${name} must be a whole port number between 0 and 65535, not "${raw}"`);
  return port;
}

/** An IPv4 or IPv6 address, optionally with a /prefix length that fits it. */
function isAddressOrNetwork(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: empty or "off" believes only a proxy on this machine (loopback); "on" believes exactly
 * one hop, the peer that connects (kept for the setting written before lists existed); otherwise a
 * comma-separated list of the proxies' addresses or networks. Never every hop: the leftmost
 * X-Forwarded-For entry is whatever the client wrote.
 */
function readTrustProxy(raw: string | undefined): TrustProxy | null {
  const value = raw?.trim() ?? '';
  const lower = value.toLowerCase();
  if (lower === '' || lower === 'off') return null;
  if (lower === 'on') return { hops: 1 };
  const addresses = value.split(',').map((entry) => entry.trim());
  const wrong = addresses.find((entry) => !isAddressOrNetwork(entry));
  if (wrong !== undefined) {
    throw new ConfigError(`TRUST_PROXY must be "off", "on" (one proxy in front) or the proxies' addresses such as 127.0.0.1,10.0.0.0/8; "${wrong}" is none of these`);
  }
  return { addresses };
}

/** PUBLIC_URL: https only, since LINE delivers webhooks to https URLs only; no query or fragment. */
function readPublicUrl(raw: string | undefined): string | null {
  const value = raw?.trim().replace(/\/+$/, '') ?? '';
  if (value === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'https:' || url.search || url.hash) throw new ConfigError(`PUBLIC_URL must be the https:// address of this server, such as https://guide.example.jp, not "${value}"`);
  return value;
}

/** METRICS_TOKEN: long enough that guessing it is hopeless (`openssl rand -hex 32` makes one). */
function readMetricsToken(raw: string | undefined): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  if (value.length < 32) throw new ConfigError('METRICS_TOKEN must be at least 32 characters (openssl rand -hex 32 makes one)');
  return value;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const PRODUCTION_API = 'https://api.line.me';
const PRODUCTION_DATA_API = 'https://api-data.line.me';

/** A LINE API base URL: https, or http only on this machine (the stand-in API of tests and the benchmark). */
function readLineUrl(name: string, raw: string | undefined, fallback: string): string {
  const value = (raw?.trim() || fallback).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an https URL, not "${value}"`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return value;
  // The channel access token travels in every request's header: never in clear text over a network.
  throw new ConfigError(`${name} must use https:// (http:// only for 127.0.0.1 or localhost), not "${value}"`);
}

/** The files the bot is built from; every command that reads flows/ or content/ starts here. */
export function readContentSettings(env: NodeJS.ProcessEnv, root: string): ContentSettings {
  const maxAgeText = env.FACT_MAX_AGE_DAYS?.trim() || '180';
  const factMaxAgeDays = /^\d+$/.test(maxAgeText) ? Number(maxAgeText) : NaN;
  if (!Number.isSafeInteger(factMaxAgeDays)) throw new ConfigError(`FACT_MAX_AGE_DAYS must be a whole number of days, not "${maxAgeText}"`);
  return {
    root,
    flowsDir: path.resolve(root, env.FLOWS_DIR?.trim() || 'flows'),
    contentDir: path.resolve(root, env.CONTENT_DIR?.trim() || 'content'),
    factsFile: path.resolve(root, env.FACTS_FILE?.trim() || 'docs/facts.md'),
    factMaxAgeDays,
  };
}

/** Parses the settings, applies defaults, and fails fast on nonsense. */
export function readConfig(env: NodeJS.ProcessEnv, root: string): Config {
  const port = readPort(env.PORT);
  const secret = env.LINE_CHANNEL_SECRET?.trim() ?? '';
  const token = env.LINE_CHANNEL_ACCESS_TOKEN?.trim() ?? '';
  if (Boolean(secret) !== Boolean(token)) {
    throw new ConfigError('set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN, or neither');
  }
  // The LINE Developers console shows the channel secret as 32 hexadecimal characters; anything else is
  // a copy-paste slip (a token, a space, a cut-off value) that would make every signature check fail.
  if (secret && !/^[0-9a-f]{32}$/i.test(secret)) throw new ConfigError('LINE_CHANNEL_SECRET must be the 32 hexadecimal characters shown in the LINE Developers console');
  const lineApiBaseUrl = readLineUrl('LINE_API_BASE_URL', env.LINE_API_BASE_URL, PRODUCTION_API);
  // LINE_API_DATA_BASE_URL wins; otherwise api-data.line.me for the real API, and LINE_API_BASE_URL
  // itself for anything else (a stand-in such as the tests' fake serves both).
  const lineDataApiBaseUrl = readLineUrl('LINE_API_DATA_BASE_URL', env.LINE_API_DATA_BASE_URL, lineApiBaseUrl === PRODUCTION_API ? PRODUCTION_DATA_API : lineApiBaseUrl);
  const simulatorSetting = (env.SIMULATOR ?? '').trim().toLowerCase();
  if (simulatorSetting && !['on', 'off'].includes(simulatorSetting)) throw new ConfigError('SIMULATOR must be "on" or "off"');
  const statsSetting = (env.STATS_PAGE ?? '').trim().toLowerCase();
  if (statsSetting && !['on', 'off'].includes(statsSetting)) throw new ConfigError('STATS_PAGE must be "on" or "off"');
  const remindersSetting = (env.REMINDERS ?? '').trim().toLowerCase();
  if (remindersSetting && !['on', 'off'].includes(remindersSetting)) throw new ConfigError('REMINDERS must be "on" or "off"');
  const trustProxy = readTrustProxy(env.TRUST_PROXY);
  const sessionSecret = env.SESSION_SECRET?.trim() || null;
  if (sessionSecret && sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  const retention = Number(env.CONVERSATION_RETENTION_DAYS?.trim() || 30);
  if (!Number.isFinite(retention) || retention <= 0) throw new ConfigError('CONVERSATION_RETENTION_DAYS must be a positive number of days');
  const simulatorNowText = env.SIMULATOR_NOW?.trim() ?? '';
  const simulatorNow = simulatorNowText ? new Date(simulatorNowText) : null;
  if (simulatorNow && Number.isNaN(simulatorNow.getTime())) {
    throw new ConfigError(`SIMULATOR_NOW must be an ISO date and time such as 2026-11-25T02:00:00+09:00, not "${simulatorNowText}"`);
  }
  const metricsPort = env.METRICS_PORT?.trim() ? readPort(env.METRICS_PORT, 'METRICS_PORT') : null;
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port) throw new ConfigError('METRICS_PORT must differ from PORT');
  const line = secret ? { channelSecret: secret, channelAccessToken: token } : null;
  return {
    ...readContentSettings(env, root),
    port,
    host: env.HOST?.trim() || null,
    line,
    lineApiBaseUrl,
    lineDataApiBaseUrl,
    dataDir: path.resolve(root, env.DATA_DIR?.trim() || 'data'),
    databaseUrl: env.DATABASE_URL?.trim() || null,
    publicUrl: readPublicUrl(env.PUBLIC_URL),
    metricsToken: readMetricsToken(env.METRICS_TOKEN),
    metricsPort,
    simulator: simulatorSetting ? simulatorSetting === 'on' : line === null,
    simulatorNow,
    statsPage: statsSetting === 'on',
    reminders: remindersSetting !== 'off',
    conversationRetentionDays: retention,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxy,
    sessionSecret,
  };
}

/**
 * The only reader of process.env. The project's .env fills in what the environment leaves unset;
 * `read` picks the settings a program needs, so a content command does not fail on a LINE setting.
 */
export function settingsFromEnvironment<T>(root: string, read: (env: NodeJS.ProcessEnv, root: string) => T): T {
  loadDotEnv(path.join(root, '.env'), process.env);
  return read(process.env, root);
}
