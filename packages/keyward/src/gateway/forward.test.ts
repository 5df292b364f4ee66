// The forwarder (forward.ts) against a real HTTP server on loopback: what the exchange receives
// (path under the base URL's prefix, query, method, body and its framing, no hop-by-hop headers),
// what comes back (status, the exchange's headers without hop-by-hop ones, the body byte for byte,
// its length kept), connections kept alive, and failures as rejections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExchangeRequest } from '../exchanges/index.js';
import { createForwarder, readBody, type Forwarder } from './forward.js';

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

type Upstream = Awaited<ReturnType<typeof upstream>>;

/** An upstream answering with `answer`, a forwarder, and both closed after `fn`. */
async function withUpstream(answer: (seen: Seen, res: ServerResponse) => void, fn: (up: Upstream, f: Forwarder) => Promise<void>, options?: { timeoutMs: number }): Promise<void> {
  const up = await upstream(answer);
  const f = createForwarder(options);
  try {
    await fn(up, f);
  } finally {
    await f.close();
    up.server.closeAllConnections();
    up.server.close();
  }
}

const request = (over: Partial<ExchangeRequest>): ExchangeRequest => ({ method: 'GET', path: '/api/v3/account', query: '', headers: {}, body: Buffer.alloc(0), ...over });

test('the exchange receives the request under the base URL\'s path, without hop-by-hop headers', async () => {
  await withUpstream((_s, res) => res.end('{}'), async (up, f) => {
    const r = await f.send(up.base, request({
      method: 'POST', path: '/api/v3/order', query: 'symbol=BTCUSDT&side=BUY', body: Buffer.from('a=1&b=2'),
      headers: {
        'x-mbx-apikey': 'AK', 'content-type': 'application/x-www-form-urlencoded', connection: 'keep-alive, x-secret-hop', 'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive', te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked', upgrade: 'websocket', host: 'evil.example',
        'content-length': '999', expect: '100-continue', 'x-secret-hop': 'named by Connection', 'proxy-authorization': 'Basic cDpz',
        'http2-settings': 'AAMAAABk',
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
    for (const h of ['keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'x-secret-hop', 'proxy-authorization', 'http2-settings']) {
      assert.equal(s.headers[h], undefined, h);
    }
  });
});

test('an empty POST is sent with content-length 0; a GET with no body has none', async () => {
  await withUpstream((_s, res) => res.end('{}'), async (up, f) => {
    await readBody((await f.send(up.base, request({ method: 'DELETE', path: '/api/v3/order', query: 'orderId=1' }))).body);
    await readBody((await f.send(up.base, request({ method: 'POST', path: '/api/v3/userDataStream' }))).body);
    await readBody((await f.send(up.base, request({}))).body);
    assert.equal(up.seen[1]?.headers['content-length'], '0');
    assert.equal(up.seen[2]?.headers['content-length'], undefined);
    assert.equal(up.seen[2]?.headers['transfer-encoding'], undefined);
  });
});

test('the answer comes back as the exchange sent it: status, headers but hop-by-hop ones, body byte for byte', async () => {
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
  const answer = (s: Seen, res: ServerResponse): void => {
    if (s.url.endsWith('/big')) {
      // Chunked (no length): streamed through, re-framed by whoever sends it on.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(big.subarray(0, 100_000));
      setTimeout(() => res.end(big.subarray(100_000)), 20);
      return;
    }
    res.writeHead(429, {
      'content-length': '40', 'content-type': 'application/json', 'x-mbx-used-weight-1m': '1201', 'retry-after': '3', 'set-cookie': ['a=1', 'b=2'],
      connection: 'keep-alive, x-this-hop', 'keep-alive': 'timeout=5', 'x-this-hop': 'named by Connection',
    });
    res.end('{"code":-1003,"msg":"Too many requests"}');
  };
  await withUpstream(answer, async (up, f) => {
    const r = await f.send(up.base, request({}));
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-mbx-used-weight-1m'], '1201');
    assert.equal(r.headers['retry-after'], '3');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(r.headers['content-length'], '40', 'its length kept');
    assert.equal(r.headers.connection, undefined);
    assert.equal(r.headers['keep-alive'], undefined);
    assert.equal(r.headers['x-this-hop'], undefined, 'a header the Connection header names is hop-by-hop');
    assert.equal((await readBody(r.body)).toString(), '{"code":-1003,"msg":"Too many requests"}');
    const b = await f.send(up.base, request({ path: '/big' }));
    assert.equal(b.headers['transfer-encoding'], undefined);
    assert.equal(b.headers['content-length'], undefined);
    assert.ok((await readBody(b.body)).equals(big));
  });
});

test('connections are kept alive between requests', async () => {
  await withUpstream((_s, res) => res.end('{}'), async (up, f) => {
    for (let i = 0; i < 20; i++) await readBody((await f.send(up.base, request({}))).body);
    // The pool may open a second connection while the first finishes its answer; not one each.
    assert.ok(new Set(up.seen.map((s) => s.socket)).size <= 2, `connections: ${String(new Set(up.seen.map((s) => s.socket)).size)}`);
  });
});

test('an upstream that cannot be reached, or does not answer in time, rejects', async () => {
  const closed = await upstream((_s, res) => res.end());
  const deadBase = closed.base;
  await new Promise((r) => closed.server.close(r));
  await withUpstream(() => { /* never answers */ }, async (up, f) => {
    await assert.rejects(f.send(deadBase, request({})));
    await assert.rejects(f.send(up.base, request({})));
  }, { timeoutMs: 200 });
});

test('a body past the limit is refused by readBody', async () => {
  await withUpstream((_s, res) => res.end(Buffer.alloc(5000)), async (up, f) => {
    await assert.rejects(readBody((await f.send(up.base, request({}))).body, 4096), RangeError);
  });
});
