/** The settings of putting the bot into service: PUBLIC_URL, METRICS_TOKEN, METRICS_PORT. */
import { ConfigError, readConfig } from '../../src/config';

const read = (env: Record<string, string>) => readConfig(env, '/srv/guide');

describe('PUBLIC_URL', () => {
  test.each([
    ['https://guide.example.jp', 'https://guide.example.jp'],
    ['https://guide.example.jp/', 'https://guide.example.jp'],
    ['  https://city.example.jp/guide/ ', 'https://city.example.jp/guide'],
    ['https://localhost:8443', 'https://localhost:8443'],
  ])('%p → %p', (value, expected) => {
    expect(read({ PUBLIC_URL: value }).publicUrl).toBe(expected);
  });

  test('unset → null (only line:setup needs it)', () => {
    expect(read({}).publicUrl).toBeNull();
  });

  test.each(['http://guide.example.jp', 'guide.example.jp', 'https://guide.example.jp/?x=1', 'https://guide.example.jp/#top', 'ftp://guide.example.jp'])('%p is refused in one line', (value) => {
    expect(() => read({ PUBLIC_URL: value })).toThrow(new ConfigError(`PUBLIC_URL must be the https:// address of this server, such as https://guide.example.jp, not "${value.replace(/\/+$/, '')}"`));
  });
});

describe('METRICS_TOKEN and METRICS_PORT', () => {
  test('unset → metrics off', () => {
    expect(read({})).toMatchObject({ metricsToken: null, metricsPort: null });
  });

  test('a token of 32 characters or more, and a port', () => {
    expect(read({ METRICS_TOKEN: 'a'.repeat(32), METRICS_PORT: '9464' })).toMatchObject({ metricsToken: 'a'.repeat(32), metricsPort: 9464 });
  });

  test('a short token is refused, with how to make one', () => {
    expect(() => read({ METRICS_TOKEN: 'secret' })).toThrow(new ConfigError('METRICS_TOKEN must be at least 32 characters (openssl rand -hex 32 makes one)'));
  });

  test.each(['abc', '70000', '-1'])('METRICS_PORT=%p is refused', (value) => {
    expect(() => read({ METRICS_PORT: value })).toThrow(new ConfigError(`METRICS_PORT must be a whole port number between 0 and 65535, not "${value}"`));
  });

  test('METRICS_PORT equal to PORT is refused', () => {
    expect(() => read({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(new ConfigError('METRICS_PORT must differ from PORT'));
  });
});
