// The /binance dialect through fastify inject(): status codes and bodies are Binance's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createManualClock } from '../clock.js';
import { createSandbox } from '../sandbox.js';
import type { KeyMaterial } from '../keys.js';

const T0 = 1_700_000_000_000;
const clock = createManualClock(T0);
const sb = createSandbox({ seed: 'binance-test', clock });
const trader = sb.createKey({ exchange: 'binance' });
const reader = sb.createKey({ exchange: 'binance', permissions: ['read'] });
const withdrawer = sb.createKey({ exchange: 'binance', permissions: ['read', 'trade', 'withdraw'] });

interface Opts { key?: KeyMaterial; secret?: string; inBody?: boolean; ip?: string }

async function call(method: 'GET' | 'POST' | 'DELETE', path: string, params: string, opts: Opts = {}) {
  const key = opts.key ?? trader;
  const sig = createHmac('sha256', opts.secret ?? key.secret).update(params).digest('hex');
  const signedParams = `${params}&signature=${sig}`;
  const res = await sb.app.inject({
    method,
    url: `/binance${path}${opts.inBody === true ? '' : `?${signedParams}`}`,
    headers: { 'x-mbx-apikey': key.apiKey, ...(opts.inBody === true ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(opts.inBody === true ? { payload: signedParams } : {}),
    remoteAddress: opts.ip ?? '127.0.0.1',
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

const ts = (): string => `timestamp=${String(clock.now())}`;

test('public endpoints answer without a key', async () => {
  const time = await sb.app.inject({ url: '/binance/api/v3/time' });
  assert.deepEqual(time.json(), { serverTime: T0 });
  const info = (await sb.app.inject({ url: '/binance/api/v3/exchangeInfo' })).json<{ symbols: { symbol: string }[] }>();
  assert.deepEqual(info.symbols.map((s) => s.symbol), ['BTCUSDT', 'ETHUSDT', 'ILLIQUSDT']);
  const bad = await sb.app.inject({ url: '/binance/api/v3/depth?symbol=DOGEUSDT' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json(), { code: -1121, msg: 'Invalid symbol.' });
  const unknown = await sb.app.inject({ url: '/binance/api/v3/nope' });
  assert.equal(unknown.statusCode, 404);
});

test('authentication faults use Binance codes and statuses', async () => {
  assert.deepEqual(await call('GET', '/api/v3/account', ts(), { secret: 'wrong' }), { status: 400, body: { code: -1022, msg: 'Signature for this request is not valid.' } });
  assert.deepEqual(await call('GET', '/api/v3/account', ts(), { key: { ...trader, apiKey: 'unknown' } }), { status: 401, body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
  const noKey = await sb.app.inject({ url: `/binance/api/v3/account?${ts()}&signature=00` });
  assert.deepEqual([noKey.statusCode, noKey.json()], [401, { code: -2014, msg: 'API-key format invalid.' }]);
  assert.deepEqual(await call('GET', '/api/v3/account', `timestamp=${String(T0 - 5001)}`), { status: 400, body: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' } });
  assert.equal((await call('GET', '/api/v3/account', `timestamp=${String(T0 - 5000)}`)).status, 200);
  assert.deepEqual(await call('GET', '/api/v3/account', `timestamp=${String(T0 + 1000)}`), { status: 400, body: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." } });
  assert.equal((await call('GET', '/api/v3/account', `${ts()}&recvWindow=60001`)).body.code, -1131);
  assert.deepEqual(await call('GET', '/api/v3/account', `${ts()}&${ts()}`), { status: 400, body: { code: -1101, msg: 'Duplicate values for a parameter detected.' } });
  assert.equal((await call('GET', '/api/v3/account', 'recvWindow=5000')).body.code, -1102);
});

test('the signature covers the exact bytes: reordering after signing breaks it', async () => {
  const params = `symbol=BTCUSDT&${ts()}`;
  const sig = createHmac('sha256', trader.secret).update(params).digest('hex');
  const res = await sb.app.inject({ url: `/binance/api/v3/openOrders?${ts()}&symbol=BTCUSDT&signature=${sig}`, headers: { 'x-mbx-apikey': trader.apiKey } });
  assert.equal(res.json<{ code: number }>().code, -1022);
});

test('orders: place, query, list, cancel; balances lock and unlock', async () => {
  const placed = await call('POST', '/api/v3/order', `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.10000&price=50000&newClientOrderId=t-1&${ts()}`, { inBody: true });
  assert.equal(placed.status, 200);
  assert.equal(placed.body.status, 'NEW');
  assert.deepEqual(placed.body.fills, []);
  const account = await call('GET', '/api/v3/account', ts());
  const usdt = (account.body.balances as { asset: string; free: string; locked: string }[]).find((b) => b.asset === 'USDT');
  assert.deepEqual(usdt, { asset: 'USDT', free: '94995.00000000', locked: '5005.00000000' });
  const q = await call('GET', '/api/v3/order', `symbol=BTCUSDT&origClientOrderId=t-1&${ts()}`);
  assert.equal(q.body.orderId, placed.body.orderId);
  assert.equal((await call('GET', '/api/v3/openOrders', `symbol=BTCUSDT&${ts()}`)).body.length, 1);
  const cancelled = await call('DELETE', '/api/v3/order', `symbol=BTCUSDT&orderId=${String(placed.body.orderId)}&${ts()}`);
  assert.equal(cancelled.body.status, 'CANCELED');
  assert.deepEqual(await call('DELETE', '/api/v3/order', `symbol=BTCUSDT&orderId=${String(placed.body.orderId)}&${ts()}`), { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } });
  assert.deepEqual(await call('GET', '/api/v3/order', `symbol=BTCUSDT&orderId=999999&${ts()}`), { status: 400, body: { code: -2013, msg: 'Order does not exist.' } });
  const market = await call('POST', '/api/v3/order', `symbol=ETHUSDT&side=SELL&type=MARKET&quantity=1&${ts()}`, { inBody: true });
  assert.equal(market.body.status, 'FILLED');
  assert.ok((market.body.fills as unknown[]).length > 0);
  const poor = await call('POST', '/api/v3/order', `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=100&price=50000&${ts()}`, { inBody: true });
  assert.deepEqual(poor, { status: 400, body: { code: -2010, msg: 'Account has insufficient balance for requested action.' } });
  const lot = await call('POST', '/api/v3/order', `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.000001&price=50000&${ts()}`, { inBody: true });
  assert.deepEqual(lot.body, { code: -1013, msg: 'Filter failure: LOT_SIZE' });
});

test('permissions: a read-only key cannot trade; apiRestrictions reports each key', async () => {
  assert.deepEqual(await call('POST', '/api/v3/order', `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&${ts()}`, { key: reader, inBody: true }), { status: 401, body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
  const r = await call('GET', '/sapi/v1/account/apiRestrictions', ts(), { key: reader });
  assert.equal(r.body.enableReading, true);
  assert.equal(r.body.enableSpotAndMarginTrading, false);
  assert.equal(r.body.enableWithdrawals, false);
  assert.equal((await call('GET', '/sapi/v1/account/apiRestrictions', ts(), { key: withdrawer })).body.enableWithdrawals, true);
});

test('withdrawals move funds only with withdraw permission, and every attempt is recorded', async () => {
  const refused = await call('POST', '/sapi/v1/capital/withdraw/apply', `coin=USDT&address=TXabc&amount=25&${ts()}`, { inBody: true });
  assert.deepEqual(refused, { status: 401, body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
  assert.equal(sb.withdrawals().length, 0);
  const ok = await call('POST', '/sapi/v1/capital/withdraw/apply', `coin=USDT&address=TXabc&amount=25&${ts()}`, { key: withdrawer, inBody: true });
  assert.equal(ok.status, 200);
  assert.match(String(ok.body.id), /^[0-9a-f]{32}$/);
  const [w] = sb.withdrawals();
  assert.equal(w?.exchange, 'binance');
  assert.equal(w?.amount, '25');
  assert.equal(w?.apiKey, withdrawer.apiKey);
  // A withdrawal-looking path the sandbox does not even implement is still recorded.
  await call('POST', '/sapi/v1/localentity/withdraw/apply', `coin=USDT&${ts()}`, { inBody: true });
  const attempts = sb.withdrawalAttempts().map((a) => [a.path, a.accepted, a.status]);
  assert.deepEqual(attempts, [
    ['/sapi/v1/capital/withdraw/apply', false, 401],
    ['/sapi/v1/capital/withdraw/apply', true, 200],
    ['/sapi/v1/localentity/withdraw/apply', false, 404],
  ]);
  assert.equal(sb.account(withdrawer.accountId)?.balances.USDT?.free, '99974', 'amount plus the 1 USDT network fee');
});

test('an IP-restricted key works only from its addresses', async () => {
  const pinned = sb.createKey({ exchange: 'binance', ipRestrict: ['10.1.0.0/16'] });
  assert.equal((await call('GET', '/api/v3/account', ts(), { key: pinned, ip: '10.1.2.3' })).status, 200);
  assert.equal((await call('GET', '/api/v3/account', ts(), { key: pinned, ip: '127.0.0.1' })).body.code, -2015);
  assert.equal((await call('GET', '/sapi/v1/account/apiRestrictions', ts(), { key: pinned, ip: '10.1.9.9' })).body.ipRestrict, true);
});
