import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPFetchError, messagingApi, validateSignature } from '@line/bot-sdk';
import { startFakeLineApi, type FakeLineApi } from '../support/fake-line-api';
import { convertDiscriminators, loadLineSpec } from '../support/line-openapi-validator';
import {
  followEvent,
  imageEvent,
  locationEvent,
  postbackEvent,
  signBody,
  stickerEvent,
  textEvent,
  unfollowEvent,
  webhookBody,
} from '../support/line-webhook';

const TOKEN = 't';
const USER = `U${'a'.repeat(32)}`;
const USER2 = `U${'b'.repeat(32)}`;

let fake: FakeLineApi;
let client: messagingApi.MessagingApiClient;

beforeAll(async () => {
  fake = await startFakeLineApi({ channelAccessToken: TOKEN });
  client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: fake.baseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** Runs an SDK call that must fail and returns the HTTP error. */
async function httpError(call: Promise<unknown>): Promise<HTTPFetchError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof HTTPFetchError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** POSTs a raw JSON body, bypassing the SDK's types. */
function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });
}

const text = (t: string): messagingApi.TextMessage => ({ type: 'text', text: t });

function quickReplyText(label: string): messagingApi.TextMessage {
  return {
    type: 'text',
    text: 'どれにしますか?',
    quickReply: {
      items: [{ type: 'action', action: { type: 'message', label, text: label } }],
    },
  };
}

function bubble(title: string, action: messagingApi.Action, extra: Partial<messagingApi.FlexButton> = {}): messagingApi.FlexBubble {
  return {
    type: 'bubble',
    body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: title, wrap: true }] },
    footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', style: 'primary', action, ...extra }] },
  };
}

describe('fake LINE API: replies', () => {
  it('accepts and records a valid reply with text, quick reply and a flex carousel', async () => {
    const messages: messagingApi.Message[] = [
      {
        type: 'text',
        text: 'ご相談の窓口です。',
        quickReply: {
          items: [
            { type: 'action', action: { type: 'postback', label: '相談したい', data: 'step=consult', displayText: '相談したい' } },
            { type: 'action', action: { type: 'message', label: 'やめる', text: 'やめる' } },
            { type: 'action', action: { type: 'uri', label: 'ウェブサイト', uri: 'https://www.city.meguro.tokyo.jp/' } },
          ],
        },
      },
      {
        type: 'flex',
        altText: '相談窓口の一覧',
        contents: {
          type: 'carousel',
          contents: [
            bubble('目黒区ひきこもり相談', { type: 'uri', label: '電話する', uri: 'tel:0337151111' }),
            bubble('くわしく見る', { type: 'postback', label: 'くわしく', data: 'detail=1', displayText: 'くわしく' }),
          ],
        },
      },
    ];

    const res = await client.replyMessage({ replyToken: 'a'.repeat(32), messages });

    expect(fake.violations()).toEqual([]);
    expect(res.sentMessages).toHaveLength(2);
    expect(res.sentMessages[0]!.id).toMatch(/^\d{18}$/);
    expect(fake.replies()).toEqual([{ replyToken: 'a'.repeat(32), messages }]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v2/bot/message/reply', status: 200 });
  });

  it('rejects a quick reply label of 21 characters (LINE allows 20)', async () => {
    const err = await httpError(client.replyMessage({ replyToken: 'r1', messages: [quickReplyText('あ'.repeat(21))] }));

    expect(err.status).toBe(400);
    expect(JSON.parse(err.body)).toMatchObject({
      details: [{ property: 'messages[0].quickReply.items[0].action.label' }],
    });
    expect(fake.violations()).toEqual([
      expect.stringMatching(/^POST \/v2\/bot\/message\/reply: messages\[0\]\.quickReply\.items\[0\]\.action\.label: .*20/),
    ]);
    expect(fake.replies()).toEqual([]);
  });

  it('counts labels in grapheme clusters: 20 family emoji are 20 characters', async () => {
    await client.replyMessage({ replyToken: 'r1', messages: [quickReplyText('👨‍👩‍👧'.repeat(20))] });
    expect(fake.violations()).toEqual([]);
  });

  it('allows 40-character flex button labels but not 41', async () => {
    const flex = (label: string): messagingApi.FlexMessage => ({
      type: 'flex',
      altText: 'x',
      contents: bubble('t', { type: 'postback', label, data: 'd' }),
    });
    await client.replyMessage({ replyToken: 'r1', messages: [flex('あ'.repeat(40))] });
    expect(fake.violations()).toEqual([]);

    const err = await httpError(client.replyMessage({ replyToken: 'r2', messages: [flex('あ'.repeat(41))] }));
    expect(err.status).toBe(400);
    expect(fake.violations()).toEqual([expect.stringContaining('messages[0].contents.footer.contents[0].action.label')]);
  });

  it('rejects 6 messages', async () => {
    const err = await httpError(
      client.replyMessage({ replyToken: 'r1', messages: Array.from({ length: 6 }, (_, i) => text(`m${i}`)) }),
    );
    expect(err.status).toBe(400);
    expect(fake.violations()).toEqual([expect.stringContaining('messages: must NOT have more than 5 items')]);
  });

  it('rejects a text message without text', async () => {
    const res = await rawPost('/v2/bot/message/reply', { replyToken: 'r1', messages: [{ type: 'text' }] });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ message: 'must be specified', property: 'messages[0].text' }],
    });
    expect(fake.violations()).toEqual(['POST /v2/bot/message/reply: messages[0].text: must be specified']);
  });

  it('rejects a quick reply action of unknown type', async () => {
    const res = await rawPost('/v2/bot/message/reply', {
      replyToken: 'r1',
      messages: [{ type: 'text', text: 'x', quickReply: { items: [{ type: 'action', action: { type: 'telepathy', label: 'x' } }] } }],
    });
    expect(res.status).toBe(400);
    expect(fake.violations()).toEqual([
      expect.stringMatching(/messages\[0\]\.quickReply\.items\[0\]\.action\.type: must be one of: .*postback/),
    ]);
  });

  it('rejects a flex bubble with an unknown component type and a component in the wrong place', async () => {
    const res = await rawPost('/v2/bot/message/reply', {
      replyToken: 'r1',
      messages: [
        {
          type: 'flex',
          altText: 'x',
          contents: {
            type: 'bubble',
            header: { type: 'text', text: 'header must be a box' },
            body: { type: 'box', layout: 'vertical', contents: [{ type: 'paragraph', text: 'x' }] },
          },
        },
      ],
    });
    expect(res.status).toBe(400);
    const v = fake.violations();
    expect(v).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/messages\[0\]\.contents\.body\.contents\[0\]\.type: must be one of: box, button/),
        expect.stringMatching(/messages\[0\]\.contents\.header\.type: must be one of: box$/),
      ]),
    );
  });

  it('rejects a uri action with a scheme LINE does not allow, and an over-long postback data', async () => {
    const res = await rawPost('/v2/bot/message/reply', {
      replyToken: 'r1',
      messages: [
        {
          type: 'flex',
          altText: 'x',
          contents: {
            type: 'bubble',
            body: {
              type: 'box',
              layout: 'vertical',
              contents: [
                { type: 'button', action: { type: 'uri', label: 'mail', uri: 'mailto:a@example.com' } },
                { type: 'button', action: { type: 'postback', label: 'p', data: 'x'.repeat(301) } },
              ],
            },
          },
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(fake.violations()).toEqual([
      expect.stringContaining('messages[0].contents.body.contents[1].action.data: must NOT have more than 300 characters'),
      expect.stringContaining('messages[0].contents.body.contents[0].action.uri: scheme must be one of http, https, line, tel'),
    ]);
  });

  it('answers a reused reply token with 400 Invalid reply token, without a violation', async () => {
    await client.replyMessage({ replyToken: 'once', messages: [text('1')] });
    const err = await httpError(client.replyMessage({ replyToken: 'once', messages: [text('2')] }));

    expect(err.status).toBe(400);
    expect(JSON.parse(err.body)).toEqual({ message: 'Invalid reply token' });
    expect(fake.violations()).toEqual([]);
    expect(fake.replies()).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 400]);
  });
});

describe('fake LINE API: push, multicast, retry keys, quota', () => {
  it('answers a multicast retried with an accepted retry key with 409, recording it once', async () => {
    const key = randomUUID();
    const req = { to: [USER, USER2], messages: [text('お知らせ')] };

    const first = await client.multicastWithHttpInfo(req, key);
    const err = await httpError(client.multicast(req, key));

    expect(err.status).toBe(409);
    expect(JSON.parse(err.body)).toEqual({ message: 'The retry key is already accepted' });
    expect(err.headers.get('x-line-accepted-request-id')).toBe(first.httpResponse.headers.get('x-line-request-id'));
    expect(err.headers.get('x-line-request-id')).toBeTruthy();
    expect(fake.multicasts()).toEqual([{ ...req, retryKey: key }]);
    expect(fake.violations()).toEqual([]);
  });

  it('scripted 500 with accept:true (lost response) makes the retry answer 409 with the sent messages', async () => {
    fake.script('POST', '/v2/bot/message/push', [{ status: 500, body: { message: 'internal error' }, accept: true }]);
    const key = randomUUID();
    const req = { to: USER, messages: [text('明日のお知らせ')] };

    const lost = await httpError(client.pushMessage(req, key));
    expect(lost.status).toBe(500);

    const retry = await httpError(client.pushMessage(req, key));
    expect(retry.status).toBe(409);
    const body = JSON.parse(retry.body);
    expect(body.message).toBe('The retry key is already accepted');
    expect(body.sentMessages).toEqual([{ id: expect.stringMatching(/^\d{18}$/), quoteToken: expect.any(String) }]);
    expect(fake.pushes()).toEqual([{ ...req, retryKey: key }]);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 409]);
    expect(fake.violations()).toEqual([]);
  });

  it('scripted responses are used in order, then normal behaviour resumes', async () => {
    fake.script('POST', '/v2/bot/message/push', [{ status: 500 }, { status: 429, body: { message: 'Too many requests' } }]);
    const req = { to: USER, messages: [text('x')] };

    expect((await httpError(client.pushMessage(req))).status).toBe(500);
    expect((await httpError(client.pushMessage(req))).status).toBe(429);
    await client.pushMessage(req);

    expect(fake.pushes()).toHaveLength(1);
  });

  it('rejects a retry key that is not a UUID, and a retry key on reply', async () => {
    await httpError(client.pushMessage({ to: USER, messages: [text('x')] }, 'not-a-uuid'));
    await rawPost('/v2/bot/message/reply', { replyToken: 'r', messages: [text('x')] }, { 'x-line-retry-key': randomUUID() });

    expect(fake.violations()).toEqual([
      'POST /v2/bot/message/push: X-Line-Retry-Key: must be a UUID in hexadecimal format',
      'POST /v2/bot/message/reply: X-Line-Retry-Key: is not supported by this endpoint',
    ]);
    expect(fake.pushes()).toEqual([]);
  });

  it('reports the quota, counts each recipient, and answers 429 past a limited quota', async () => {
    fake.setQuota({ limit: 3, used: 1 });
    expect(await client.getMessageQuota()).toEqual({ type: 'limited', value: 3 });

    await client.pushMessage({ to: USER, messages: [text('1'), text('2')] });
    expect(await client.getMessageQuotaConsumption()).toEqual({ totalUsage: 2 });

    const err = await httpError(client.multicast({ to: [USER, USER2], messages: [text('x')] }));
    expect(err.status).toBe(429);
    expect(JSON.parse(err.body)).toEqual({ message: 'You have reached your monthly limit.' });
    expect(fake.multicasts()).toEqual([]);

    fake.setQuota({ limit: null, used: 0 });
    expect(await client.getMessageQuota()).toEqual({ type: 'none' });
    expect(fake.violations()).toEqual([]);
  });

  it('rejects a multicast to more than 500 users', async () => {
    const to = Array.from({ length: 501 }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
    expect((await httpError(client.multicast({ to, messages: [text('x')] }))).status).toBe(400);
    expect(fake.violations()).toEqual([expect.stringContaining('to: must NOT have more than 500 items')]);
  });
});

describe('fake LINE API: other endpoints', () => {
  it('answers an unknown path with 404 and records a violation', async () => {
    const res = await rawPost('/v2/bot/message/teleport', {});
    expect(res.status).toBe(404);
    expect(fake.violations()).toEqual(['POST /v2/bot/message/teleport: unknown path (not in messaging-api.yml)']);
  });

  it('answers a wrong token with 401 like LINE', async () => {
    const other = new messagingApi.MessagingApiClient({ channelAccessToken: 'wrong', baseURL: fake.baseUrl });
    const err = await httpError(other.getMessageQuota());
    expect(err.status).toBe(401);
    expect(fake.violations()).toEqual(['GET /v2/bot/message/quota: Authorization: wrong channel access token']);
  });

  it('handles rich menus: create, set as default with a path parameter, upload an image', async () => {
    const { richMenuId } = await client.createRichMenu({
      size: { width: 2500, height: 843 },
      selected: true,
      name: 'main',
      chatBarText: 'メニュー',
      areas: [
        { bounds: { x: 0, y: 0, width: 1250, height: 843 }, action: { type: 'postback', label: '相談', data: 'menu=consult' } },
        { bounds: { x: 1250, y: 0, width: 1250, height: 843 }, action: { type: 'uri', label: '電話', uri: 'tel:0337151111' } },
      ],
    });
    await client.setDefaultRichMenu(richMenuId);
    expect(await client.getDefaultRichMenuId()).toEqual({ richMenuId });

    const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken: TOKEN, baseURL: fake.baseUrl });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    await blob.setRichMenuImage(richMenuId, new Blob([png], { type: 'image/png' }));

    const upload = fake.requests.find((r) => r.path.endsWith('/content'));
    expect(upload?.headers['content-type']).toBe('image/png');
    expect(Buffer.isBuffer(upload?.body) && upload.body.equals(png)).toBe(true);
    expect(fake.violations()).toEqual([]);
  });

  it('checks rich menu limits (chatBarText <= 14, area label <= 20)', async () => {
    await httpError(
      client.createRichMenu({
        size: { width: 2500, height: 843 },
        selected: false,
        name: 'main',
        chatBarText: 'あ'.repeat(15),
        areas: [{ bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'message', label: 'あ'.repeat(21), text: 'x' } }],
      }),
    );
    expect(fake.violations()).toEqual([
      expect.stringContaining('chatBarText'),
      expect.stringContaining('areas[0].action.label'),
    ]);
  });

  it('compiles a validator for every JSON request body in the spec', () => {
    const ops = loadLineSpec().operations;
    expect(ops.length).toBeGreaterThan(70);
    const jsonOps = ops.filter((o) => o.requestContentTypes.includes('application/json'));
    expect(jsonOps.every((o) => typeof o.validateBody === 'function')).toBe(true);
  });
});

describe('convertDiscriminators', () => {
  it('turns a base into a dispatcher and inlines the base into its subtypes', () => {
    const out = convertDiscriminators({
      Base: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string' }, common: { type: 'string' } },
        discriminator: { propertyName: 'type', mapping: { a: '#/components/schemas/A' } },
      },
      A: { allOf: [{ $ref: '#/components/schemas/Base' }, { properties: { x: { type: 'number' } } }] },
    });
    expect(out.Base).toEqual({
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: ['a'] } },
      allOf: [
        { if: { properties: { type: { const: 'a' } }, required: ['type'] }, then: { $ref: '#/components/schemas/A' } },
      ],
    });
    expect(out.A!.allOf[0]).toEqual({
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: ['a'] }, common: { type: 'string' } },
    });
  });
});

describe('line-webhook helpers', () => {
  const secret = 'testsecret';

  it('signBody matches known-answer vectors computed with openssl', () => {
    // printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64
    expect(signBody('{"destination":"U123","events":[]}', secret)).toBe('FbJ56+JptDzTg2B3aSe7YtHY31Mpm1JycvnMjDwJNkw=');
    expect(
      signBody('{"events":[{"type":"message","message":{"type":"text","text":"こんにちは🍎"}}]}', 'チャネルsecret'),
    ).toBe('PiikwQDWSHZm25in6G/L/ayIILKSNd+JrP/ITlCU+F0=');
  });

  it('signBody agrees with node crypto and with the SDK validateSignature', () => {
    const body = webhookBody([textEvent(USER, '相談したいです')]);
    const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');
    expect(signBody(body, secret)).toBe(expected);
    expect(validateSignature(body, secret, signBody(body, secret))).toBe(true);
    expect(validateSignature(body, secret, signBody(`${body} `, secret))).toBe(false);
  });

  it('builds events shaped like LINE webhooks', () => {
    const t = 1_767_225_600_000;
    const events = [
      followEvent(USER, { timestamp: t }),
      textEvent(USER, 'こんにちは', { redelivery: true }),
      postbackEvent(USER, 'step=1'),
      stickerEvent(USER),
      imageEvent(USER),
      locationEvent(USER),
      unfollowEvent(USER),
    ];
    for (const e of events) {
      expect(e.webhookEventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(e.source).toEqual({ type: 'user', userId: USER });
      expect(e.mode).toBe('active');
      expect(typeof e.timestamp).toBe('number');
      if (e.type !== 'unfollow') expect((e as { replyToken?: string }).replyToken).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(events[0]!.timestamp).toBe(t);
    expect(events[1]!.deliveryContext).toEqual({ isRedelivery: true });
    expect(events[0]!.deliveryContext).toEqual({ isRedelivery: false });
    expect('replyToken' in events[6]!).toBe(false);
    expect(new Set(events.map((e) => e.webhookEventId)).size).toBe(events.length);

    const parsed = JSON.parse(webhookBody(events, 'Udest'));
    expect(parsed.destination).toBe('Udest');
    expect(parsed.events).toHaveLength(7);
  });
});

describe('the channel settings line:setup uses', () => {
  const SECRET = '0123456789abcdef0123456789abcdef';

  it('keeps the webhook URL it was given, refuses one that is not https, and reports the bot and the switch', async () => {
    const own = await startFakeLineApi({ channelAccessToken: TOKEN, channelSecret: SECRET });
    const sdk = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: own.baseUrl });
    try {
      expect((await httpError(sdk.getWebhookEndpoint())).status).toBe(404);
      expect((await httpError(sdk.setWebhookEndpoint({ endpoint: 'http://guide.example.jp/webhook' }))).status).toBe(400);
      await sdk.setWebhookEndpoint({ endpoint: 'https://guide.example.jp/webhook' });
      own.setWebhookActive(false);
      expect(await sdk.getWebhookEndpoint()).toEqual({ endpoint: 'https://guide.example.jp/webhook', active: false });
      expect((await sdk.getBotInfo()).chatMode).toBe('bot');
      expect(own.violations()).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('testWebhookEndpoint really sends LINE\'s empty, signed verification body and reports the answer', async () => {
    const received: { signature: string; body: string }[] = [];
    const endpoint = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ signature: String(req.headers['x-line-signature']), body });
        res.statusCode = validateSignature(body, SECRET, String(req.headers['x-line-signature'])) ? 200 : 401;
        res.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhook`;
    const signed = await startFakeLineApi({ channelAccessToken: TOKEN, channelSecret: SECRET });
    const unsigned = await startFakeLineApi({ channelAccessToken: TOKEN });
    try {
      const ok = await new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: signed.baseUrl }).testWebhookEndpoint({ endpoint: url });
      expect(ok).toMatchObject({ success: true, statusCode: 200 });
      expect(JSON.parse(received[0]!.body)).toEqual({ destination: expect.stringMatching(/^U[0-9a-f]{32}$/), events: [] });
      const refused = await new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: unsigned.baseUrl }).testWebhookEndpoint({ endpoint: url });
      expect(refused).toMatchObject({ success: false, statusCode: 401 });
    } finally {
      await Promise.all([signed.close(), unsigned.close(), new Promise((resolve) => endpoint.close(resolve))]);
    }
  });
});
