/**
 * Baseline 1: an echo bot written the way the LINE Node SDK's own examples are (express, the SDK
 * `middleware({ channelSecret })`, `MessagingApiClient.replyMessage`, answer once every reply is
 * sent). One deliberate difference so that all targets do the same job: the SDK example answers
 * only text messages, this one answers every event with a reply token (text is echoed, anything
 * else gets its event type), so every event of the benchmark's traffic expects one reply call.
 *
 * Environment: LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL, PORT (0: any).
 */
import * as line from '@line/bot-sdk';
import express from 'express';

const config = { channelSecret: process.env.LINE_CHANNEL_SECRET ?? '' };
const client = new line.messagingApi.MessagingApiClient({
  channelAccessToken: process.env.LINE_CHANNEL_ACCESS_TOKEN ?? '',
  ...(process.env.LINE_API_BASE_URL ? { baseURL: process.env.LINE_API_BASE_URL } : {}),
});

const app = express();

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.post('/webhook', line.middleware(config), (req, res) => {
  Promise.all((req.body as line.webhook.CallbackRequest).events.map(handleEvent))
    .then((result) => res.json(result))
    .catch((err: unknown) => {
      console.error(err);
      res.status(500).end();
    });
});

function handleEvent(event: line.webhook.Event) {
  if (!('replyToken' in event) || typeof event.replyToken !== 'string') return Promise.resolve(null);
  const text = event.type === 'message' && event.message.type === 'text' ? (event.message as line.webhook.TextMessageContent).text : event.type;
  return client.replyMessage({ replyToken: event.replyToken, messages: [{ type: 'text', text }] });
}

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : process.env.PORT;
  process.stderr.write(`echo bot: http://localhost:${port}/healthz\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
