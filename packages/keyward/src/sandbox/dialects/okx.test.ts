// The /okx dialect through fastify inject(): 401 for authentication faults, 200 + code for the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createManualClock } from '../clock.js';
import { createSandbox } from '../sandbox.js';
import type { KeyMaterial } from '../keys.js';

const T0 = 1_700_000_000_000;
const clock = createManualClock(T0);
const sb = createSandbox({ seed: 'okx-test', clock });
const trader = sb.createKey({ exchange: 'okx', passphrase: 'Kw-pass-1' });
const withdrawer = sb.createKey({ exchange: 'okx', permissions: ['read', 'trade', 'withdraw'] });

interface Opts { key?: KeyMaterial; at?: number; secret?: string; passphrase?: string; omit?: string }

async function call(method: 'GET' | 'POST', pathAndQuery: string, body: unknown, opts: Opts = {}) {
  const key = opts.key ?? trader;
  const ts = new Date(opts.at ?? clock.now()).toISOString();
  const text = body === undefined ? '' : JSON.stringify(body);
  const sign = createHmac('sha256', opts.secret ?? key.secret).update(ts + method + pathAndQuery + text).digest('base64');
  const headers = Object.fromEntries(Object.entries({
    'OK-ACCESS-KEY': key.apiKey, 'OK-ACCESS-PASSPHRASE': opts.passphrase ?? key.passphrase ?? '',
    'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-SIGN': sign, 'content-type': 'application/json',
  }).filter(([name]) => name !== opts.omit));
  const res = await sb.app.inject({ method, url: `/okx${pathAndQuery}`, headers, ...(text === '' ? {} : { payload: text }) });
  return { status: res.statusCode, body: res.json<{ code: string; msg: string; data: Record<string, unknown>[] }>() };
}

test('the passphrase is the one chosen at creation', () => {
  assert.equal(trader.passphrase, 'Kw-pass-1');
  assert.ok((withdrawer.passphrase ?? '').length > 8);
});

test('the 30 second window holds in both directions, to the millisecond', async () => {
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { at: T0 - 30_000 })).body.code, '0');
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { at: T0 + 30_000 })).body.code, '0');
  assert.deepEqual(await call('GET', '/api/v5/account/balance', undefined, { at: T0 - 30_001 }), { status: 401, body: { code: '50102', msg: 'Timestamp request expired', data: [] } });
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { at: T0 + 30_001 })).body.code, '50102');
});

test('authentication faults carry OKX codes with HTTP 401', async () => {
  assert.deepEqual(await call('GET', '/api/v5/account/balance', undefined, { secret: 'WRONG' }), { status: 401, body: { code: '50113', msg: 'Invalid Sign', data: [] } });
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { passphrase: 'other' })).body.code, '50105');
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { key: { ...trader, apiKey: 'nope' } })).body.code, '50111');
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { omit: 'OK-ACCESS-SIGN' })).body.code, '50106');
  assert.equal((await call('GET', '/api/v5/account/balance', undefined, { omit: 'OK-ACCESS-TIMESTAMP' })).body.code, '50107');
  // Signed without the query string that was then sent: requestPath includes the query.
  const ts = new Date(T0).toISOString();
  const sign = createHmac('sha256', trader.secret).update(`${ts}GET/api/v5/account/balance`).digest('base64');
  const res = await sb.app.inject({ url: '/okx/api/v5/account/balance?ccy=BTC', headers: { 'OK-ACCESS-KEY': trader.apiKey, 'OK-ACCESS-PASSPHRASE': 'Kw-pass-1', 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-SIGN': sign } });
  assert.equal(res.json<{ code: string }>().code, '50113');
});

test('orders through batch-orders and order, query, pending, cancel', async () => {
  const placed = await call('POST', '/api/v5/trade/batch-orders', [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '50000', sz: '0.01', clOrdId: 'kw1' }]);
  assert.equal(placed.body.code, '0');
  const ordId = String(placed.body.data[0]?.ordId);
  const q = await call('GET', `/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`, undefined);
  assert.equal(q.body.data[0]?.state, 'live');
  assert.equal((await call('GET', '/api/v5/trade/orders-pending?instType=SPOT', undefined)).body.data.length, 1);
  assert.equal((await call('POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId })).body.data[0]?.sCode, '0');
  const again = await call('POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId });
  assert.deepEqual([again.status, again.body.code, again.body.data[0]?.sCode], [200, '1', '51400']);
  const poor = await call('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '50000', sz: '100' });
  assert.deepEqual([poor.body.code, poor.body.data[0]?.sCode], ['1', '51008']);
  const market = await call('POST', '/api/v5/trade/order', { instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100' });
  const filled = await call('GET', `/api/v5/trade/order?instId=ETH-USDT&ordId=${String(market.body.data[0]?.ordId)}`, undefined);
  assert.equal(filled.body.data[0]?.state, 'filled');
  assert.equal(filled.body.data[0]?.tgtCcy, 'quote_ccy', 'spot market buys are sized in quote by default');
  assert.deepEqual((await call('GET', '/api/v5/trade/order?instId=BTC-USDT&ordId=1', undefined)).body, { code: '51603', msg: 'Order does not exist', data: [] });
});

test('account/config reports perm; withdrawals need the withdraw permission', async () => {
  assert.equal((await call('GET', '/api/v5/account/config', undefined)).body.data[0]?.perm, 'read_only,trade');
  assert.equal((await call('GET', '/api/v5/account/config', undefined, { key: withdrawer })).body.data[0]?.perm, 'read_only,trade,withdraw');
  const w = { ccy: 'USDT', amt: '30', dest: '4', toAddr: 'TXabc', fee: '1', chain: 'USDT-TRC20' };
  const refused = await call('POST', '/api/v5/asset/withdrawal', w);
  assert.deepEqual([refused.status, refused.body.code], [401, '50120']);
  const ok = await call('POST', '/api/v5/asset/withdrawal', w, { key: withdrawer });
  assert.equal(ok.body.code, '0');
  assert.deepEqual(sb.withdrawals().map((x) => [x.exchange, x.amount, x.address, x.network]), [['okx', '30', 'TXabc', 'USDT-TRC20']]);
  assert.deepEqual(sb.withdrawalAttempts().map((x) => x.accepted), [false, true]);
});
