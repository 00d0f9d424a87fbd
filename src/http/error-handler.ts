import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../usecases/ports';

/** Where errors of the Express routes (health, simulator, stats) become HTTP answers; the webhook answers its own. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ path: req.path, err: { name: error?.name, message: error?.message } }, 'request failed');
    res.status(status).json({ message: status === 500 ? 'internal error' : 'bad request' });
  };
}
