// The forwarder (forward.ts) against a real HTTP server on loopback: what the exchange receives
// (path under the base URL's prefix, query, method, body and its framing, no hop-by-hop headers),
// what comes back (status, the exchange's headers without hop-by-hop ones, the body byte for byte,
// its length kept), connections kept alive, and failures as rejections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExchangeRequest } from '../exchanges/index.js';
import { createForwarder, readBody } from './forward.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer; socket: number }

async function upstream(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new Map<unknown, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), socket: sockets.get(req.socket) ?? -1 };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/binance/`, seen };
}

const request = (over: Partial<ExchangeRequest>): ExchangeRequest => ({ method: 'GET', path: '/api/v3/account', query: '', headers: {}, body: Buffer.alloc(0), ...over });

test('the exchange receives the request under the base URL\'s path, without hop-by-hop headers', async () => {
  const up = await upstream((_s, res) => res.end('{}'));
  const f = createForwarder();
  try {
    const r = await f.send(up.base, request({
      method: 'POST', path: '/api/v3/order', query: 'symbol=BTCUSDT&side=BUY', body: Buffer.from('a=1&b=2'),
      headers: {
        'x-mbx-apikey': 'AK', 'content-type': 'application/x-www-form-urlencoded', connection: 'keep-alive, x-secret-hop', 'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked', upgrade: 'websocket', host: 'evil.example',
        'content-length': '999', expect: '100-continue',
      },
    }));
    await readBody(r.body);
    const s = up.seen[0];
    assert.ok(s !== undefined);
    assert.equal(s.method, 'POST');
    assert.equal(s.url, '/binance/api/v3/order?symbol=BTCUSDT&side=BUY');
    assert.equal(s.body.toString(), 'a=1&b=2');
    assert.equal(s.headers['x-mbx-apikey'], 'AK');
    assert.equal(s.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(s.headers['content-length'], '7', 'framed by its real length, not the client\'s claim');
    assert.equal(s.headers.host, new URL(up.base).host, 'the upstream\'s own host');
    for (const h of ['keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']) assert.equal(s.headers[h], undefined, h);
  } finally {
    await f.close();
    up.server.close();
  }
});

test('an empty POST is sent with content-length 0; a GET with no body has none', async () => {
  const up = await upstream((_s, res) => res.end('{}'));
  const f = createForwarder();
  try {
    await readBody((await f.send(up.base, request({ method: 'DELETE', path: '/api/v3/order', query: 'orderId=1' }))).body);
    await readBody((await f.send(up.base, request({ method: 'POST', path: '/api/v3/userDataStream' }))).body);
    await readBody((await f.send(up.base, request({}))).body);
    assert.equal(up.seen[1]?.headers['content-length'], '0');
    assert.equal(up.seen[2]?.headers['content-length'], undefined);
    assert.equal(up.seen[2]?.headers['transfer-encoding'], undefined);
  } finally {
    await f.close();
    up.server.close();
  }
});

test('the answer comes back as the exchange sent it: status, headers but hop-by-hop ones, body byte for byte', async () => {
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
  const up = await upstream((s, res) => {
    if (s.url.endsWith('/big')) {
      // Chunked (no length): streamed through, re-framed by whoever sends it on.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(big.subarray(0, 100_000));
      setTimeout(() => res.end(big.subarray(100_000)), 20);
      return;
    }
    res.writeHead(429, { 'content-length': '40', 'content-type': 'application/json', 'x-mbx-used-weight-1m': '1201', 'retry-after': '3', 'set-cookie': ['a=1', 'b=2'], connection: 'keep-alive', 'keep-alive': 'timeout=5' });
    res.end('{"code":-1003,"msg":"Too many requests"}');
  });
  const f = createForwarder();
  try {
    const r = await f.send(up.base, request({}));
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-mbx-used-weight-1m'], '1201');
    assert.equal(r.headers['retry-after'], '3');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(r.headers['content-length'], '40', 'its length kept');
    assert.equal(r.headers.connection, undefined);
    assert.equal(r.headers['keep-alive'], undefined);
    assert.equal((await readBody(r.body)).toString(), '{"code":-1003,"msg":"Too many requests"}');
    const b = await f.send(up.base, request({ path: '/big' }));
    assert.equal(b.headers['transfer-encoding'], undefined);
    assert.equal(b.headers['content-length'], undefined);
    assert.ok((await readBody(b.body)).equals(big));
  } finally {
    await f.close();
    up.server.close();
  }
});

test('connections are kept alive between requests', async () => {
  const up = await upstream((_s, res) => res.end('{}'));
  const f = createForwarder();
  try {
    for (let i = 0; i < 20; i++) await readBody((await f.send(up.base, request({}))).body);
    // The pool may open a second connection while the first finishes its answer; not one each.
    assert.ok(new Set(up.seen.map((s) => s.socket)).size <= 2, `connections: ${String(new Set(up.seen.map((s) => s.socket)).size)}`);
  } finally {
    await f.close();
    up.server.close();
  }
});

test('an upstream that cannot be reached, or does not answer in time, rejects', async () => {
  const up = await upstream(() => { /* never answers */ });
  const closed = await upstream((_s, res) => res.end());
  const deadBase = closed.base;
  await new Promise((r) => closed.server.close(r));
  const f = createForwarder({ timeoutMs: 200 });
  try {
    await assert.rejects(f.send(deadBase, request({})));
    await assert.rejects(f.send(up.base, request({})));
  } finally {
    await f.close();
    up.server.closeAllConnections();
    up.server.close();
  }
});

test('a body past the limit is refused by readBody', async () => {
  const up = await upstream((_s, res) => res.end(Buffer.alloc(5000)));
  const f = createForwarder();
  try {
    await assert.rejects(readBody((await f.send(up.base, request({}))).body, 4096), RangeError);
  } finally {
    await f.close();
    up.server.close();
  }
});
