import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText, type CcxtCall } from '../testing/index.js';
import { gate } from './gate.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const T = 1_700_000_000_123;
const EMPTY_SHA512 = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

const c = (method: string, url: string, body = '', headers: Record<string, string> = body === '' ? {} : JSON_CT): ReturnType<typeof gate.classify> =>
  gate.classify(requestFromUrl(method, url, Buffer.from(body), headers));

test('gate: no official worked example exists; the empty-body hash is the one fixed value', () => {
  for (const v of officialVectors('gate')) assert.ok(signedText(signVector(gate, v)).includes(v.expectedSignature), v.name);
  const file = JSON.parse(readFileSync(new URL('./testdata/official-vectors/gate.json', import.meta.url), 'utf8')) as { vectors: unknown[]; notUsable: string[] };
  assert.equal(file.vectors.length, 0);
  assert.match(file.notUsable.join(' '), /empty key and secret/);
  assert.equal(createHash('sha512').update('').digest('hex'), EMPTY_SHA512);
  // The recipe, computed independently: an empty body is hashed, not left out.
  const key = handleFor(gate, { apiKey: 'K', secret: 'S' });
  const out = gate.sign(requestFromUrl('GET', '/api/v4/spot/open_orders', Buffer.alloc(0)), key, { nowMs: 1_700_000_000_999, nonce: 0n });
  assert.equal(out.headers.timestamp, '1700000000', 'seconds, rounded down');
  assert.equal(out.headers.sign, createHmac('sha512', 'S').update(`GET\n/api/v4/spot/open_orders\n\n${EMPTY_SHA512}\n1700000000`).digest('hex'));
  key.release();
});

test('gate: the research note\'s ccxt vector reproduces (GET /api/v4/spot/accounts?currency=BTC)', () => {
  const key = handleFor(gate, { apiKey: 'kwfakegatekey', secret: 'kwfakegatesecret' });
  const out = gate.sign(requestFromUrl('GET', '/api/v4/spot/accounts?currency=BTC', Buffer.alloc(0), JSON_CT), key, { nowMs: T, nonce: 0n });
  assert.equal(out.headers.sign, '790e87766f017d107e442cab7ab294e229a5f602c5ec56b9d3f0d37d82479f08bd3d5848d23846819d3c882d4544035a4553d7336b509a66699f5f83187bbf0e');
  key.release();
});

test('gate: ccxt and the adapter sign reads, an order and cancels identically', () => {
  const calls: CcxtCall[] = [
    { path: 'accounts', api: ['private', 'spot'], method: 'GET', params: { currency: 'BTC' } },
    { path: 'detail', api: ['private', 'account'], method: 'GET', params: {} },
    // ccxt signs the query unencoded (rawencode) and sends it encoded: the adapter must decode.
    { path: 'my_trades', api: ['private', 'spot'], method: 'GET', params: { currency_pair: 'BTC_USDT', order_id: 't-kw 1:2', limit: 10 } },
    { path: 'orders', api: ['private', 'spot'], method: 'POST', params: { currency_pair: 'BTC_USDT', side: 'buy', type: 'limit', amount: '0.01', price: '20000', text: 't-kw1' } },
    { path: 'orders/{order_id}', api: ['private', 'spot'], method: 'DELETE', params: { order_id: '12345', currency_pair: 'BTC_USDT' } },
    { path: 'orders', api: ['private', 'spot'], method: 'DELETE', params: { currency_pair: 'BTC_USDT', side: 'sell' } },
    { path: 'countdown_cancel_all', api: ['private', 'spot'], method: 'POST', params: { timeout: 30, currency_pair: 'BTC_USDT' } },
  ];
  const ex = ccxtExchange('gate', { apiKey: 'kwFakeGateKey', secret: 'kwFakeGateSecret0123' }, T);
  const key = handleFor(gate, { apiKey: 'kwFakeGateKey', secret: 'kwFakeGateSecret0123' });
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    const ours = gate.sign(theirs.request, key, { nowMs: T, nonce: 0n });
    const what = `${call.method} ${call.path}`;
    assert.equal(ours.path, theirs.request.path, `${what} path`);
    assert.equal(ours.query, theirs.request.query, `${what} query`);
    assert.equal(ours.body.toString(), theirs.request.body.toString(), `${what} body`);
    for (const h of ['key', 'timestamp', 'sign']) assert.equal(ours.headers[h], theirs.headers[h], `${what} ${h}`);
    assert.notEqual(c(theirs.request.method, `${theirs.request.path}?${theirs.request.query}`, theirs.request.body.toString()).action, 'unknown', `${what} is classified`);
  }
  key.release();
});

test('gate: the client\'s KEY, Timestamp and SIGN are replaced', () => {
  const key = handleFor(gate, { apiKey: 'REAL', secret: 's3cret' });
  const body = '{"currency_pair":"BTC_USDT","side":"buy","amount":"1","price":"2"}';
  const req = requestFromUrl('POST', '/api/v4/spot/orders', Buffer.from(body), { KEY: 'kw_token', Timestamp: '1700000000.123', SIGN: 'forged', 'Content-Type': 'application/json' });
  const out = gate.sign(req, key, { nowMs: 42_999, nonce: 0n });
  const hash = createHash('sha512').update(body).digest('hex');
  const expected = createHmac('sha512', 's3cret').update(`POST\n/api/v4/spot/orders\n\n${hash}\n42`).digest('hex');
  assert.deepEqual(out.headers, { 'content-type': 'application/json', key: 'REAL', timestamp: '42', sign: expected });
  assert.equal(out.body.toString(), body);
  assert.throws(() => gate.sign(requestFromUrl('GET', '/api/v4/spot/orders?currency_pair=BTC%ZZ', Buffer.alloc(0)), key, { nowMs: 1, nonce: 0n }));
  key.release();
});

test('gate: orders with their details; a market buy is sized in quote', () => {
  const limit = c('POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","side":"buy","type":"limit","amount":"0.5","price":"20000","time_in_force":"gtc"}');
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'BTC_USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  assert.deepEqual(c('POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","side":"buy","type":"market","amount":"100","time_in_force":"ioc"}').order,
    { symbol: 'BTC_USDT', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  assert.deepEqual(c('POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","side":"sell","type":"market","amount":"2","price":"1"}').order,
    { symbol: 'BTC_USDT', side: 'sell', type: 'market', quantity: '2', price: null, quoteQuantity: null, notional: null });
  const noType = c('POST', '/api/v4/spot/orders', '{"currency_pair":"ETH_USDT","side":"sell","amount":"1","price":"3000"}');
  assert.equal(noType.order?.type, 'limit', 'Gate reads an order without a type as a limit order');
  assert.equal(noType.order?.notional, 3000);
});

test('gate: cancels and reads', () => {
  const one = c('DELETE', '/api/v4/spot/orders/12345?currency_pair=BTC_USDT');
  assert.equal(one.action, 'cancel');
  assert.equal(one.symbol, 'BTC_USDT');
  assert.equal(c('DELETE', '/api/v4/spot/orders?currency_pair=BTC_USDT&side=buy').action, 'cancel');
  assert.equal(c('POST', '/api/v4/spot/cancel_batch_orders', '[{"currency_pair":"BTC_USDT","id":"1"},{"currency_pair":"ETH_USDT","id":"2"}]').action, 'cancel');
  assert.equal(c('POST', '/api/v4/spot/countdown_cancel_all', '{"timeout":30}').action, 'cancel');
  for (const url of ['/api/v4/spot/accounts', '/api/v4/spot/open_orders', '/api/v4/spot/orders?currency_pair=BTC_USDT&status=open', '/api/v4/spot/orders/1?currency_pair=BTC_USDT',
    '/api/v4/spot/my_trades?currency_pair=BTC_USDT', '/api/v4/account/detail', '/api/v4/wallet/total_balance', '/api/v4/unified/accounts']) {
    const r = c('GET', url);
    assert.equal(r.action, 'read', url);
    assert.equal(r.isPublic, false, url);
  }
  const book = c('GET', '/api/v4/spot/order_book?currency_pair=BTC_USDT&limit=10');
  assert.equal(book.isPublic, true);
  assert.equal(book.symbol, 'BTC_USDT');
});

test('gate: every withdrawal and transfer (push to another user included) is classified as one, whatever the method or case', () => {
  const api = (ccxtExchange('gate', {}, 0) as unknown as { api: { private: Record<string, Record<string, Record<string, unknown>>> } }).api.private;
  // ccxt's map, in wire paths: withdrawals/ and sub_accounts/ are mounted at /api/v4, the rest under their type.
  const fromCcxt = Object.entries(api).flatMap(([type, methods]) => Object.entries(methods).flatMap(([method, paths]) => Object.keys(paths).map((p) => ({
    method: method.toUpperCase(),
    path: `/api/v4${type === 'withdrawals' || type === 'subAccounts' ? '' : `/${type}`}/${p.replace(/\{[a-z_]+\}/g, '1')}`,
  })))).filter((e) => /withdraw|transfer|push|sub_account/i.test(e.path));
  assert.ok(fromCcxt.length >= 20, String(fromCcxt.length));
  const listed = [
    { method: 'POST', path: '/api/v4/withdrawals', expect: 'withdraw' },
    { method: 'DELETE', path: '/api/v4/withdrawals/123', expect: 'withdraw' },
    { method: 'POST', path: '/api/v4/withdrawals/push', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/push', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/Withdrawals/Push', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/withdrawals/push/', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/WITHDRAWALS', expect: 'withdraw' },
    { method: 'POST', path: '/api/v4/wallet/transfers', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/wallet/sub_account_transfers', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/wallet/sub_account_to_sub_account', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/sub_accounts/1/keys', expect: 'transfer' },
    { method: 'POST', path: '/api/v4/margin/transfer', expect: 'transfer' },
  ];
  for (const e of [...listed, ...fromCcxt.map((x) => ({ ...x, expect: /push/i.test(x.path) ? 'transfer' : /withdraw/i.test(x.path) ? 'withdraw' : 'transfer' }))]) {
    const r = c(e.method, e.path, e.method === 'GET' || e.method === 'DELETE' ? '' : '{"currency":"USDT","amount":"1","receive_uid":1}');
    assert.equal(r.action, e.expect, `${e.method} ${e.path}`);
  }
});

test('gate: what is not in the table, or could be read two ways, is unknown with a reason', () => {
  const order = '{"currency_pair":"BTC_USDT","side":"buy","type":"limit","amount":"1","price":"1"}';
  const cases: [string, string, string, Record<string, string>?][] = [
    ['POST', '/api/v4/spot/order', order],
    ['POST', '/api/v4/spot/Orders', order],
    ['POST', '/api/v4/SPOT/orders', order],
    ['POST', '/api/v4/spot/batch_orders', `[${order}]`],
    ['PATCH', '/api/v4/spot/orders/1?currency_pair=BTC_USDT', '{"price":"99999"}'],
    ['POST', '/api/v4/spot/price_orders', '{"market":"BTC_USDT","trigger":{"price":"1","rule":">=","expiration":60},"put":{"type":"limit","side":"buy","price":"1","amount":"1"}}'],
    ['POST', '/api/v4/wallet/small_balance', '{"currency":["FLOKI"]}'],
    ['POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","currency_pair":"SHIB_USDT","side":"buy","type":"limit","amount":"1","price":"1"}'],
    ['POST', '/api/v4/spot/orders?currency_pair=SHIB_USDT', order],
    ['POST', '/api/v4/spot/orders', order, { 'content-type': 'text/plain' }],
    ['POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","side":"buy","type":"iceberg","amount":"1","price":"1"}'],
    ['POST', '/api/v4/spot/orders', '{"currency_pair":"BTC_USDT","side":"long","type":"limit","amount":"1","price":"1"}'],
    ['POST', '/api/v4/spot/cancel_batch_orders', '{"currency_pair":"BTC_USDT"}'],
    ['GET', '/api/v4/spot/orders?currency_pair=BTC_USDT&currency_pair=ETH_USDT', ''],
    ['GET', '/api/v4/spot/orders?currency_pair=BTC%ZZ', ''],
    ['GET', '/api/v4/spot/orders?currency_pair', ''],
    ['GET', '/api/v4/spot/accounts', '{"currency":"BTC"}'],
  ];
  for (const [method, url, body, headers] of cases) {
    const r = c(method, url, body, headers);
    assert.equal(r.action, 'unknown', `${method} ${url} ${body}`);
    assert.ok(r.reason !== null && r.reason.length > 0, `${method} ${url} has a reason`);
  }
});

test('gate: permissions from /account/detail (IP allowlist only), refusals thrown', () => {
  const check = gate.permissions;
  assert.deepEqual(check.request(), { method: 'GET', path: '/api/v4/account/detail', query: '', headers: {}, body: Buffer.alloc(0) });
  const body = { user_id: 10406147, ip_whitelist: ['203.0.113.7', '198.51.100.0/24'], currency_pairs: ['BTC_USDT'], key: { mode: 1 }, tier: 0 };
  const p = check.parse(200, Buffer.from(JSON.stringify(body)));
  assert.deepEqual({ ...p, native: [] }, { read: null, trade: null, withdraw: null, transfer: null, ipRestricted: true, ipAllowlist: ['203.0.113.7', '198.51.100.0/24'], native: [] });
  assert.ok(p.native.some((n) => n.includes('classic account')));
  assert.ok(p.native.some((n) => n === 'currency_pairs: BTC_USDT'));
  const open = check.parse(200, Buffer.from(JSON.stringify({ ...body, ip_whitelist: [], currency_pairs: [], key: { mode: 2 } })));
  assert.equal(open.ipRestricted, false);
  assert.ok(open.native.some((n) => n.includes('unified account')));
  assert.equal(check.parse(200, Buffer.from('{"user_id":1}')).ipRestricted, null, 'no allowlist field: unknown');
  assert.throws(() => check.parse(401, Buffer.from('{"label":"INVALID_KEY","message":"Invalid key provided"}')), /Gate answered 401/);
  assert.throws(() => check.parse(200, Buffer.from('{"label":"FORBIDDEN","message":"no"}')), /Gate answered 200/);
  assert.throws(() => check.parse(200, Buffer.from('<html>')), /Gate answered 200/);
});

test('gate: errors in Gate\'s own format raise ccxt\'s usual classes', () => {
  const e = gate.renderError({ kind: 'forbidden', code: 'KW_POLICY_SYMBOL_DENIED', message: 'symbol "SHIB_USDT" is not allowed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { label: 'FORBIDDEN', message: 'Keyward KW_POLICY_SYMBOL_DENIED: symbol "SHIB_USDT" is not allowed' });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = gate.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('gate', rendered, 'https://api.gateio.ws/api/v4/spot/orders', 'POST'), cls, kind);
    assert.match(rendered.body, /Keyward KW_TEST: refused/);
  }
});
