import { messagingApi } from '@line/bot-sdk';
import { callLine, LineApiError } from './line-api-error';

/** What `npm run line:setup` reads and sets on the channel, through the SDK's public client. */
export interface LineChannelApi {
  botInfo(): Promise<messagingApi.BotInfoResponse>;
  /** The webhook URL set now and the console's "Use webhook" switch, or null when none is set. */
  webhook(): Promise<messagingApi.GetWebhookEndpointResponse | null>;
  setWebhook(endpoint: string): Promise<void>;
  /** LINE sends the endpoint a signed request with no events and reports what it answered. */
  testWebhook(endpoint: string): Promise<messagingApi.TestWebhookEndpointResponse>;
  /** This month's limit of pushed messages (null: no limit) and how many were sent. */
  quota(): Promise<{ limit: number | null; used: number }>;
}

export function lineChannelApi(options: { channelAccessToken: string; baseURL: string }): LineChannelApi {
  const client = new messagingApi.MessagingApiClient(options);
  return {
    botInfo: () => callLine('getBotInfo', () => client.getBotInfo()),
    webhook: async () => {
      try {
        return await callLine('getWebhookEndpoint', () => client.getWebhookEndpoint());
      } catch (error) {
        // A channel whose webhook URL was never set.
        if (error instanceof LineApiError && error.status === 404) return null;
        throw error;
      }
    },
    setWebhook: (endpoint) => callLine('setWebhookEndpoint', async () => void (await client.setWebhookEndpoint({ endpoint }))),
    testWebhook: (endpoint) => callLine('testWebhookEndpoint', () => client.testWebhookEndpoint({ endpoint })),
    quota: () =>
      callLine('getMessageQuota', async () => {
        const [quota, consumption] = await Promise.all([client.getMessageQuota(), client.getMessageQuotaConsumption()]);
        return { limit: quota.type === 'limited' ? (quota.value ?? 0) : null, used: consumption.totalUsage };
      }),
  };
}
