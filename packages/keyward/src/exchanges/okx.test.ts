import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { okx } from './okx.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const NOW = 1_700_000_000_123;
const CREDS = { apiKey: 'kw-fake-okx-key', secret: 'KWFAKEOKXSECRET', passphrase: 'KwPass-1' };

const c = (method: string, url: string, body: unknown = undefined, headers: Record<string, string> = JSON_CT): ReturnType<typeof okx.classify> =>
  okx.classify(requestFromUrl(method, url, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)), body === undefined ? {} : headers));

test('okx: no official worked example exists; the vector file says so, and any added later is run', () => {
  const record = JSON.parse(readFileSync(new URL('./testdata/official-vectors/okx.json', import.meta.url), 'utf8')) as { notUsable: string[] };
  assert.ok(record.notUsable.some((n) => n.includes('no worked example')));
  for (const v of officialVectors('okx')) {
    assert.ok(signedText(signVector(okx, { ...v, headers: v.body === '' ? {} : JSON_CT })).includes(v.expectedSignature), v.name);
  }
});

test('okx: the docs\' sample inputs sign as the documented formula says (node:crypto as the reference)', () => {
  // docs-v5 "Signing Messages": SecretKey 22582BD0CFF14C41EDBF1AB98506286D, timestamp 2020-12-08T09:08:57.715Z.
  const key = handleFor(okx, { apiKey: 'k', secret: '22582BD0CFF14C41EDBF1AB98506286D', passphrase: 'p' });
  const ts = '2020-12-08T09:08:57.715Z';
  const get = okx.sign(requestFromUrl('GET', '/api/v5/account/balance?ccy=BTC', Buffer.alloc(0)), key, { nowMs: Date.parse(ts), nonce: 0n });
  assert.equal(get.headers['ok-access-timestamp'], ts);
  assert.equal(get.headers['ok-access-sign'], createHmac('sha256', '22582BD0CFF14C41EDBF1AB98506286D').update(`${ts}GET/api/v5/account/balance?ccy=BTC`).digest('base64'));
  const body = '{"instId":"BTC-USDT","lever":"5","mgnMode":"isolated"}';
  const post = okx.sign(requestFromUrl('POST', '/api/v5/account/set-leverage', Buffer.from(body), JSON_CT), key, { nowMs: Date.parse(ts), nonce: 0n });
  assert.equal(post.headers['ok-access-sign'], createHmac('sha256', '22582BD0CFF14C41EDBF1AB98506286D').update(`${ts}POST/api/v5/account/set-leverage${body}`).digest('base64'));
  key.release();
});

test('okx: the ccxt vector of research/exchanges.md §4 reproduces', () => {
  const key = handleFor(okx, CREDS);
  const out = okx.sign(requestFromUrl('GET', 'https://www.okx.com/api/v5/account/balance?ccy=BTC', Buffer.alloc(0)), key, { nowMs: NOW, nonce: 0n });
  assert.equal(out.headers['ok-access-timestamp'], '2023-11-14T22:13:20.123Z');
  assert.equal(out.headers['ok-access-sign'], '+2CTGa0eak0ikp7d/wPX3OMo92B8zxzXjXnCPSdX4O8=');
  assert.equal(out.headers['ok-access-passphrase'], 'KwPass-1');
  key.release();
});

test('okx: ccxt and the adapter sign reads, orders and cancels identically, headers and all', () => {
  const ex = ccxtExchange('okx', { apiKey: CREDS.apiKey, secret: CREDS.secret, password: CREDS.passphrase }, NOW);
  const key = handleFor(okx, CREDS);
  const calls = [
    { call: { path: 'account/balance', api: 'private', method: 'GET', params: { ccy: 'BTC' } }, action: 'read' },
    { call: { path: 'account/config', api: 'private', method: 'GET', params: {} }, action: 'read' },
    { call: { path: 'trade/orders-pending', api: 'private', method: 'GET', params: { instId: 'BTC-USDT' } }, action: 'read' },
    // ccxt's createOrder adds its broker id as clOrdId prefix and tag; that is the client's body, signed as sent.
    { call: { path: 'trade/order', api: 'private', method: 'POST', params: { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '20000', sz: '0.01', clOrdId: '6b9ad766b55dBCDE0123456789abcdef', tag: '6b9ad766b55dBCDE' } }, action: 'trade' },
    { call: { path: 'trade/order', api: 'private', method: 'POST', params: { instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100' } }, action: 'trade' },
    { call: { path: 'trade/cancel-order', api: 'private', method: 'POST', params: { instId: 'BTC-USDT', ordId: '590908157585625111' } }, action: 'cancel' },
    { call: { path: 'trade/cancel-batch-orders', api: 'private', method: 'POST', params: [{ instId: 'BTC-USDT', ordId: '1' }, { instId: 'BTC-USDT', clOrdId: 'b2' }] }, action: 'cancel' },
  ];
  for (const { call, action } of calls) {
    const theirs = ccxtSign(ex, call as Parameters<typeof ccxtSign>[1]);
    assert.equal(okx.classify(theirs.request).action, action, `${call.method} ${call.path}`);
    const ours = okx.sign(theirs.request, key, { nowMs: NOW, nonce: 0n });
    assert.equal(ours.query, theirs.request.query);
    assert.equal(ours.body.toString(), theirs.request.body.toString());
    assert.deepEqual(ours.headers, theirs.headers, `${call.method} ${call.path}`);
  }
  key.release();
});

test('okx: the client\'s key, signature, timestamp and passphrase are replaced by the gateway\'s', () => {
  const key = handleFor(okx, CREDS);
  const req = requestFromUrl('POST', '/api/v5/trade/cancel-order', Buffer.from('{"instId":"BTC-USDT","ordId":"1"}'), {
    ...JSON_CT, 'OK-ACCESS-KEY': 'kw_token', 'OK-ACCESS-SIGN': 'forged', 'OK-ACCESS-TIMESTAMP': '2001-01-01T00:00:00.000Z', 'OK-ACCESS-PASSPHRASE': 'client-guess', 'x-simulated-trading': '0',
  });
  const out = okx.sign(req, key, { nowMs: 42, nonce: 0n });
  assert.deepEqual(Object.keys(out.headers).sort(), ['content-type', 'ok-access-key', 'ok-access-passphrase', 'ok-access-sign', 'ok-access-timestamp', 'x-simulated-trading']);
  assert.equal(out.headers['ok-access-key'], 'kw-fake-okx-key');
  assert.equal(out.headers['ok-access-passphrase'], 'KwPass-1');
  assert.equal(out.headers['ok-access-timestamp'], '1970-01-01T00:00:00.042Z');
  assert.equal(out.headers['ok-access-sign'], createHmac('sha256', CREDS.secret).update(`1970-01-01T00:00:00.042ZPOST/api/v5/trade/cancel-order${req.body.toString()}`).digest('base64'));
  assert.equal(out.body, req.body);
  key.release();
});

test('okx: orders are classified with their details; tgtCcy decides whether sz is base or quote', () => {
  const limit = c('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '20000', sz: '0.5' });
  assert.equal(limit.action, 'trade');
  assert.deepEqual(limit.order, { symbol: 'BTC-USDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  const marketBuy = c('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100' });
  assert.deepEqual(marketBuy.order, { symbol: 'BTC-USDT', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  const marketBuyBase = c('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '0.1', tgtCcy: 'base_ccy' });
  assert.deepEqual([marketBuyBase.order?.quantity, marketBuyBase.order?.quoteQuantity, marketBuyBase.order?.notional], ['0.1', null, null]);
  const marketSell = c('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'market', sz: '0.1' });
  assert.deepEqual([marketSell.order?.quantity, marketSell.order?.quoteQuantity], ['0.1', null]);
  const marketSellQuote = c('POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'market', sz: '50', tgtCcy: 'quote_ccy' });
  assert.equal(marketSellQuote.order?.notional, 50);
  const postOnly = c('POST', '/api/v5/trade/order', { instId: 'ETH-USDT', tdMode: 'cash', side: 'sell', ordType: 'post_only', px: '2000', sz: '2', tgtCcy: 'quote_ccy' });
  assert.deepEqual([postOnly.order?.type, postOnly.order?.quantity, postOnly.order?.notional], ['post_only', '2', 4000]);
});

test('okx: cancels and reads, with the symbol they name', () => {
  const cancel = c('POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId: '1' });
  assert.deepEqual([cancel.action, cancel.symbol], ['cancel', 'BTC-USDT']);
  const batch = c('POST', '/api/v5/trade/cancel-batch-orders', [{ instId: 'BTC-USDT', ordId: '1' }, { instId: 'BTC-USDT', clOrdId: 'x' }]);
  assert.deepEqual([batch.action, batch.symbol], ['cancel', 'BTC-USDT']);
  assert.equal(c('POST', '/api/v5/trade/cancel-all-after', { timeOut: '60' }).action, 'cancel');
  assert.equal(c('POST', '/api/v5/trade/mass-cancel', { instType: 'OPTION', instFamily: 'BTC-USD' }).symbol, 'BTC-USD');
  const pending = c('GET', '/api/v5/trade/orders-pending?instId=ETH-USDT');
  assert.deepEqual([pending.action, pending.symbol, pending.isPublic], ['read', 'ETH-USDT', false]);
  assert.equal(c('GET', '/api/v5/account/balance?ccy=BTC').action, 'read');
  assert.equal(c('GET', '/api/v5/account/config').action, 'read');
  assert.equal(c('GET', '/api/v5/asset/balances').action, 'read');
  assert.equal(c('GET', '/api/v5/market/ticker?instId=BTC-USDT').isPublic, true);
});

test('okx: every withdrawal, transfer and key-administration path is a value exit', () => {
  for (const path of ['/api/v5/asset/withdrawal', '/api/v5/asset/withdrawal-lightning', '/api/v5/asset/cancel-withdrawal',
    '/api/v5/fiat/create-withdrawal', '/api/v5/fiat/cancel-withdrawal', '/api/v5/tradingBot/grid/withdraw-income']) {
    assert.equal(c('POST', path, { ccy: 'BTC', amt: '1', dest: '4', toAddr: 'x' }).action, 'withdraw', path);
  }
  for (const path of ['/api/v5/asset/transfer', '/api/v5/asset/subaccount/transfer', '/api/v5/users/subaccount/set-transfer-out',
    '/api/v5/users/subaccount/apikey', '/api/v5/users/subaccount/modify-apikey', '/api/v5/users/subaccount/delete-apikey',
    '/api/v5/users/subaccount/create-subaccount', '/api/v5/broker/nd/subaccount/apikey', '/api/v5/asset/broker/nd/subaccount-deposit-address']) {
    assert.equal(c('POST', path, { ccy: 'USDT', amt: '1', from: '6', to: '18' }).action, 'transfer', path);
  }
  // Case changes and escapes do not hide one; a value exit is never classified by its body.
  assert.equal(c('POST', '/api/v5/asset/WITHDRAWAL', { ccy: 'BTC' }).action, 'withdraw');
  assert.equal(c('POST', '/api/v5/asset/with%64rawal', { ccy: 'BTC' }).action, 'withdraw');
  assert.equal(c('POST', '/api/v5/asset/transfer', '{"ccy":"USDT","ccy":"BTC"}').action, 'transfer');
});

test('okx: anything not in the table, or read two ways, is unknown with a reason', () => {
  const order = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '20000', sz: '0.5' };
  const unknown: [string, string, unknown, RegExp][] = [
    ['POST', '/api/v5/trade/orderr', order, /not in the endpoint table/],
    ['POST', '/api/v5/trade/Order', order, /not in the endpoint table/],
    ['POST', '/api/v5/trade/order/', order, /empty segment/],
    ['POST', '/api/v5/trade/./order', order, /dot segment/],
    ['POST', '/api/v5/trade/%6Frder', order, /%-escape/],
    ['PUT', '/api/v5/trade/order', order, /not in the endpoint table/],
    ['POST', '/api/v5/trade/order', '{"instId":"BTC-USDT","instId":"SHIB-USDT","side":"buy","ordType":"market","sz":"1"}', /twice/],
    ['POST', '/api/v5/trade/order', { ...order, InstId: 'SHIB-USDT' }, /different letter case/],
    ['POST', '/api/v5/trade/order', { ...order, ſide: 'sell' }, /not plain ASCII/],
    ['POST', '/api/v5/trade/order?instId=SHIB-USDT', order, /also has a query/],
    ['POST', '/api/v5/trade/order', { ...order, px: 20000.5 }, /JSON number/],
    ['POST', '/api/v5/trade/order', { ...order, instId: 'BTC-USDT-SWAP' }, /not a spot instrument/],
    ['POST', '/api/v5/trade/order', { ...order, attachAlgoOrds: [{ tpTriggerPx: '1' }] }, /attachAlgoOrds/],
    ['POST', '/api/v5/trade/order', { ...order, ordType: 'LIMIT' }, /ordType/],
    ['POST', '/api/v5/trade/order', { ...order, side: 'BUY' }, /side/],
    ['POST', '/api/v5/trade/order', { ...order, ordType: 'market', tgtCcy: 'usd' }, /tgtCcy/],
    ['POST', '/api/v5/trade/order', [order], /not a JSON object/],
    ['POST', '/api/v5/trade/order', '', /not a spot instrument/],
    ['POST', '/api/v5/trade/batch-orders', [order, order], /a batch of several orders/],
    ['POST', '/api/v5/trade/batch-orders', [{ ...order, side: 'BUY' }], /side/],
    ['POST', '/api/v5/trade/amend-order', { instId: 'BTC-USDT', ordId: '1', newPx: '99999' }, /names no side/],
    ['POST', '/api/v5/trade/order-algo', { instId: 'BTC-USDT', side: 'buy', ordType: 'trigger' }, /algo orders/],
    ['POST', '/api/v5/trade/cancel-batch-orders', [{ instId: 'BTC-USDT', ordId: '1' }, { instId: 'ETH-USDT', ordId: '2' }], /several instruments/],
    ['POST', '/api/v5/trade/cancel-batch-orders', [{ instId: 'BTC-USDT' }], /no ordId/],
    ['GET', '/api/v5/trade/orders-pending?instId=BTC-USDT&instId=SHIB-USDT', undefined, /2 times/],
    ['GET', '/api/v5/trade/orders-pending?instId=BTC-USDT&INSTID=SHIB-USDT', undefined, /different letter case/],
    ['GET', '/api/v5/trade/orders-pending?instId=BTC-USDT;instId=SHIB-USDT', undefined, /'\+' or ';'/],
    ['GET', '/api/v5/asset/convert/currencies', undefined, /not in the endpoint table/],
  ];
  for (const [method, url, body, reason] of unknown) {
    const r = c(method, url, body);
    assert.equal(r.action, 'unknown', `${method} ${url}`);
    assert.match(r.reason ?? '', reason, `${method} ${url}: ${r.reason ?? ''}`);
  }
  const getWithBody = okx.classify(requestFromUrl('GET', '/api/v5/account/balance', Buffer.from('{"ccy":"BTC"}'), JSON_CT));
  assert.match(getWithBody.reason ?? '', /with a body/);
  const form = c('POST', '/api/v5/trade/order', 'instId=BTC-USDT&side=buy', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.match(form.reason ?? '', /application\/json/);
});

test('okx: permissions from /api/v5/account/config', () => {
  const answer = { code: '0', msg: '', data: [{ uid: '1', acctLv: '1', perm: 'read_only,trade', ip: '203.0.113.7,198.51.100.2', label: 'bot' }] };
  const p = okx.permissions.parse(200, Buffer.from(JSON.stringify(answer)));
  assert.deepEqual(p, { read: true, trade: true, withdraw: false, transfer: true, ipRestricted: true, ipAllowlist: ['203.0.113.7', '198.51.100.2'], native: ['read_only', 'trade'] });
  const withdraw = okx.permissions.parse(200, Buffer.from(JSON.stringify({ code: '0', msg: '', data: [{ perm: 'read_only,withdraw,trade', ip: '' }] })));
  assert.deepEqual([withdraw.withdraw, withdraw.ipRestricted, withdraw.ipAllowlist], [true, false, []]);
  const silent = okx.permissions.parse(200, Buffer.from(JSON.stringify({ code: '0', msg: '', data: [{ uid: '1' }] })));
  assert.deepEqual([silent.read, silent.trade, silent.withdraw, silent.transfer, silent.ipRestricted], [null, null, null, null, null]);
  assert.throws(() => okx.permissions.parse(401, Buffer.from('{"code":"50113","msg":"Invalid Sign","data":[]}')), /OKX answered 401/);
  assert.throws(() => okx.permissions.parse(200, Buffer.from('{"code":"50111","msg":"Invalid OK-ACCESS-KEY","data":[]}')), /OKX answered 200/);
  assert.deepEqual(okx.permissions.request(), { method: 'GET', path: '/api/v5/account/config', query: '', headers: {}, body: Buffer.alloc(0) });
});

test('okx: refusals in OKX\'s own format, and ccxt raises its usual class for each', () => {
  const e = okx.renderError({ kind: 'forbidden', code: 'KW_POLICY_VALUE_EXIT', message: 'withdrawals are never signed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), { code: '50110', msg: 'Keyward KW_POLICY_VALUE_EXIT: withdrawals are never signed', data: [] });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = okx.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('okx', rendered, 'https://www.okx.com/api/v5/trade/order', 'POST'), cls, kind);
  }
});

test('okx: a batch of one order (how ccxt places every order) is read as that order', () => {
  const one = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '20000' };
  const c = okx.classify({ method: 'POST', path: '/api/v5/trade/batch-orders', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify([one])) });
  assert.equal(c.action, 'trade');
  assert.equal(c.endpoint, 'POST /api/v5/trade/batch-orders (one order)');
  assert.deepEqual({ symbol: c.order?.symbol, side: c.order?.side, price: c.order?.price, notional: c.order?.notional }, { symbol: 'BTC-USDT', side: 'buy', price: '20000', notional: 200 });
});
