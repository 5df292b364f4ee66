import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { binance } from './binance.js';
import { requestFromUrl } from './request.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ED25519_PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n-----END PRIVATE KEY-----\n';

test('binance: the official REST examples reproduce', () => {
  const vectors = officialVectors('binance');
  assert.ok(vectors.length >= 3);
  for (const v of vectors) {
    const signed = signVector(binance, { ...v, headers: v.body === '' ? {} : FORM });
    assert.ok(signedText(signed).includes(`signature=${v.expectedSignature}`), `${v.name}: ${signedText(signed)}`);
  }
});

test('binance: ccxt and the adapter sign a read, an order and a cancel identically (HMAC and Ed25519)', () => {
  const calls = [
    { path: 'account', api: 'private', method: 'GET', params: {} },
    { path: 'order', api: 'private', method: 'POST', params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '20000' } },
    { path: 'order', api: 'private', method: 'DELETE', params: { symbol: 'BTCUSDT', orderId: '12345' } },
    { path: 'openOrders', api: 'private', method: 'GET', params: { symbol: 'ETHUSDT' } },
    { path: 'account/apiRestrictions', api: 'sapi', method: 'GET', params: {} },
  ];
  for (const creds of [{ apiKey: 'kwFakeBinanceKey', secret: 'kwFakeBinanceSecret0123456789' }, { apiKey: 'kwFakeEd25519Key', privateKey: ED25519_PEM }]) {
    const ex = ccxtExchange('binance', { apiKey: creds.apiKey, secret: creds.secret ?? creds.privateKey }, 1_700_000_000_123);
    const key = handleFor(binance, creds);
    for (const call of calls) {
      const theirs = ccxtSign(ex, call);
      const ours = binance.sign(theirs.request, key, { nowMs: 1_700_000_000_123, nonce: 0n });
      assert.equal(ours.query, theirs.request.query, `${call.method} ${call.path} query`);
      assert.equal(ours.body.toString(), theirs.request.body.toString(), `${call.method} ${call.path} body`);
      assert.equal(ours.headers['x-mbx-apikey'], theirs.headers['x-mbx-apikey']);
    }
    key.release();
  }
});

test('binance: the client\'s own signature and timestamp are replaced, the key header is the real key', () => {
  const key = handleFor(binance, { apiKey: 'REAL', secret: 's' });
  const req = requestFromUrl('GET', '/api/v3/account?timestamp=1&recvWindow=5000&signature=deadbeef', Buffer.alloc(0), { 'X-MBX-APIKEY': 'kw_token' });
  const out = binance.sign(req, key, { nowMs: 42, nonce: 0n });
  assert.match(out.query, /^timestamp=42&recvWindow=5000&signature=[0-9a-f]{64}$/);
  assert.equal(out.headers['x-mbx-apikey'], 'REAL');
  assert.equal(Object.keys(out.headers).filter((h) => h === 'x-mbx-apikey').length, 1);
});

test('binance: classification by the endpoint table', () => {
  const c = (method: string, url: string, body = ''): ReturnType<typeof binance.classify> =>
    binance.classify(requestFromUrl(method, url, Buffer.from(body), body === '' ? {} : FORM));
  const order = c('POST', '/api/v3/order', 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.5&price=20000&timestamp=1');
  assert.equal(order.action, 'trade');
  assert.deepEqual(order.order, { symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  const market = c('POST', '/api/v3/order?symbol=BTCUSDT&side=SELL&type=MARKET&quoteOrderQty=100');
  assert.equal(market.order?.notional, 100);
  assert.equal(market.order?.price, null);
  assert.equal(c('DELETE', '/api/v3/order?symbol=BTCUSDT&orderId=1').action, 'cancel');
  assert.equal(c('GET', '/api/v3/account?timestamp=1').action, 'read');
  assert.equal(c('GET', '/api/v3/ticker/price?symbol=BTCUSDT').isPublic, true);
  for (const path of ['/sapi/v1/capital/withdraw/apply', '/sapi/v1/localentity/withdraw/apply', '/sapi/v1/managed-subaccount/withdraw']) {
    assert.equal(c('POST', path, 'coin=BTC&address=x&amount=1').action, 'withdraw', path);
  }
  for (const path of ['/sapi/v1/asset/transfer', '/sapi/v1/sub-account/universalTransfer', '/sapi/v1/sub-account/transfer/subToMaster',
    '/sapi/v1/futures/transfer', '/sapi/v1/margin/isolated/transfer', '/sapi/v1/giftcard/createCode', '/sapi/v1/asset/convert-transfer']) {
    assert.equal(c('POST', path, 'asset=USDT&amount=1').action, 'transfer', path);
  }
  assert.equal(c('POST', '/api/v3/orderr', 'symbol=BTCUSDT').action, 'unknown');
  assert.equal(c('POST', '/api/v3/Order', 'symbol=BTCUSDT&side=BUY').action, 'unknown', 'case matters');
  assert.equal(c('POST', '/api/v3/order?symbol=BTCUSDT', 'symbol=SHIBUSDT&side=BUY&type=MARKET&quantity=1').action, 'unknown', 'one name twice');
  assert.equal(c('POST', '/api/v3/order', 'symbol=BTC%ZZ&side=BUY').action, 'unknown', 'bad escape');
  assert.equal(binance.classify(requestFromUrl('POST', '/api/v3/order', Buffer.from('{"symbol":"BTCUSDT"}'), { 'content-type': 'application/json' })).action, 'unknown');
});

test('binance: permissions from apiRestrictions, errors in Binance\'s own format', () => {
  const p = binance.permissions.parse(200, Buffer.from(JSON.stringify({ ipRestrict: false, enableReading: true, enableSpotAndMarginTrading: true, enableWithdrawals: true, enableInternalTransfer: false, permitsUniversalTransfer: false })));
  assert.deepEqual({ ...p, native: [] }, { read: true, trade: true, withdraw: true, transfer: false, ipRestricted: false, ipAllowlist: null, native: [] });
  assert.throws(() => binance.permissions.parse(401, Buffer.from('{"code":-2015,"msg":"Invalid API-key"}')), /Binance answered 401/);
  const e = binance.renderError({ kind: 'forbidden', code: 'KW_POLICY_DENIED', message: 'withdrawals are never signed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { code: -2015, msg: 'Keyward KW_POLICY_DENIED: withdrawals are never signed' });
});

test('binance: every refusal makes ccxt raise its usual error class', () => {
  const expected = { auth: 'AuthenticationError', forbidden: 'AuthenticationError', invalid: 'BadRequest', 'rate-limited': 'DDoSProtection', unavailable: 'OperationFailed' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = binance.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('binance', rendered, 'https://api.binance.com/api/v3/order', 'POST'), cls, kind);
  }
});
