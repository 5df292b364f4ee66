import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { poloniex, poloniexStringToSign } from './poloniex.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const T = 1_700_000_000_123;

interface StringToSignExample { name: string; method: string; url: string; body: string; signTimestamp: string; expected: string }
const file = JSON.parse(readFileSync(new URL('./testdata/official-vectors/poloniex.json', import.meta.url), 'utf8')) as { notUsable: string[]; stringToSign: StringToSignExample[] };

const c = (method: string, url: string, body = '', headers: Record<string, string> = body === '' ? {} : JSON_CT): ReturnType<typeof poloniex.classify> =>
  poloniex.classify(requestFromUrl(method, url, Buffer.from(body), headers));

test('poloniex: no documented signature reproduces, and the file says why', () => {
  for (const v of officialVectors('poloniex')) assert.ok(signedText(signVector(poloniex, v)).includes(v.expectedSignature), v.name);
  assert.equal(officialVectors('poloniex').length, 0);
  assert.match(file.notUsable.join(' '), /placeholder/);
});

test('poloniex: the documented strings to sign come out of the canonicalisation', () => {
  assert.ok(file.stringToSign.length >= 4);
  for (const ex of file.stringToSign) {
    const req = requestFromUrl(ex.method, ex.url, Buffer.from(ex.body), ex.body === '' ? {} : JSON_CT);
    assert.equal(poloniexStringToSign(req, ex.signTimestamp).toString('utf8'), ex.expected, ex.name);
  }
});

test('poloniex: the research note\'s ccxt vector reproduces (GET /orders, sorted parameters)', () => {
  const key = handleFor(poloniex, { apiKey: 'KWFAKE-POLONIEX-KEY', secret: 'kwFakePoloniexSecret' });
  const out = poloniex.sign(requestFromUrl('GET', '/orders?symbol=BTC_USDT&limit=5', Buffer.alloc(0), JSON_CT), key, { nowMs: T, nonce: 0n });
  assert.equal(out.headers.signature, 'n5LDHJy51rJWpR9nI5wqPMx1x/7zeAHqJ+vbcVb182A=');
  assert.equal(out.query, 'symbol=BTC_USDT&limit=5', 'the wire keeps the client\'s order; only the signed string is sorted');
  key.release();
});

test('poloniex: ccxt and the adapter sign reads, an order and cancels identically', () => {
  const calls = [
    { path: 'accounts/balances', api: 'private', method: 'GET', params: {} },
    { path: 'orders', api: 'private', method: 'GET', params: { symbol: 'BTC_USDT', limit: 5, direction: 'PRE' } },
    { path: 'orders', api: 'private', method: 'POST', params: { symbol: 'BTC_USDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '20000', clientOrderId: 'kw-1' } },
    { path: 'orders/{id}', api: 'private', method: 'DELETE', params: { id: '123456' } },
    { path: 'orders/cancelByIds', api: 'private', method: 'DELETE', params: { orderIds: ['1', '2'] } },
    { path: 'orders/killSwitch', api: 'private', method: 'POST', params: { timeout: '60' } },
  ];
  const ex = ccxtExchange('poloniex', { apiKey: 'kwFakePoloniexKey', secret: 'kwFakePoloniexSecret0123' }, T);
  const key = handleFor(poloniex, { apiKey: 'kwFakePoloniexKey', secret: 'kwFakePoloniexSecret0123' });
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    const ours = poloniex.sign(theirs.request, key, { nowMs: T, nonce: 0n });
    const what = `${call.method} ${call.path}`;
    assert.equal(ours.query, theirs.request.query, `${what} query`);
    assert.equal(ours.body.toString(), theirs.request.body.toString(), `${what} body`);
    for (const h of ['key', 'signtimestamp', 'signature']) assert.equal(ours.headers[h], theirs.headers[h], `${what} ${h}`);
  }
  key.release();
});

test('poloniex: the client\'s key, timestamp and signature are replaced; GET parameters are signed sorted', () => {
  const key = handleFor(poloniex, { apiKey: 'REAL', secret: 's3cret' });
  const req = requestFromUrl('GET', '/orders?symbol=BTC_USDT&signTimestamp=1&limit=5', Buffer.alloc(0), {
    key: 'kw_token', signTimestamp: '1', signature: 'forged', signatureMethod: 'hmacSHA512', recvWindow: '2000',
  });
  const out = poloniex.sign(req, key, { nowMs: 42, nonce: 0n });
  const expected = createHmac('sha256', 's3cret').update('GET\n/orders\nlimit=5&signTimestamp=42&symbol=BTC_USDT').digest('base64');
  assert.deepEqual(out.headers, { key: 'REAL', signtimestamp: '42', signature: expected, recvwindow: '2000' });
  assert.equal(out.query, 'symbol=BTC_USDT&limit=5');
  // A body is signed as the exact bytes sent, key order and spacing included.
  const body = '{ "symbol":"BTC_USDT", "side":"SELL","type":"MARKET","quantity":"1" }';
  const post = poloniex.sign(requestFromUrl('POST', '/orders', Buffer.from(body), JSON_CT), key, { nowMs: 42, nonce: 0n });
  assert.equal(post.headers.signature, createHmac('sha256', 's3cret').update(`POST\n/orders\nrequestBody=${body}&signTimestamp=42`).digest('base64'));
  assert.equal(post.body.toString(), body);
  // What the SDKs would sign two ways is not signed at all.
  assert.throws(() => poloniex.sign(requestFromUrl('GET', '/orders?symbol=BTC%20USDT', Buffer.alloc(0)), key, { nowMs: 42, nonce: 0n }), TypeError);
  assert.throws(() => poloniex.sign(requestFromUrl('DELETE', '/orders?symbol=BTC_USDT', Buffer.from('{}'), JSON_CT), key, { nowMs: 42, nonce: 0n }), TypeError);
  key.release();
});

test('poloniex: orders with their details, cancels and reads', () => {
  const limit = c('POST', '/orders', '{"symbol":"BTC_USDT","side":"BUY","type":"LIMIT","quantity":"0.5","price":"20000","timeInForce":"GTC"}');
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'BTC_USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  const marketBuy = c('POST', '/orders', '{"symbol":"ETH_USDT","side":"BUY","type":"MARKET","amount":"100","price":"1"}');
  assert.deepEqual(marketBuy.order, { symbol: 'ETH_USDT', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  const noType = c('POST', '/orders', '{"symbol":"BTC_USDT","side":"SELL","quantity":"1","price":"99999"}');
  assert.equal(noType.order?.type, 'market', 'Poloniex executes an order without a type at market');
  assert.equal(noType.order?.price, null);
  assert.equal(c('POST', '/orders', '{"symbol":"BTC_USDT","side":"BUY","type":"LIMIT_MAKER","quantity":"1","price":"2"}').order?.type, 'limit_maker');

  for (const [method, url, body] of [['DELETE', '/orders/123', ''], ['DELETE', '/orders/cancelByIds', '{"orderIds":["1"],"clientOrderIds":["a"]}'],
    ['DELETE', '/orders', '{"symbols":["BTC_USDT"]}'], ['POST', '/orders/killSwitch', '{"timeout":"60"}'], ['DELETE', '/smartorders/9', '']] as const) {
    assert.equal(c(method, url, body).action, 'cancel', `${method} ${url}`);
  }
  for (const url of ['/accounts/balances', '/accounts', '/orders?symbol=BTC_USDT', '/orders/123', '/orders/history?limit=10', '/trades', '/feeinfo', '/wallets/activity?start=1&end=2']) {
    const r = c('GET', url);
    assert.equal(r.action, 'read', url);
    assert.equal(r.isPublic, false, url);
  }
  assert.equal(c('GET', '/orders?symbol=BTC_USDT').symbol, 'BTC_USDT');
  const book = c('GET', '/markets/BTC_USDT/orderBook?limit=5');
  assert.equal(book.isPublic, true);
  assert.equal(book.symbol, 'BTC_USDT');
});

test('poloniex: every withdrawal and transfer is classified as one, whatever the method or case', () => {
  const paths = ['/wallets/withdraw', '/v2/wallets/withdraw', '/accounts/transfer', '/subaccounts/transfer', '/accounts/transfer/5',
    '/subaccounts/transfer/5', '/v3/wallets/withdraw', '/WALLETS/WITHDRAW', '/Accounts/Transfer', '/wallets/withdraw/'];
  // Every withdraw/transfer path in ccxt's map, every method it lists.
  const api = (ccxtExchange('poloniex', {}, 0) as unknown as { api: Record<string, Record<string, Record<string, unknown>>> }).api;
  const fromCcxt = Object.values(api).flatMap((methods) => Object.values(methods).flatMap((m) => Object.keys(m))).filter((p) => /withdraw|transfer/i.test(p));
  assert.ok(fromCcxt.length >= 6, fromCcxt.join(' '));
  for (const path of [...paths, ...fromCcxt.map((p) => `/${p.replace('{id}', '7')}`)]) {
    for (const method of ['POST', 'GET', 'PUT', 'DELETE']) {
      const r = c(method, path, method === 'GET' ? '' : '{"currency":"USDT","amount":"1","address":"x"}');
      const expected = /withdraw/i.test(path) ? 'withdraw' : 'transfer';
      assert.equal(r.action, expected, `${method} ${path}`);
    }
  }
});

test('poloniex: what is not in the table, or could be read two ways, is unknown with a reason', () => {
  const cases: [string, string, string, Record<string, string>?][] = [
    ['POST', '/order', '{"symbol":"BTC_USDT","side":"BUY","type":"MARKET","amount":"1"}'],
    ['POST', '/Orders', '{"symbol":"BTC_USDT","side":"BUY","type":"MARKET","amount":"1"}'],
    ['POST', '/orders/batch', '[{"symbol":"BTC_USDT","side":"BUY","type":"MARKET","amount":"1"}]'],
    ['PUT', '/orders/123', '{"price":"1","quantity":"1"}'],
    ['POST', '/wallets/address', '{"currency":"BTC"}'],
    ['POST', '/orders', '{"symbol":"BTC_USDT","symbol":"SHIB_USDT","side":"BUY","type":"MARKET","amount":"1"}'],
    ['POST', '/orders', '{"symbol":"BTC_USDT","side":"SELL","type":"MARKET","quantity":"1000","amount":"1"}'],
    ['POST', '/orders', 'symbol=BTC_USDT&side=BUY&type=MARKET&amount=1', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['POST', '/orders?symbol=SHIB_USDT', '{"symbol":"BTC_USDT","side":"BUY","type":"MARKET","amount":"1"}'],
    ['GET', '/orders?symbol=BTC_USDT&symbol=ETH_USDT', ''],
    ['GET', '/orders?symbol=BTC%20USDT', ''],
    ['GET', '/orders?symbol=BTC%ZZ', ''],
    ['GET', '/orders?symbol', ''],
    ['GET', '/accounts/balances', '{"a":1}'],
    ['POST', '/orders', '{"symbol":"BTC_USDT","side":"BUY","type":"LIMIT","quantity":"1e3","price":"1"}'],
  ];
  for (const [method, url, body, headers] of cases) {
    const r = c(method, url, body, headers);
    assert.equal(r.action, 'unknown', `${method} ${url} ${body}`);
    assert.ok(r.reason !== null && r.reason.length > 0, `${method} ${url} has a reason`);
  }
});

test('poloniex: no permission endpoint; errors in Poloniex\'s own format raise ccxt\'s usual classes', () => {
  assert.equal(poloniex.permissions, null);
  const e = poloniex.renderError({ kind: 'forbidden', code: 'KW_POLICY_ACTION_DENIED', message: 'withdrawals are never signed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { code: 403, message: 'Keyward KW_POLICY_ACTION_DENIED: withdrawals are never signed' });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = poloniex.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('poloniex', rendered, 'https://api.poloniex.com/orders', 'POST'), cls, kind);
    assert.match(rendered.body, /Keyward KW_TEST: refused/);
  }
});
