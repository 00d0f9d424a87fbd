/** A command as operators run it: compiled (jest's globalSetup built dist/), in a process of its own. */
import { execFile } from 'node:child_process';
import { ROOT } from './bot-harness';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/src/cli/<name>.js args…` with the environment given over this process's own. Settings
 * a developer's .env might hold are blanked first (an empty value counts as set for loadDotEnv).
 */
export function runCli(name: string, args: string[], env: Record<string, string>, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const blank = { LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '', LINE_API_BASE_URL: '', LINE_API_DATA_BASE_URL: '', DATABASE_URL: '', PUBLIC_URL: '', METRICS_TOKEN: '', METRICS_PORT: '', TRUST_PROXY: '' };
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [`dist/src/cli/${name}.js`, ...args],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...blank, ...env }, timeout: options.timeoutMs ?? 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}
