import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { KUCOIN_KEY_VERSION, kucoin } from './kucoin.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const NOW = 1_700_000_000_123;
const CREDS = { apiKey: 'kwfakekucoinkey', secret: 'kw-fake-kucoin-secret', passphrase: 'kwpassphrase' };
const PARTNER_HEADERS = ['kc-api-partner', 'kc-api-partner-sign', 'kc-api-partner-verify', 'kc-broker-name'];

const c = (method: string, url: string, body: unknown = undefined, headers: Record<string, string> = JSON_CT): ReturnType<typeof kucoin.classify> =>
  kucoin.classify(requestFromUrl(method, url, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)), body === undefined ? {} : headers));
const b64hmac = (secret: string, text: string): string => createHmac('sha256', secret).update(text, 'utf8').digest('base64');

test('kucoin: the official SDK\'s HMAC test value reproduces (as the signed passphrase)', () => {
  const vectors = officialVectors('kucoin');
  assert.ok(vectors.length >= 1);
  for (const v of vectors) {
    const signed = signVector(kucoin, v);
    assert.ok(signedText(signed).includes(v.expectedSignature), `${v.name}: ${signedText(signed)}`);
    assert.equal(signed.headers['kc-api-passphrase'], v.expectedSignature);
  }
});

test('kucoin: the query is signed %-decoded, as the docs\' example says; the body as sent', () => {
  const key = handleFor(kucoin, CREDS);
  // docs-new/authentication: ...passphrase=abc%21%40%2311 is signed as ...passphrase=abc!@#11.
  const url = '/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311';
  const out = kucoin.sign(requestFromUrl('GET', url, Buffer.alloc(0)), key, { nowMs: NOW, nonce: 0n });
  assert.equal(out.query, 'apiKey=67b3&subName=test&passphrase=abc%21%40%2311', 'sent encoded');
  assert.equal(out.headers['kc-api-sign'], b64hmac(CREDS.secret, `${String(NOW)}GET/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11`));
  assert.throws(() => kucoin.sign(requestFromUrl('GET', '/api/v1/accounts?currency=%E4', Buffer.alloc(0)), key, { nowMs: NOW, nonce: 0n }), /malformed/);
  key.release();
});

test('kucoin: the ccxt vector of research/exchanges.md §4 reproduces', () => {
  const key = handleFor(kucoin, CREDS);
  const body = '{"clientOid":"3f2b8c1e-6a4d-4e5f-9b7a-1c2d3e4f5a6b","side":"buy","symbol":"BTC-USDT","type":"limit","price":"20000","size":"0.01"}';
  const out = kucoin.sign(requestFromUrl('POST', 'https://api.kucoin.com/api/v1/orders', Buffer.from(body), JSON_CT), key, { nowMs: NOW, nonce: 0n });
  assert.equal(out.headers['kc-api-sign'], '5mkCZ6X7KRhKb5lhvkFXSP6V/dFSBRN83IHxQimoa5A=');
  assert.equal(out.headers['kc-api-passphrase'], '48BowgQqXeh8pw9JJay/kGu+ai+WTEn+JUTYCCTGpUI=');
  assert.equal(out.headers['kc-api-timestamp'], '1700000000123');
  key.release();
});

test('kucoin: ccxt and the adapter sign reads, orders and cancels identically; ccxt\'s partner headers are stripped', () => {
  const ex = ccxtExchange('kucoin', { apiKey: CREDS.apiKey, secret: CREDS.secret, password: CREDS.passphrase }, NOW);
  const key = handleFor(kucoin, CREDS);
  const calls = [
    { call: { path: 'accounts', api: 'private', method: 'GET', params: { currency: 'USDT', type: 'trade' } }, action: 'read' },
    { call: { path: 'user/api-key', api: 'private', method: 'GET', params: {} }, action: 'read' },
    { call: { path: 'hf/orders/active', api: 'private', method: 'GET', params: { symbol: 'BTC-USDT' } }, action: 'read' },
    { call: { path: 'hf/orders', api: 'private', method: 'POST', params: { clientOid: 'kw-1', side: 'buy', symbol: 'BTC-USDT', type: 'limit', price: '20000', size: '0.01' } }, action: 'trade' },
    { call: { path: 'orders', api: 'private', method: 'POST', params: { clientOid: 'kw-2', side: 'buy', symbol: 'ETH-USDT', type: 'market', funds: '50' } }, action: 'trade' },
    { call: { path: 'hf/orders/{orderId}', api: 'private', method: 'DELETE', params: { orderId: '6717422bd51c29000775ea03', symbol: 'BTC-USDT' } }, action: 'cancel' },
    { call: { path: 'hf/orders', api: 'private', method: 'DELETE', params: { symbol: 'BTC-USDT' } }, action: 'cancel' },
  ];
  for (const { call, action } of calls) {
    const theirs = ccxtSign(ex, call);
    assert.equal(theirs.headers['kc-api-partner'], 'ccxt', 'ccxt does attach its partner headers');
    assert.equal(kucoin.classify(theirs.request).action, action, `${call.method} ${call.path}`);
    const ours = kucoin.sign(theirs.request, key, { nowMs: NOW, nonce: 0n });
    assert.equal(ours.query, theirs.request.query);
    assert.equal(ours.body.toString(), theirs.request.body.toString());
    const expected = Object.fromEntries(Object.entries(theirs.headers).filter(([h]) => !PARTNER_HEADERS.includes(h)));
    assert.deepEqual(ours.headers, { ...expected, 'kc-api-key-version': KUCOIN_KEY_VERSION }, `${call.method} ${call.path}`);
  }
  key.release();
});

test('kucoin: the client\'s key, signature, timestamp, passphrase, version and broker headers are replaced', () => {
  const key = handleFor(kucoin, CREDS);
  const req = requestFromUrl('GET', '/api/v1/accounts', Buffer.alloc(0), {
    'KC-API-KEY': 'kw_token', 'KC-API-SIGN': 'forged', 'KC-API-TIMESTAMP': '1', 'KC-API-PASSPHRASE': 'plain-guess', 'KC-API-KEY-VERSION': '1',
    'KC-API-PARTNER': 'ccxt', 'KC-API-PARTNER-SIGN': 'x', 'KC-API-PARTNER-VERIFY': 'true', 'KC-BROKER-NAME': 'b', accept: 'application/json',
  });
  const out = kucoin.sign(req, key, { nowMs: 42, nonce: 0n });
  assert.deepEqual(out.headers, {
    accept: 'application/json',
    'kc-api-key': 'kwfakekucoinkey',
    'kc-api-sign': b64hmac(CREDS.secret, '42GET/api/v1/accounts'),
    'kc-api-timestamp': '42',
    'kc-api-passphrase': b64hmac(CREDS.secret, CREDS.passphrase),
    'kc-api-key-version': '3',
  });
  key.release();
});

test('kucoin: orders are classified with their details (size in base, funds in quote)', () => {
  const limit = c('POST', '/api/v1/hf/orders', { clientOid: 'a', symbol: 'BTC-USDT', side: 'buy', type: 'limit', price: '20000', size: '0.5' });
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'BTC-USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  const market = c('POST', '/api/v1/orders', { clientOid: 'b', symbol: 'ETH-USDT', side: 'buy', type: 'market', funds: '100' });
  assert.deepEqual(market.order, { symbol: 'ETH-USDT', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  const sync = c('POST', '/api/v1/hf/orders/sync', { symbol: 'ETH-USDT', side: 'sell', type: 'market', size: '1' });
  assert.deepEqual([sync.action, sync.order?.quantity, sync.order?.notional], ['trade', '1', null]);
  const testOrder = c('POST', '/api/v1/hf/orders/test', { symbol: 'BTC-USDT', side: 'buy', type: 'limit', price: '1', size: '1' });
  assert.deepEqual([testOrder.action, testOrder.order?.symbol], ['read', 'BTC-USDT']);
});

test('kucoin: cancels and reads, with the symbol they name', () => {
  for (const url of ['/api/v1/hf/orders/6717422b?symbol=BTC-USDT', '/api/v1/hf/orders/client-order/kw-1?symbol=BTC-USDT', '/api/v1/hf/orders?symbol=BTC-USDT',
    '/api/v1/hf/orders/cancelAll', '/api/v1/hf/orders/sync/6717422b?symbol=BTC-USDT', '/api/v1/orders/5bd6e9286d99522a52e458de', '/api/v1/order/client-order/kw-1', '/api/v1/orders?symbol=BTC-USDT']) {
    assert.equal(c('DELETE', url).action, 'cancel', url);
  }
  assert.equal(c('DELETE', '/api/v1/hf/orders/6717422b?symbol=BTC-USDT').symbol, 'BTC-USDT');
  assert.equal(c('DELETE', '/api/v1/hf/orders/cancelAll').endpoint, 'DELETE /api/v1/hf/orders/cancelAll');
  assert.equal(c('POST', '/api/v1/hf/orders/dead-cancel-all', { timeout: 5, symbols: 'BTC-USDT' }).action, 'cancel');
  const active = c('GET', '/api/v1/hf/orders/active?symbol=ETH-USDT');
  assert.deepEqual([active.action, active.symbol], ['read', 'ETH-USDT']);
  assert.equal(c('GET', '/api/v1/accounts/ledgers?currency=BTC').endpoint, 'GET /api/v1/accounts/ledgers');
  assert.equal(c('GET', '/api/v1/user/api-key').action, 'read');
  assert.equal(c('GET', '/api/v2/symbols/BTC-USDT').symbol, 'BTC-USDT');
  assert.equal(c('GET', '/api/v1/market/orderbook/level1?symbol=BTC-USDT').isPublic, true);
});

test('kucoin: every withdrawal, transfer and sub-account path is a value exit', () => {
  for (const [method, path] of [['POST', '/api/v3/withdrawals'], ['POST', '/api/v1/withdrawals'], ['DELETE', '/api/v1/withdrawals/5bffb63303aa675e8bbe18f9'],
    ['GET', '/api/v1/withdrawals/quotas']] as const) {
    assert.equal(c(method, path, method === 'POST' ? { currency: 'BTC', address: 'x', amount: '1' } : undefined).action, 'withdraw', `${method} ${path}`);
  }
  for (const path of ['/api/v3/accounts/universal-transfer', '/api/v2/accounts/sub-transfer', '/api/v2/accounts/inner-transfer', '/api/v3/transfer-out',
    '/api/v1/transfer-in', '/api/v1/accounts/inner-transfer', '/api/v1/sub/api-key', '/api/v1/sub/api-key/update', '/api/v2/sub/user/created', '/api/v1/broker/nd/transfer']) {
    assert.equal(c('POST', path, { currency: 'USDT', amount: '1' }).action, 'transfer', path);
  }
  assert.equal(c('DELETE', '/api/v1/sub/api-key?apiKey=x&subName=y').action, 'transfer');
  assert.equal(c('POST', '/api/v3/Withdrawals', { currency: 'BTC' }).action, 'withdraw');
  assert.equal(c('POST', '/api/v3/with%64rawals', { currency: 'BTC' }).action, 'withdraw');
});

test('kucoin: anything not in the table, or read two ways, is unknown with a reason', () => {
  const order = { symbol: 'BTC-USDT', side: 'buy', type: 'limit', price: '20000', size: '0.5' };
  const unknown: [string, string, unknown, RegExp][] = [
    ['POST', '/api/v1/hf/order', order, /not in the endpoint table/],
    ['POST', '/api/v1/HF/orders', order, /not in the endpoint table/],
    ['POST', '/api/v1/hf/orders//', order, /empty segment/],
    ['POST', '/api/v1/hf/orders', '{"symbol":"BTC-USDT","symbol":"SHIB-USDT","side":"buy","type":"market","funds":"5"}', /twice/],
    ['POST', '/api/v1/hf/orders', { ...order, Symbol: 'SHIB-USDT' }, /different letter case/],
    ['POST', '/api/v1/hf/orders', { ...order, type: 'market', funds: '1' }, /both "size" and "funds"/],
    ['POST', '/api/v1/hf/orders', { ...order, type: 'LIMIT' }, /type/],
    ['POST', '/api/v1/hf/orders', { ...order, side: 'long' }, /side/],
    ['POST', '/api/v1/hf/orders', { ...order, price: 20000.1 }, /JSON number/],
    ['POST', '/api/v1/hf/orders?symbol=SHIB-USDT', order, /also has a query/],
    ['POST', '/api/v1/hf/orders/multi', { symbol: 'BTC-USDT', orderList: [order] }, /batch/],
    ['POST', '/api/v1/hf/orders/alter', { symbol: 'BTC-USDT', orderId: '1', newPrice: '99999' }, /names no side/],
    ['POST', '/api/v1/stop-order', { ...order, stopPrice: '1' }, /trigger prices/],
    ['DELETE', '/api/v1/hf/orders/1?symbol=BTC-USDT&symbol=ETH-USDT', undefined, /2 times/],
    ['DELETE', '/api/v1/hf/orders/1?symbol=BTC+USDT', undefined, /'\+' or ';'/],
    ['GET', '/api/v1/hf/orders/active?symbol=BTC-USDT&Symbol=ETH-USDT', undefined, /different letter case/],
    ['PUT', '/api/v1/hf/orders', order, /not in the endpoint table/],
    ['POST', '/api/v1/margin/borrow', { currency: 'USDT', size: '1000' }, /not in the endpoint table/],
  ];
  for (const [method, url, body, reason] of unknown) {
    const r = c(method, url, body);
    assert.equal(r.action, 'unknown', `${method} ${url}`);
    assert.match(r.reason ?? '', reason, `${method} ${url}: ${r.reason ?? ''}`);
  }
  const deleteWithBody = kucoin.classify(requestFromUrl('DELETE', '/api/v1/hf/orders/1?symbol=BTC-USDT', Buffer.from('{"symbol":"ETH-USDT"}'), JSON_CT));
  assert.match(deleteWithBody.reason ?? '', /with a body/);
});

test('kucoin: permissions from /api/v1/user/api-key', () => {
  const answer = { code: '200000', data: { remark: 'bot', apiKey: 'k', apiVersion: 3, permission: 'General,Spot,InnerTransfer', ipWhitelist: '203.0.113.7', createdAt: 1, uid: 2, isMaster: true } };
  const p = kucoin.permissions.parse(200, Buffer.from(JSON.stringify(answer)));
  assert.deepEqual(p, { read: true, trade: true, withdraw: false, transfer: true, ipRestricted: true, ipAllowlist: ['203.0.113.7'], native: ['General', 'Spot', 'InnerTransfer'] });
  const withdraw = kucoin.permissions.parse(200, Buffer.from(JSON.stringify({ code: '200000', data: { permission: 'General,Transfer', ipWhitelist: '' } })));
  assert.deepEqual([withdraw.trade, withdraw.withdraw, withdraw.transfer, withdraw.ipRestricted], [false, true, true, false]);
  const readOnly = kucoin.permissions.parse(200, Buffer.from(JSON.stringify({ code: '200000', data: { permission: 'General' } })));
  assert.deepEqual([readOnly.read, readOnly.trade, readOnly.withdraw, readOnly.transfer, readOnly.ipRestricted], [true, false, false, false, null]);
  assert.throws(() => kucoin.permissions.parse(401, Buffer.from('{"code":"400005","msg":"Signature error"}')), /KuCoin answered 401/);
  assert.throws(() => kucoin.permissions.parse(200, Buffer.from('{"code":"400007","msg":"Access denied"}')), /KuCoin answered 200/);
});

test('kucoin: refusals in KuCoin\'s own format, and ccxt raises its usual class for each', () => {
  const e = kucoin.renderError({ kind: 'forbidden', code: 'KW_POLICY_VALUE_EXIT', message: 'withdrawals are never signed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { code: '400007', msg: 'Keyward KW_POLICY_VALUE_EXIT: withdrawals are never signed' });
  const expected = { auth: 'AuthenticationError', forbidden: 'AuthenticationError', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = kucoin.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('kucoin', rendered, 'https://api.kucoin.com/api/v1/hf/orders', 'POST'), cls, kind);
  }
  // Why the rate-limit message carries KuCoin's phrase: ccxt maps KuCoin's own 429000 to nothing.
  const plain = { status: 429, headers: {}, body: '{"code":"429000","msg":"Too Many Requests"}' };
  assert.equal(ccxtErrorFor('kucoin', plain, 'https://api.kucoin.com/api/v1/hf/orders', 'POST'), 'ExchangeError');
});
