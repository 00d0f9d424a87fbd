import type { Clock, Logger } from './ports';

/**
 * Runs `pass` right away (to catch up after a restart) and then every interval (reminders,
 * retention), never two at once; errors are logged and the next tick tries again.
 */
export function startEvery(intervalMs: number, pass: (now: Date) => Promise<unknown>, deps: { clock: Clock; logger: Logger }): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await pass(deps.clock.now());
    } catch (error) {
      deps.logger.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'periodic job failed');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), 0);
  const timer = setInterval(() => void tick(), intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
