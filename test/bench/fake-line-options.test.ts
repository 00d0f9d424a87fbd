/**
 * What the benchmark adds to the stand-in LINE API: shallow validation for load, capped records,
 * a hook on accepted calls, and the same stand-in in a process of its own with a control port.
 */
import { messagingApi } from '@line/bot-sdk';
import { startFakeLineApi, type AcceptedCall } from '../support/fake-line-api';
import { spawnFakeLineServer, type AcceptedLine } from '../support/fake-line-server';

const TOKEN = 't';
const tooLong = (replyToken: string): messagingApi.ReplyMessageRequest => ({
  replyToken,
  messages: [{ type: 'text', text: 'x', quickReply: { items: [{ type: 'action', action: { type: 'message', label: 'あ'.repeat(21), text: 'a' } }] } }],
});

test('shallow validation skips the schema and limits but still checks auth; full counts every violation', async () => {
  const calls: AcceptedCall[] = [];
  const fake = await startFakeLineApi({ channelAccessToken: TOKEN, validation: 'shallow', maxRecords: 4, onAccepted: (c) => calls.push(c) });
  try {
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: fake.baseUrl });
    await client.replyMessage(tooLong('r0'));
    expect(fake.violationCount()).toBe(0);
    expect(calls).toEqual([expect.objectContaining({ kind: 'reply', body: expect.objectContaining({ replyToken: 'r0' }), at: expect.any(Number) })]);

    const wrong = new messagingApi.MessagingApiClient({ channelAccessToken: 'wrong', baseURL: fake.baseUrl });
    await expect(wrong.replyMessage({ replyToken: 'r1', messages: [{ type: 'text', text: 'a' }] })).rejects.toMatchObject({ status: 401 });

    fake.setValidation('full');
    for (let i = 0; i < 10; i++) await expect(client.replyMessage(tooLong(`f${i}`))).rejects.toMatchObject({ status: 400 });
    expect(fake.violationCount()).toBe(11);
    expect(fake.requests.length).toBeLessThanOrEqual(4);
    for (let i = 0; i < 10; i++) await client.replyMessage({ replyToken: `ok${i}`, messages: [{ type: 'text', text: 'a' }] });
    expect(fake.replies().length).toBeLessThanOrEqual(4);
    expect(fake.replies().at(-1)!.replyToken).toBe('ok9');
    expect(calls).toHaveLength(11);

    fake.reset();
    expect(fake.violationCount()).toBe(0);
  } finally {
    await fake.close();
  }
});

test('the stand-in process streams accepted replies with their quick replies, counts multicasts, and resets', async () => {
  const server = await spawnFakeLineServer({ token: TOKEN, validation: 'full' });
  try {
    const lines: AcceptedLine[] = [];
    const stream = await fetch(`${server.controlUrl}/accepted/stream`);
    const reader = stream.body!.getReader();
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: TOKEN, baseURL: server.baseUrl });
    await client.replyMessage({
      replyToken: 'a'.repeat(32),
      messages: [{ type: 'text', text: 'どちらですか', quickReply: { items: [{ type: 'action', action: { type: 'postback', label: '本人です', data: 'go=self' } }] } }],
    });
    let text = '';
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
    lines.push(JSON.parse(text.split('\n')[0]!));
    await reader.cancel();
    expect(lines).toEqual([{ kind: 'reply', token: 'a'.repeat(32), at: expect.any(Number), choices: [{ type: 'postback', data: 'go=self', label: '本人です' }] }]);

    await client.replyMessage(tooLong('b'.repeat(32))).catch(() => undefined);
    const to = Array.from({ length: 3 }, (_, i) => `U${String(i).repeat(32)}`);
    await client.multicast({ to, messages: [{ type: 'text', text: 'x' }] }, '123e4567-e89b-42d3-a456-426614174000');
    expect(await server.stats()).toEqual({
      replies: 1,
      pushes: 0,
      multicasts: { calls: 1, recipients: 3, unique: 3, largest: 3 },
      violations: 1,
      validation: 'full',
    });
    expect(await server.multicasts()).toEqual([{ to, retryKey: '123e4567-e89b-42d3-a456-426614174000' }]);

    await server.setValidation('shallow');
    await client.replyMessage(tooLong('c'.repeat(32)));
    await server.reset();
    expect(await server.stats()).toMatchObject({ replies: 0, violations: 0, multicasts: { calls: 0, unique: 0 }, validation: 'shallow' });
  } finally {
    await server.close();
  }
});
