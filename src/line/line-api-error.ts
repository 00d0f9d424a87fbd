import { HTTPFetchError } from '@line/bot-sdk';

/** A call LINE refused (its status and message) or that did not reach LINE (status null). */
export class LineApiError extends Error {
  override name = 'LineApiError';
  constructor(
    readonly call: string,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT …) is in its cause. */
export function describeFetchError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (!cause) return message;
  const code = typeof cause.code === 'string' ? `${cause.code}: ` : '';
  return `${message} (${code}${String(cause.message ?? '')})`;
}

/** Runs one SDK call; any failure becomes a LineApiError naming the call, with LINE's status and message. */
export async function callLine<T>(call: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof HTTPFetchError) {
      const body = typeof error.body === 'string' ? error.body.slice(0, 500) : '';
      throw new LineApiError(call, error.status, `${call}: LINE API ${error.status}: ${body}`);
    }
    throw new LineApiError(call, null, `${call}: LINE API unreachable: ${describeFetchError(error)}`);
  }
}
