import path from 'node:path';
import { ConfigError, loadDotEnv, readConfig } from './config';
import { compose } from './compose';
import { DefinitionsError } from './domain/definitions';
import { createLogger } from './logger';

const root = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  loadDotEnv(path.join(root, '.env'), process.env);
  const config = readConfig(process.env, root);
  const logger = createLogger(config.logLevel);
  const composed = await compose(config, { logger });
  for (const feature of composed.disabled) process.stderr.write(`off: ${feature}\n`);

  const server = composed.app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port }, 'listening');
    process.stderr.write(`めぐろ ひきこもり支援ガイド: http://localhost:${port}/healthz\n`);
    if (composed.simulator) process.stderr.write(`simulator: http://localhost:${port}/ (chat) and http://localhost:${port}/flow (the whole tree)\n`);
  });
  const shutdown = () => {
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
