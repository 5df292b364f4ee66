// DESIGN.md promise: unknown endpoints are denied, and a request the gateway cannot read
// unambiguously is not signed. A table of attempts to slip a request past classification: every
// one is refused in the exchange's own format, and none reaches the exchange.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { agent, clientRequests, makeVault, policy, rawRequest, recordingUpstream, token } from '../helpers/agent.js';

const upstream = await recordingUpstream();
const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'REAL-KEY', secret: 'real-secret-123' }]);
const t = await token(home, policy({ credential: 'b', actions: ['read', 'trade', 'cancel'], symbols: ['BTCUSDT'] }));
const a = await agent(home, { binance: `${upstream.url}/binance` });
after(async () => {
  await a.close();
  await upstream.close();
});

const form = { 'x-mbx-apikey': t.token, 'content-type': 'application/x-www-form-urlencoded' };
const ATTEMPTS: { name: string; method: string; path: string; body?: string; headers?: Record<string, string> }[] = [
  { name: 'unknown endpoint', method: 'GET', path: '/binance/api/v3/secretStuff' },
  { name: 'withdrawal', method: 'POST', path: '/binance/sapi/v1/capital/withdraw/apply', body: 'coin=BTC&address=x&amount=1' },
  { name: 'withdrawal disguised with a dot segment', method: 'POST', path: '/binance/api/v3/../../sapi/v1/capital/withdraw/apply', body: 'coin=BTC&amount=1' },
  { name: 'withdrawal behind an encoded slash', method: 'POST', path: '/binance/api/v3/order%2F..%2F..%2Fsapi/v1/capital/withdraw/apply', body: 'coin=BTC' },
  { name: 'encoded dot segment', method: 'POST', path: '/binance/api/v3/%2e%2e/order', body: 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1' },
  { name: 'double slash', method: 'POST', path: '/binance/api/v3//order', body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1' },
  { name: 'case change', method: 'POST', path: '/binance/api/v3/ORDER', body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1' },
  { name: 'duplicate parameter', method: 'POST', path: '/binance/api/v3/order', body: 'symbol=BTCUSDT&symbol=SHIBUSDT&side=BUY&type=MARKET&quantity=1' },
  { name: 'body and query disagree', method: 'POST', path: '/binance/api/v3/order?symbol=BTCUSDT', body: 'symbol=SHIBUSDT&side=BUY&type=LIMIT&quantity=1&price=1' },
  { name: 'duplicate with encoded name', method: 'POST', path: '/binance/api/v3/order', body: 'symbol=BTCUSDT&%73ymbol=SHIBUSDT&side=BUY&type=LIMIT&quantity=1&price=1' },
  { name: 'a JSON body Binance would not read', method: 'POST', path: '/binance/api/v3/order', body: '{"symbol":"BTCUSDT"}', headers: { 'content-type': 'application/json' } },
  { name: 'a Connection header naming the content type (a proxy would drop it)', method: 'POST', path: '/binance/api/v3/order', body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1', headers: { connection: 'content-type' } },
  { name: 'invalid %-escape', method: 'GET', path: '/binance/api/v3/account?x=%zz' },
  { name: 'backslash', method: 'GET', path: '/binance/api/v3\\account' },
  { name: 'oversized body', method: 'POST', path: '/binance/api/v3/order', body: `symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1&pad=${'a'.repeat(70_000)}` },
  { name: 'a symbol the policy does not allow', method: 'POST', path: '/binance/api/v3/order', body: 'symbol=SHIBUSDT&side=BUY&type=LIMIT&quantity=1&price=1' },
  { name: 'a transfer', method: 'POST', path: '/binance/sapi/v1/asset/transfer', body: 'type=MAIN_UMFUTURE&asset=USDT&amount=1' },
  { name: 'a sub-account transfer', method: 'POST', path: '/binance/sapi/v1/sub-account/universalTransfer', body: 'asset=USDT&amount=1' },
  { name: 'a missing token', method: 'GET', path: '/binance/api/v3/account', headers: { 'x-mbx-apikey': '' } },
  { name: 'a forged token', method: 'GET', path: '/binance/api/v3/account', headers: { 'x-mbx-apikey': `kw_${'A'.repeat(43)}` } },
  { name: 'the real API key instead of a token', method: 'GET', path: '/binance/api/v3/account', headers: { 'x-mbx-apikey': 'REAL-KEY' } },
];

for (const attempt of ATTEMPTS) {
  test(`refused, never forwarded: ${attempt.name}`, async () => {
    const before = clientRequests(upstream.requests).length;
    const res = await rawRequest(a.url, attempt.method, attempt.path, { ...form, ...attempt.headers }, attempt.body ?? '');
    const text = res.body;
    assert.ok(res.status >= 400, `${attempt.name}: status ${String(res.status)} ${text}`);
    const body = JSON.parse(text) as { code?: number; msg?: string };
    assert.equal(typeof body.code, 'number', `Binance's own error format: ${text}`);
    assert.match(body.msg ?? '', /^Keyward KW_[A-Z_]+: /);
    assert.equal(clientRequests(upstream.requests).length, before, `${attempt.name} reached the exchange`);
  });
}

test('an HTTP/2 upgrade offer (Java\'s HttpClient makes one) is answered in HTTP/1.1, and not passed on', async () => {
  const before = clientRequests(upstream.requests).length;
  const res = await rawRequest(a.url, 'GET', '/binance/api/v3/account', {
    'x-mbx-apikey': t.token, connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA', 'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
  });
  assert.equal(res.status, 200, res.body);
  const got = clientRequests(upstream.requests).slice(before);
  assert.equal(got.length, 1);
  for (const h of ['upgrade', 'http2-settings', 'proxy-authorization']) assert.equal(got[0]?.headers[h], undefined, h);
});

test('a well-formed request does reach the exchange, signed with the real key, without the token', async () => {
  const before = upstream.requests.length;
  const res = await request(`${a.url}/binance/api/v3/account?recvWindow=5000&signature=clientsig`, { headers: { 'x-mbx-apikey': t.token } });
  assert.equal(res.statusCode, 200, await res.body.text());
  const got = upstream.requests.slice(before);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.headers['x-mbx-apikey'], 'REAL-KEY');
  assert.match(got[0]?.url ?? '', /^\/binance\/api\/v3\/account\?recvWindow=5000&timestamp=\d+&signature=[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(got[0]).includes(t.token), 'the token never reaches the exchange');
});
