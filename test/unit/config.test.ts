/** readConfig: the settings an operator writes in .env, read strictly. */
import path from 'node:path';
import { ConfigError, readConfig, readContentSettings } from '../../src/config';

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET = '0123456789abcdef0123456789ABCDEF';
const read = (env: NodeJS.ProcessEnv) => readConfig(env, ROOT);

describe('PORT', () => {
  test.each([
    [undefined, 3000],
    ['', 3000],
    [' ', 3000],
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('%p → %p', (value, port) => {
    expect(read(value === undefined ? {} : { PORT: value }).port).toBe(port);
  });

  test.each(['3.0', '3e3', '0x50', '-1', '65536', '80 80', 'abc', '+80'])('%p is refused with a clear message', (value) => {
    expect(() => read({ PORT: value })).toThrow(new ConfigError(`PORT must be a whole port number between 0 and 65535, not "${value}"`));
  });
});

describe('LINE channel secret', () => {
  test('32 hexadecimal characters are accepted, in either case', () => {
    expect(read({ LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: 'token' }).line).toEqual({ channelSecret: SECRET, channelAccessToken: 'token' });
  });

  test.each([
    ['too short', SECRET.slice(0, 31)],
    ['too long', `${SECRET}0`],
    ['not hexadecimal', `${SECRET.slice(0, 31)}g`],
    ['an access token pasted instead', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc'],
  ])('%s: refused', (_, secret) => {
    expect(() => read({ LINE_CHANNEL_SECRET: secret, LINE_CHANNEL_ACCESS_TOKEN: 'token' })).toThrow(/LINE_CHANNEL_SECRET must be the 32 hexadecimal characters/);
  });

  test('only one of secret and token is refused', () => {
    expect(() => read({ LINE_CHANNEL_SECRET: SECRET })).toThrow('set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN, or neither');
  });
});

describe('LINE_API_BASE_URL', () => {
  test.each([
    [undefined, 'https://api.line.me'],
    ['https://api.line.me/', 'https://api.line.me'],
    ['https://line-proxy.example.jp:8443', 'https://line-proxy.example.jp:8443'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://localhost:4000', 'http://localhost:4000'],
    ['http://[::1]:4000', 'http://[::1]:4000'],
  ])('%p is used as %p', (value, url) => {
    expect(read(value === undefined ? {} : { LINE_API_BASE_URL: value }).lineApiBaseUrl).toBe(url);
  });

  test.each(['http://api.line.me', 'http://10.0.0.5:4000', 'http://127.0.0.1.example.com', 'ftp://api.line.me', 'api.line.me'])(
    '%p is refused: the access token would travel in clear text or nowhere',
    (value) => {
      expect(() => read({ LINE_API_BASE_URL: value })).toThrow(ConfigError);
    },
  );
});

describe('LINE_API_DATA_BASE_URL (rich menu image uploads)', () => {
  test.each([
    [{}, 'https://api-data.line.me'],
    [{ LINE_API_BASE_URL: 'http://127.0.0.1:4000' }, 'http://127.0.0.1:4000'],
    [{ LINE_API_DATA_BASE_URL: 'https://data-proxy.example.jp/' }, 'https://data-proxy.example.jp'],
  ])('%p → %p', (env, url) => {
    expect(read(env).lineDataApiBaseUrl).toBe(url);
  });

  test('a clear-text address off this machine is refused like LINE_API_BASE_URL', () => {
    expect(() => read({ LINE_API_DATA_BASE_URL: 'http://api-data.line.me' })).toThrow(/LINE_API_DATA_BASE_URL must use https:\/\//);
  });
});

describe('content settings (FLOWS_DIR, CONTENT_DIR, FACTS_FILE, FACT_MAX_AGE_DAYS)', () => {
  test('defaults are the project folders, the vendored facts table and 180 days', () => {
    expect(readContentSettings({}, ROOT)).toEqual({
      root: ROOT,
      flowsDir: path.join(ROOT, 'flows'),
      contentDir: path.join(ROOT, 'content'),
      factsFile: path.join(ROOT, 'docs', 'facts.md'),
      factMaxAgeDays: 180,
    });
  });

  test('relative paths are taken from the project root, and the full configuration carries them too', () => {
    const env = { CONTENT_DIR: 'staging/content', FACTS_FILE: '/srv/facts.md', FACT_MAX_AGE_DAYS: '90' };
    expect(readContentSettings(env, ROOT)).toMatchObject({ contentDir: path.join(ROOT, 'staging', 'content'), factsFile: '/srv/facts.md', factMaxAgeDays: 90 });
    expect(read(env)).toMatchObject(readContentSettings(env, ROOT));
  });

  test.each(['-1', '1.5', 'half a year'])('FACT_MAX_AGE_DAYS=%p is refused', (value) => {
    expect(() => readContentSettings({ FACT_MAX_AGE_DAYS: value }, ROOT)).toThrow(new ConfigError(`FACT_MAX_AGE_DAYS must be a whole number of days, not "${value}"`));
  });
});

describe('TRUST_PROXY', () => {
  test.each([
    [undefined, null],
    ['', null],
    ['off', null],
    ['on', { hops: 1 }],
    ['ON', { hops: 1 }],
    ['127.0.0.1', { addresses: ['127.0.0.1'] }],
    ['127.0.0.1, 10.0.0.0/8,fd00::/8', { addresses: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'] }],
  ])('%p → %p: one hop or the listed proxies, never every hop', (value, trust) => {
    expect(read(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(trust);
  });

  test.each(['true', 'yes', '2', '10.0.0.0/33', '10.0.0.300', '127.0.0.1,', 'loopback', '::1/129'])('%p is refused, naming what it may be', (value) => {
    expect(() => read({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be "off", "on" \(one proxy in front\) or the proxies' addresses/);
  });
});
