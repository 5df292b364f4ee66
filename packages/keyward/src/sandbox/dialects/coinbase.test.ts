// The /coinbase dialect through fastify inject(), with CDP JWTs built here by node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { createManualClock } from '../clock.js';
import { createSandbox } from '../sandbox.js';
import type { KeyMaterial } from '../keys.js';

const clock = createManualClock(1_700_000_000_000);
const sb = createSandbox({ seed: 'coinbase-test', clock });
const trader = sb.createKey({ exchange: 'coinbase' });
const viewer = sb.createKey({ exchange: 'coinbase', permissions: ['read'] });
const sender = sb.createKey({ exchange: 'coinbase', permissions: ['read', 'trade', 'withdraw'] });

function token(key: KeyMaterial, method: string, path: string, host = 'api.coinbase.com', now = Math.floor(clock.now() / 1000)): string {
  const h = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.apiKey, nonce: randomBytes(32).toString('hex'), typ: 'JWT' })).toString('base64url');
  const c = Buffer.from(JSON.stringify({ sub: key.apiKey, iss: 'cdp', nbf: now, exp: now + 120, uri: `${method} ${host}${path}` })).toString('base64url');
  const s = sign('sha256', Buffer.from(`${h}.${c}`), { key: createPrivateKey(key.secret), dsaEncoding: 'ieee-p1363' });
  return `${h}.${c}.${s.toString('base64url')}`;
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown, key: KeyMaterial = trader, query = '') {
  const res = await sb.app.inject({
    method, url: `/coinbase${path}${query}`,
    headers: { authorization: `Bearer ${token(key, method, path)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

test('a token must be for this method and path, and not expired', async () => {
  const path = '/api/v3/brokerage/accounts';
  const get = (auth: string) => sb.app.inject({ url: `/coinbase${path}`, headers: { authorization: auth } });
  assert.equal((await get(`Bearer ${token(trader, 'GET', path)}`)).statusCode, 200);
  assert.equal((await get(`Bearer ${token(trader, 'GET', path, 'localhost:80/coinbase')}`)).statusCode, 200, 'its own host and prefix');
  const wrongPath = await get(`Bearer ${token(trader, 'GET', '/api/v3/brokerage/orders/historical/batch')}`);
  assert.deepEqual([wrongPath.statusCode, wrongPath.json()], [401, { error: 'unauthorized', error_details: 'uri claim does not match the request', message: 'unauthorized' }]);
  assert.equal((await get(`Bearer ${token(trader, 'POST', path)}`)).statusCode, 401);
  assert.equal((await get(`Bearer ${token(trader, 'GET', path, 'api.coinbase.com', Math.floor(clock.now() / 1000) - 120)}`)).statusCode, 401);
  assert.equal((await get('')).statusCode, 401);
});

test('key_permissions mirrors the key; scopes are enforced with 403 PERMISSION_DENIED', async () => {
  assert.deepEqual(
    { ...(await call('GET', '/api/v3/brokerage/key_permissions', undefined, viewer)).body, portfolio_uuid: '' },
    { can_view: true, can_trade: false, can_transfer: false, portfolio_uuid: '', portfolio_type: 'DEFAULT' },
  );
  const order = { client_order_id: 'c-1', product_id: 'BTC-USDT', side: 'BUY', order_configuration: { limit_limit_gtc: { base_size: '0.01', limit_price: '50000', post_only: false } } };
  assert.deepEqual(await call('POST', '/api/v3/brokerage/orders', order, viewer), { status: 403, body: { error: 'PERMISSION_DENIED', error_details: 'Missing required scopes', message: 'Missing required scopes' } });
});

test('orders: create (idempotent by client_order_id), read, list open, cancel', async () => {
  const order = { client_order_id: 'c-2', product_id: 'BTC-USDT', side: 'BUY', order_configuration: { limit_limit_gtc: { base_size: '0.01', limit_price: '50000', post_only: false } } };
  const created = await call('POST', '/api/v3/brokerage/orders', order);
  assert.equal(created.body.success, true);
  const id = String((created.body.success_response as { order_id: string }).order_id);
  const repeat = (await call('POST', '/api/v3/brokerage/orders', order)).body.success_response as { order_id: string };
  assert.equal(repeat.order_id, id);
  assert.equal(((await call('GET', `/api/v3/brokerage/orders/historical/${id}`)).body.order as { status: string }).status, 'OPEN');
  const open = await call('GET', '/api/v3/brokerage/orders/historical/batch', undefined, trader, '?order_status=OPEN');
  assert.deepEqual((open.body.orders as { order_id: string }[]).map((o) => o.order_id), [id]);
  const cancel = await call('POST', '/api/v3/brokerage/orders/batch_cancel', { order_ids: [id] });
  assert.deepEqual(cancel.body, { results: [{ success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id }] });
  const poor = await call('POST', '/api/v3/brokerage/orders', { ...order, client_order_id: 'c-3', order_configuration: { limit_limit_gtc: { base_size: '100', limit_price: '50000' } } });
  assert.equal(poor.status, 200);
  assert.equal(poor.body.success, false);
  assert.equal((poor.body.error_response as { preview_failure_reason: string }).preview_failure_reason, 'PREVIEW_INSUFFICIENT_FUND');
});

test('a v2 send is a withdrawal: refused without the transfer scope, recorded with it', async () => {
  const accounts = (await call('GET', '/api/v3/brokerage/accounts', undefined, sender)).body.accounts as { uuid: string; currency: string }[];
  const usdt = accounts.find((a) => a.currency === 'USDT')?.uuid ?? '';
  const send = { type: 'send', to: '0xabc', amount: '15', currency: 'USDT' };
  const tradersUsdt = ((await call('GET', '/api/v3/brokerage/accounts')).body.accounts as { uuid: string; currency: string }[]).find((a) => a.currency === 'USDT')?.uuid ?? '';
  const refused = await call('POST', `/v2/accounts/${tradersUsdt}/transactions`, send);
  assert.deepEqual(refused, { status: 403, body: { errors: [{ id: 'invalid_scope', message: 'Missing required scopes' }] } });
  const ok = await call('POST', `/v2/accounts/${usdt}/transactions`, send, sender);
  assert.equal(ok.status, 201);
  assert.deepEqual(sb.withdrawals().map((w) => [w.exchange, w.asset, w.amount, w.address]), [['coinbase', 'USDT', '15', '0xabc']]);
  assert.deepEqual(sb.withdrawalAttempts().map((a) => [a.accepted, a.apiKey === sender.apiKey]), [[false, false], [true, true]]);
});
