/**
 * Baseline 2, the floor: the least a webhook server can do for the same job with Node alone.
 * node:http, the signature checked on the raw bytes (base64 HMAC-SHA256 with the channel secret,
 * compared in constant time), then one reply call per event over a keep-alive connection, then 200.
 *
 * Environment: LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL, PORT (0: any).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.env.LINE_CHANNEL_SECRET ?? '';
const token = process.env.LINE_CHANNEL_ACCESS_TOKEN ?? '';
const replyUrl = new URL('/v2/bot/message/reply', process.env.LINE_API_BASE_URL ?? 'https://api.line.me');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function validSignature(body: Buffer, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function reply(replyToken: string, text: string): Promise<void> {
  const body = JSON.stringify({ replyToken, messages: [{ type: 'text', text }] });
  return new Promise((resolve, reject) => {
    const req = http.request(
      replyUrl,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`reply: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/webhook') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const signature = req.headers['x-line-signature'];
    if (!validSignature(raw, Array.isArray(signature) ? signature[0] : signature)) {
      res.writeHead(401).end();
      return;
    }
    let events: any[];
    try {
      events = (JSON.parse(raw.toString('utf8')) as { events?: any[] }).events ?? [];
    } catch {
      res.writeHead(400).end();
      return;
    }
    const sends = events
      .filter((event) => typeof event.replyToken === 'string')
      .map((event) => reply(event.replyToken, event.type === 'message' && event.message?.type === 'text' ? event.message.text : event.type));
    Promise.all(sends).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      () => res.writeHead(500).end(),
    );
  });
});

server.listen(Number(process.env.PORT ?? 3000), () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : process.env.PORT;
  process.stderr.write(`floor: http://localhost:${port}/healthz\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
