import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { Reply } from '../domain/reply';
import { SendError, type Messenger, type SendFailure } from '../usecases/ports';
import { describeFetchError } from './line-api-error';
import { toLineMessages } from './to-line-messages';

function classify(status: number, body: string): SendFailure {
  if (status === 409) return 'already-accepted';
  if (status === 429 || status >= 500) return 'retryable';
  if (status === 400 && /reply token/i.test(body)) return 'invalid-reply-token';
  return 'rejected';
}

/** Turns SDK and network errors into SendError, keeping LINE's status and message (never the user's words). */
export function toSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  if (error instanceof HTTPFetchError) {
    const body = typeof error.body === 'string' ? error.body : '';
    return new SendError(classify(error.status, body), error.status, `LINE API ${error.status}: ${body.slice(0, 200)}`);
  }
  return new SendError('retryable', null, `LINE API unreachable: ${describeFetchError(error)}`);
}

/**
 * The Messenger on LINE's Messaging API, through the official SDK client and its public methods only.
 * Connection reuse and the call timeout are set for the whole process in line-http.ts.
 */
export class LineMessenger implements Messenger {
  readonly client: messagingApi.MessagingApiClient;

  constructor(options: { channelAccessToken: string; baseURL: string }) {
    this.client = new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.baseURL });
  }

  async reply(replyToken: string, reply: Reply): Promise<void> {
    try {
      await this.client.replyMessage({ replyToken, messages: toLineMessages(reply) });
    } catch (error) {
      throw toSendError(error);
    }
  }

  async multicast(to: string[], reply: Reply, retryKey: string): Promise<void> {
    try {
      await this.client.multicast({ to, messages: toLineMessages(reply) }, retryKey);
    } catch (error) {
      throw toSendError(error);
    }
  }

  async quota(): Promise<{ limit: number | null; used: number }> {
    try {
      const [quota, consumption] = await Promise.all([this.client.getMessageQuota(), this.client.getMessageQuotaConsumption()]);
      return { limit: quota.type === 'limited' ? (quota.value ?? 0) : null, used: consumption.totalUsage };
    } catch (error) {
      throw toSendError(error);
    }
  }

  async push(to: string, reply: Reply, retryKey: string): Promise<void> {
    try {
      await this.client.pushMessage({ to, messages: toLineMessages(reply) }, retryKey);
    } catch (error) {
      throw toSendError(error);
    }
  }
}
