import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { bitstamp, createBitstampAdapter } from './bitstamp.js';
import { requestFromUrl } from './request.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const T = 1_700_000_000_123;
const UUID = '3f2b8c1e-6a4d-4e5f-9b7a-1c2d3e4f5a6b';
const frozen = createBitstampAdapter({ uuid: () => UUID });

const c = (method: string, url: string, body = '', headers: Record<string, string> = body === '' ? {} : FORM): ReturnType<typeof bitstamp.classify> =>
  bitstamp.classify(requestFromUrl(method, url, Buffer.from(body), headers));

type CcxtApi = Record<string, Record<string, Record<string, unknown>>>;
const ccxtPaths = (): string[] => {
  const api = (ccxtExchange('bitstamp', {}, 0) as unknown as { api: CcxtApi }).api;
  return Object.values(api).flatMap((methods) => Object.values(methods).flatMap((m) => Object.keys(m)));
};

test('bitstamp: no official worked example exists, and the file says so', () => {
  for (const v of officialVectors('bitstamp')) assert.ok(signedText(signVector(bitstamp, v)).includes(v.expectedSignature), v.name);
  const file = JSON.parse(readFileSync(new URL('./testdata/official-vectors/bitstamp.json', import.meta.url), 'utf8')) as { vectors: unknown[]; notUsable: string[] };
  assert.equal(file.vectors.length, 0);
  assert.match(file.notUsable.join(' '), /no published input\/output pair/);
});

test('bitstamp: the research note\'s ccxt vector reproduces (POST /api/v2/buy/btcusd/)', () => {
  const key = handleFor(frozen, { apiKey: 'kwFakeBitstampKey', secret: 'kwFakeBitstampSecret' });
  const out = frozen.sign(requestFromUrl('POST', '/api/v2/buy/btcusd/', Buffer.from('amount=0.01&price=20000'), FORM), key, { nowMs: T, nonce: 0n });
  assert.equal(out.headers['x-auth-signature'], '677534c58ff777f4d6fac8f0d3733472a7c9a131e208cd670c32cccaf4c59c26');
  key.release();
});

test('bitstamp: ccxt and the adapter sign reads, orders and cancels identically (uuid frozen on both sides)', () => {
  const calls = [
    { path: 'account_balances/', api: 'private', method: 'POST', params: {} },
    { path: 'user_transactions/{pair}/', api: 'private', method: 'POST', params: { pair: 'btcusd', offset: '0', limit: '10' } },
    { path: 'open_orders/all/', api: 'private', method: 'POST', params: {} },
    { path: 'buy/{pair}/', api: 'private', method: 'POST', params: { pair: 'btcusd', amount: '0.01', price: '20000', client_order_id: 'kw-1' } },
    { path: 'sell/market/{pair}/', api: 'private', method: 'POST', params: { pair: 'ethusd', amount: '1' } },
    { path: 'buy/instant/{pair}/', api: 'private', method: 'POST', params: { pair: 'btceur', amount: '100' } },
    { path: 'cancel_order/', api: 'private', method: 'POST', params: { id: '1453282316578816' } },
    { path: 'cancel_all_orders/{pair}/', api: 'private', method: 'POST', params: { pair: 'btcusd' } },
  ];
  const ex = ccxtExchange('bitstamp', { apiKey: 'kwFakeBitstampKey', secret: 'kwFakeBitstampSecret0123' }, T);
  (ex as unknown as { uuid: () => string }).uuid = () => UUID;
  const key = handleFor(frozen, { apiKey: 'kwFakeBitstampKey', secret: 'kwFakeBitstampSecret0123' });
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    const ours = frozen.sign(theirs.request, key, { nowMs: T, nonce: 0n });
    const what = `${call.method} ${call.path}`;
    assert.equal(ours.path, theirs.request.path, `${what} path`);
    assert.equal(ours.body.toString(), theirs.request.body.toString(), `${what} body`);
    for (const h of ['x-auth', 'x-auth-nonce', 'x-auth-timestamp', 'x-auth-version', 'content-type', 'x-auth-signature']) {
      assert.equal(ours.headers[h], theirs.headers[h], `${what} ${h}`);
    }
    assert.notEqual(c(theirs.request.method, theirs.request.path, theirs.request.body.toString()).action, 'unknown', `${what} is classified`);
  }
  key.release();
});

test('bitstamp: the client\'s auth headers are replaced, the nonce is a fresh UUID, an empty body signs no content type', () => {
  const key = handleFor(bitstamp, { apiKey: 'REAL', secret: 's3cret' });
  const req = requestFromUrl('POST', '/api/v2/account_balances/', Buffer.alloc(0), {
    'X-Auth': 'BITSTAMP kw_token', 'X-Auth-Signature': 'forged', 'X-Auth-Nonce': 'replayed', 'X-Auth-Timestamp': '1', 'X-Auth-Version': 'v1', 'Content-Type': 'text/plain',
  });
  const a = bitstamp.sign(req, key, { nowMs: 42, nonce: 0n });
  const b = bitstamp.sign(req, key, { nowMs: 42, nonce: 0n });
  const nonce = a.headers['x-auth-nonce'] ?? '';
  assert.match(nonce, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(b.headers['x-auth-nonce'], nonce, 'a nonce is never reused');
  const expected = createHmac('sha256', 's3cret').update(`BITSTAMP REALPOSTwww.bitstamp.net/api/v2/account_balances/${nonce}42v2`).digest('hex');
  assert.deepEqual(a.headers, { 'x-auth': 'BITSTAMP REAL', 'x-auth-nonce': nonce, 'x-auth-timestamp': '42', 'x-auth-version': 'v2', 'x-auth-signature': expected });
  assert.throws(() => bitstamp.sign(requestFromUrl('POST', '/api/v2/buy/btcusd/', Buffer.from('{"amount":"1"}'), { 'content-type': 'application/json' }), key, { nowMs: 42, nonce: 0n }), TypeError);
  key.release();
});

test('bitstamp: orders take their side and pair from the path, with their details', () => {
  const limit = c('POST', '/api/v2/buy/btcusd/', 'amount=0.5&price=20000&client_order_id=x');
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'btcusd', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  assert.deepEqual(c('POST', '/api/v2/sell/ethusd/', 'amount=2&price=3000&ioc_order=True').order,
    { symbol: 'ethusd', side: 'sell', type: 'limit', quantity: '2', price: '3000', quoteQuantity: null, notional: 6000 });
  assert.deepEqual(c('POST', '/api/v2/sell/market/ethusd/', 'amount=2').order,
    { symbol: 'ethusd', side: 'sell', type: 'market', quantity: '2', price: null, quoteQuantity: null, notional: null });
  assert.deepEqual(c('POST', '/api/v2/buy/market/btcusd/', 'amount=0.1').order?.side, 'buy');
  assert.deepEqual(c('POST', '/api/v2/buy/instant/btceur/', 'amount=100').order,
    { symbol: 'btceur', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 }, 'an instant buy is sized in the counter currency');
  assert.deepEqual(c('POST', '/api/v2/sell/instant/btceur/', 'amount=1').order?.quantity, '1');
  // Bitstamp reads side and pair from the path: a body `side` changes nothing, a body `pair` is refused.
  assert.equal(c('POST', '/api/v2/buy/btcusd/', 'amount=1&price=1&side=sell').order?.side, 'buy');
  assert.equal(c('POST', '/api/v2/buy/btcusd/', 'amount=1&price=1&pair=shibusd').action, 'unknown');
  assert.equal(c('POST', '/api/v2/cancel_all_orders/btcusd/', 'pair=shibusd').action, 'unknown');
});

test('bitstamp: cancels and reads', () => {
  assert.equal(c('POST', '/api/v2/cancel_order/', 'id=1').action, 'cancel');
  assert.equal(c('POST', '/api/v2/cancel_all_orders/', 'foo=bar').action, 'cancel');
  const pairCancel = c('POST', '/api/v2/cancel_all_orders/btcusd/', 'foo=bar');
  assert.equal(pairCancel.action, 'cancel');
  assert.equal(pairCancel.symbol, 'btcusd');
  for (const path of ['/api/v2/account_balances/', '/api/v2/account_balances/btc/', '/api/v2/balance/', '/api/v2/user_transactions/', '/api/v2/open_orders/all/',
    '/api/v2/open_orders/btcusd/', '/api/v2/order_status/', '/api/v2/fees/trading/']) {
    assert.equal(c('POST', path, 'foo=bar').action, 'read', path);
  }
  assert.equal(c('POST', '/api/v2/open_orders/all/', 'foo=bar').symbol, null);
  const ticker = c('GET', '/api/v2/ticker/btcusd/');
  assert.equal(ticker.isPublic, true);
  assert.equal(ticker.symbol, 'btcusd');
  assert.equal(c('GET', '/api/v2/order_book/btcusd/?group=1').isPublic, true);
});

test('bitstamp: every withdrawal and transfer is classified as one, whatever the method or case', () => {
  const perCurrency = ccxtPaths().filter((p) => /_withdrawal\/$/.test(p));
  assert.ok(perCurrency.length >= 90, `ccxt lists ${String(perCurrency.length)} per-currency withdrawals`);
  const withdrawals = [...perCurrency.map((p) => `/api/v2/${p}`), '/api/v2/withdrawal/open/', '/api/v2/withdrawal/cancel/', '/api/v2/withdrawal-requests/',
    '/api/v2/newcoin_withdrawal/', '/api/v2/BTC_WITHDRAWAL/', '/api/v2/btc_withdrawal', '/api/bitcoin_withdrawal/', '/api/ripple_withdrawal/', '/api/v3/btc_withdrawal/'];
  const transfers = ['/api/v2/transfer-to-main/', '/api/v2/transfer-from-main/', '/api/v2/Transfer-To-Main/', '/api/v3/transfer-to-main/'];
  for (const method of ['POST', 'GET']) {
    for (const path of withdrawals) assert.equal(c(method, path, method === 'POST' ? 'amount=1&address=x' : '').action, 'withdraw', `${method} ${path}`);
    for (const path of transfers) assert.equal(c(method, path, method === 'POST' ? 'amount=1&currency=usd&subAccount=1' : '').action, 'transfer', `${method} ${path}`);
  }
});

test('bitstamp: what is not in the table, or could be read two ways, is unknown with a reason', () => {
  const cases: [string, string, string, Record<string, string>?][] = [
    ['POST', '/api/v2/buy/btcusd', 'amount=1&price=1'],
    ['POST', '/api/v2/Buy/btcusd/', 'amount=1&price=1'],
    ['POST', '/api/v2/buy/BTCUSD/', 'amount=1&price=1'],
    ['POST', '/api/v2/buy/market/', 'amount=1'],
    ['POST', '/api/v2/bye/btcusd/', 'amount=1&price=1'],
    ['POST', '/api/v2/replace_order/', 'id=1&amount=1&price=1'],
    ['POST', '/api/v2/revoke_all_api_keys/', 'foo=bar'],
    ['POST', '/api/v2/earn/subscribe/', 'currency=eth&amount=1'],
    ['POST', '/api/v2/btc_address/', 'foo=bar'],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1&amount=1000&price=1'],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1&price=20000&limit_price=1'],
    ['POST', '/api/v2/sell/instant/btcusd/', 'amount=100&amount_in_counter=True'],
    ['POST', '/api/v2/buy/btcusd/?amount=1000', 'amount=1&price=1'],
    ['POST', '/api/v2/buy/btcusd/', '{"amount":"1","price":"1"}', { 'content-type': 'application/json' }],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1%ZZ&price=1'],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1&price'],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1 &price=1'],
    ['POST', '/api/v2/buy/btcusd/', 'amount=1e3&price=1'],
    ['GET', '/api/v2/account_balances/', 'foo=bar'],
  ];
  for (const [method, url, body, headers] of cases) {
    const r = c(method, url, body, headers);
    assert.equal(r.action, 'unknown', `${method} ${url} ${body}`);
    assert.ok(r.reason !== null && r.reason.length > 0, `${method} ${url} has a reason`);
  }
});

test('bitstamp: no permission endpoint; errors in Bitstamp\'s own format raise ccxt\'s usual classes', () => {
  assert.equal(bitstamp.permissions, null);
  const e = bitstamp.renderError({ kind: 'auth', code: 'KW_TOKEN_REVOKED', message: 'the token was revoked' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { status: 'error', reason: { __all__: ['Authentication failed', 'Keyward KW_TOKEN_REVOKED: the token was revoked'] } });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'ExchangeError', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = bitstamp.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('bitstamp', rendered, 'https://www.bitstamp.net/api/v2/buy/btcusd/', 'POST'), cls, kind);
    assert.match(rendered.body, /Keyward KW_TEST: refused/);
  }
});
