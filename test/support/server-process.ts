/** The server as operators run it: `dist/src/main.js` in a process of its own, with LINE credentials. */
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { CHANNEL_ACCESS_TOKEN, CHANNEL_SECRET, ROOT } from './bot-harness';
import { signBody, webhookBody, type WebhookEvent } from './line-webhook';

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  stderr(): string;
}

/** Starts it (PORT 0, no reminders, no simulator unless `env` says so); resolves once it listens. */
export function startServerProcess(env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, 'dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', REMINDERS: 'off', SIMULATOR: 'off', LINE_CHANNEL_SECRET: CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN: CHANNEL_ACCESS_TOKEN, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      const match = /http:\/\/localhost:(\d+)\/healthz/.exec(stderr);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, process: child, stderr: () => stderr });
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM') reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}

/** SIGTERM, and resolves once it has exited. */
export function stopServerProcess(server: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) return resolve();
    server.process.on('exit', () => resolve());
    server.process.kill('SIGTERM');
  });
}

/** Signs events with the test channel's secret and posts them to `baseUrl`/webhook; resolves with the status. */
export async function sendSigned(baseUrl: string, events: WebhookEvent[], fetchFn: typeof fetch = fetch): Promise<number> {
  const body = webhookBody(events);
  const response = await fetchFn(`${baseUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, CHANNEL_SECRET) },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** A port on 127.0.0.1 that nothing listens on now (to listen on, or to find nothing at). */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
