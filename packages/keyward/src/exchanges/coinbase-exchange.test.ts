import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { coinbaseExchange } from './coinbase-exchange.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const NOW = 1_700_000_000_123;
// research/exchanges.md §4: a base64 secret, as Coinbase Exchange hands them out.
const SECRET = 'a3ctZmFrZS1jb2luYmFzZS1leGNoYW5nZS1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const CREDS = { apiKey: 'kwfakecoinbaseexchangekey0000000', secret: SECRET, passphrase: 'kwpassphrase' };

const c = (method: string, url: string, body: unknown = undefined, headers: Record<string, string> = JSON_CT): ReturnType<typeof coinbaseExchange.classify> =>
  coinbaseExchange.classify(requestFromUrl(method, url, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)), body === undefined ? {} : headers));

test('coinbase-exchange: no official worked example exists; the vector file says so, and any added later is run', () => {
  const record = JSON.parse(readFileSync(new URL('./testdata/official-vectors/coinbase-exchange.json', import.meta.url), 'utf8')) as { notUsable: string[] };
  assert.ok(record.notUsable.some((n) => n.includes('no worked example')));
  for (const v of officialVectors('coinbase-exchange')) {
    assert.ok(signedText(signVector(coinbaseExchange, { ...v, headers: v.body === '' ? {} : JSON_CT })).includes(v.expectedSignature), v.name);
  }
});

test('coinbase-exchange: the ccxt vector of research/exchanges.md §4 reproduces; the secret is base64-decoded', () => {
  const key = handleFor(coinbaseExchange, CREDS);
  const out = coinbaseExchange.sign(requestFromUrl('GET', 'https://api.exchange.coinbase.com/orders?status=open', Buffer.alloc(0)), key, { nowMs: NOW, nonce: 0n });
  assert.equal(out.headers['cb-access-timestamp'], '1700000000');
  assert.equal(out.headers['cb-access-sign'], 'SJDTXJNwBZtWOgWkV1jUlDkhyrfxWwtX9Y/TfR+Cj28=');
  assert.equal(out.headers['cb-access-sign'], createHmac('sha256', Buffer.from(SECRET, 'base64')).update('1700000000GET/orders?status=open').digest('base64'));
  key.release();
});

test('coinbase-exchange: ccxt and the adapter sign reads, orders and cancels identically, headers and all', () => {
  const ex = ccxtExchange('coinbaseexchange', { apiKey: CREDS.apiKey, secret: CREDS.secret, password: CREDS.passphrase }, NOW);
  const key = handleFor(coinbaseExchange, CREDS);
  const calls = [
    { call: { path: 'accounts', api: 'private', method: 'GET', params: {} }, action: 'read' },
    { call: { path: 'orders', api: 'private', method: 'GET', params: { status: 'open', product_id: 'BTC-USD' } }, action: 'read' },
    { call: { path: 'fills', api: 'private', method: 'GET', params: { product_id: 'ETH-USD', limit: 10 } }, action: 'read' },
    { call: { path: 'orders', api: 'private', method: 'POST', params: { client_oid: 'kw-1', product_id: 'BTC-USD', side: 'buy', type: 'limit', price: '20000', size: '0.01' } }, action: 'trade' },
    { call: { path: 'orders', api: 'private', method: 'POST', params: { product_id: 'ETH-USD', side: 'buy', type: 'market', funds: '100' } }, action: 'trade' },
    // ccxt sends a cancel's product_id as a JSON body, not in the query.
    { call: { path: 'orders/{id}', api: 'private', method: 'DELETE', params: { id: 'd0c5340b-6d6c-49d9-b567-48c4bfca13d2', product_id: 'BTC-USD' } }, action: 'cancel' },
    { call: { path: 'orders', api: 'private', method: 'DELETE', params: {} }, action: 'cancel' },
  ];
  for (const { call, action } of calls) {
    const theirs = ccxtSign(ex, call);
    assert.equal(coinbaseExchange.classify(theirs.request).action, action, `${call.method} ${call.path}`);
    const ours = coinbaseExchange.sign(theirs.request, key, { nowMs: NOW, nonce: 0n });
    assert.equal(ours.query, theirs.request.query);
    assert.equal(ours.body.toString(), theirs.request.body.toString());
    assert.deepEqual(ours.headers, theirs.headers, `${call.method} ${call.path}`);
  }
  const cancel = ccxtSign(ex, { path: 'orders/{id}', api: 'private', method: 'DELETE', params: { id: 'abc', product_id: 'BTC-USD' } });
  assert.equal(cancel.request.body.toString(), '{"product_id":"BTC-USD"}');
  assert.equal(coinbaseExchange.classify(cancel.request).symbol, 'BTC-USD');
  key.release();
});

test('coinbase-exchange: the client\'s key, signature, timestamp and passphrase are replaced by the gateway\'s', () => {
  const key = handleFor(coinbaseExchange, CREDS);
  const req = requestFromUrl('GET', '/accounts', Buffer.alloc(0), { 'CB-ACCESS-KEY': 'kw_token', 'CB-ACCESS-SIGN': 'forged', 'CB-ACCESS-TIMESTAMP': '1', 'CB-ACCESS-PASSPHRASE': 'guess' });
  const out = coinbaseExchange.sign(req, key, { nowMs: 42_999, nonce: 0n });
  assert.deepEqual(out.headers, {
    'cb-access-key': CREDS.apiKey,
    'cb-access-sign': createHmac('sha256', Buffer.from(SECRET, 'base64')).update('42GET/accounts').digest('base64'),
    'cb-access-timestamp': '42',
    'cb-access-passphrase': 'kwpassphrase',
  });
  key.release();
});

test('coinbase-exchange: orders are classified with their details (size in base, funds in quote)', () => {
  const limit = c('POST', '/orders', { product_id: 'BTC-USD', side: 'buy', type: 'limit', price: '20000', size: '0.5' });
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'BTC-USD', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  const defaultLimit = c('POST', '/orders', { product_id: 'BTC-USD', side: 'sell', price: '30000', size: '0.1' });
  assert.deepEqual([defaultLimit.order?.type, defaultLimit.order?.notional], ['limit', 3000]);
  const market = c('POST', '/orders', { product_id: 'ETH-USD', side: 'buy', type: 'market', funds: '100' });
  assert.deepEqual(market.order, { symbol: 'ETH-USD', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  const stop = c('POST', '/orders', { product_id: 'BTC-USD', side: 'sell', type: 'stop', stop: 'loss', stop_price: '19000', price: '18900', size: '1' });
  assert.deepEqual([stop.order?.type, stop.order?.price], ['stop', '18900']);
});

test('coinbase-exchange: cancels and reads, with the product they name', () => {
  const byQuery = c('DELETE', '/orders/d0c5340b?product_id=BTC-USD');
  assert.deepEqual([byQuery.action, byQuery.symbol], ['cancel', 'BTC-USD']);
  assert.equal(c('DELETE', '/orders/client:kw-1', { product_id: 'ETH-USD' }).symbol, 'ETH-USD');
  assert.equal(c('DELETE', '/orders?product_id=BTC-USD').action, 'cancel');
  assert.equal(c('GET', '/orders?status=open').action, 'read');
  assert.equal(c('GET', '/orders/client:kw-1').action, 'read');
  assert.equal(c('GET', '/accounts/71452118-efc7-4cc4-8780-a5e22d4baa53/ledger').action, 'read');
  const book = c('GET', '/products/BTC-USD/book?level=2');
  assert.deepEqual([book.isPublic, book.symbol], [true, 'BTC-USD']);
});

test('coinbase-exchange: every withdrawal, transfer and other value exit', () => {
  for (const path of ['/withdrawals/crypto', '/withdrawals/coinbase-account', '/withdrawals/payment-method', '/withdrawals/counterparty', '/withdrawals/coinbase', '/address-book']) {
    assert.equal(c('POST', path, { amount: '1', currency: 'BTC', crypto_address: 'x' }).action, 'withdraw', path);
  }
  assert.equal(c('DELETE', '/address-book/5').action, 'withdraw');
  assert.equal(c('PUT', '/address-book/5', { address: 'x' }).action, 'withdraw');
  for (const path of ['/profiles/transfer', '/profiles/margin-transfer', '/deposits/coinbase-account', '/deposits/payment-method', '/coinbase-accounts/abc/addresses',
    '/profiles', '/conversions', '/transfers/abc/travel-rules', '/travel-rules', '/wrapped-assets/stake-wrap', '/loans/open', '/funding/repay']) {
    assert.equal(c('POST', path, { amount: '1', currency: 'USD' }).action, 'transfer', path);
  }
  assert.equal(c('PUT', '/profiles/abc/deactivate', { to: 'x' }).action, 'transfer');
  assert.equal(c('GET', '/transfers').action, 'transfer', 'reads of value-exit paths are refused too');
  assert.equal(c('POST', '/Withdrawals/Crypto', { amount: '1' }).action, 'withdraw');
  assert.equal(c('POST', '/withdrawals%2Fcrypto', { amount: '1' }).action, 'withdraw');
});

test('coinbase-exchange: anything not in the table, or read two ways, is unknown with a reason', () => {
  const order = { product_id: 'BTC-USD', side: 'buy', type: 'limit', price: '20000', size: '0.5' };
  const unknown: [string, string, unknown, RegExp][] = [
    ['POST', '/order', order, /not in the endpoint table/],
    ['POST', '/Orders', order, /not in the endpoint table/],
    ['POST', '/orders/', order, /empty segment/],
    ['POST', '/x/../orders', order, /dot segment/],
    ['POST', '/orders', '{"product_id":"BTC-USD","product_id":"SHIB-USD","side":"buy","type":"market","funds":"5"}', /twice/],
    // Go's encoding/json matches keys case-insensitively and with Unicode folding.
    ['POST', '/orders', { ...order, Product_ID: 'SHIB-USD' }, /different letter case/],
    ['POST', '/orders', { ...order, ſide: 'sell' }, /not plain ASCII/],
    ['POST', '/orders', { ...order, type: 'market', funds: '10' }, /both "size" and "funds"/],
    ['POST', '/orders', { ...order, type: 'trailing' }, /type/],
    ['POST', '/orders', { ...order, side: 'Buy' }, /side/],
    ['POST', '/orders', { ...order, size: 0.5 }, /JSON number/],
    ['POST', '/orders?product_id=SHIB-USD', order, /also has a query/],
    ['DELETE', '/orders/abc?product_id=BTC-USD', { product_id: 'ETH-USD' }, /also has a query/],
    ['GET', '/orders?product_id=BTC-USD&product_id=ETH-USD', undefined, /2 times/],
    ['POST', '/position/close', { product_id: 'BTC-USD' }, /not in the endpoint table/],
    ['PUT', '/orders', order, /not in the endpoint table/],
  ];
  for (const [method, url, body, reason] of unknown) {
    const r = c(method, url, body);
    assert.equal(r.action, 'unknown', `${method} ${url}`);
    assert.match(r.reason ?? '', reason, `${method} ${url}: ${r.reason ?? ''}`);
  }
  const getWithBody = coinbaseExchange.classify(requestFromUrl('GET', '/orders', Buffer.from('{"status":"open"}'), JSON_CT));
  assert.match(getWithBody.reason ?? '', /with a body/);
});

test('coinbase-exchange: no permission endpoint; refusals as {"message"} with a status ccxt reads as the usual class', () => {
  assert.equal(coinbaseExchange.permissions, null);
  const e = coinbaseExchange.renderError({ kind: 'invalid', code: 'KW_POLICY_UNKNOWN_REQUEST', message: 'not in the endpoint table' });
  assert.equal(e.status, 400);
  assert.deepEqual(JSON.parse(e.body), { message: 'Keyward KW_POLICY_UNKNOWN_REQUEST: not in the endpoint table' });
  const expected = { auth: 'AuthenticationError', forbidden: 'AuthenticationError', invalid: 'ExchangeError', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = coinbaseExchange.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('coinbaseexchange', rendered, 'https://api.exchange.coinbase.com/orders', 'POST'), cls, kind);
  }
  // Why `forbidden` is not a 403: ccxt's default map makes a 403 a retryable ExchangeNotAvailable.
  const as403 = { status: 403, headers: {}, body: '{"message":"Forbidden"}' };
  assert.equal(ccxtErrorFor('coinbaseexchange', as403, 'https://api.exchange.coinbase.com/orders', 'POST'), 'ExchangeNotAvailable');
});
