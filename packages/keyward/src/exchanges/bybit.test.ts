import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors } from '../testing/index.js';
import { bybit } from './bybit.js';
import { requestFromUrl } from './request.js';

const NOW_MS = 1_700_000_000_123;
const JSON_HEADERS = { 'content-type': 'application/json' };
const hmacHex = (secret: string, text: string): string => createHmac('sha256', secret).update(text, 'utf8').digest('hex');

test('bybit: no official numeric vector exists; the documented strings to sign are what is signed', () => {
  // bybit-exchange.github.io/docs/v5/guide shows the string to sign for a GET and a POST, with
  // "XXXXXXXXXX" for the key and the signature: the formula can be checked, a signature cannot.
  assert.deepEqual(officialVectors('bybit'), []);
  const key = handleFor(bybit, { apiKey: 'XXXXXXXXXX', secret: 'kwAnySecret' });
  const get = bybit.sign(requestFromUrl('GET', '/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C', Buffer.alloc(0)), key, { nowMs: 1658384314791, nonce: 0n });
  assert.equal(get.headers['x-bapi-sign'], hmacHex('kwAnySecret', '1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C'));
  // The POST example's body keeps its line breaks: the raw body is signed byte for byte.
  const rawBody = '{\n"category": "option"\n}';
  const post = bybit.sign(requestFromUrl('POST', '/v5/order/create', Buffer.from(rawBody), JSON_HEADERS), key, { nowMs: 1658385579423, nonce: 0n });
  assert.equal(post.headers['x-bapi-sign'], hmacHex('kwAnySecret', `1658385579423XXXXXXXXXX5000${rawBody}`));
  assert.equal(post.body.toString(), rawBody);
  key.release();
});

test('bybit: the ccxt 4.5.84 vector recorded in the research reproduces', () => {
  const key = handleFor(bybit, { apiKey: 'kwFakeBybitKey', secret: 'kwFakeBybitSecret' });
  const body = '{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"20000","orderLinkId":"kwtest1"}';
  const out = bybit.sign(requestFromUrl('POST', 'https://api.bybit.com/v5/order/create', Buffer.from(body), { ...JSON_HEADERS, 'X-BAPI-RECV-WINDOW': '5000' }), key, { nowMs: NOW_MS, nonce: 0n });
  assert.equal(out.headers['x-bapi-sign'], '7ebfcb9ad2d7f12836930c16232c5893fd56c70c1cc3b8e3ac88d0ee24c1216c');
  key.release();
});

test('bybit: ccxt and the adapter sign reads, an order and cancels identically', () => {
  const calls = [
    { path: 'v5/user/query-api', api: 'private', method: 'GET', params: {} },
    { path: 'v5/order/realtime', api: 'private', method: 'GET', params: { category: 'spot', symbol: 'BTCUSDT' } },
    { path: 'v5/account/wallet-balance', api: 'private', method: 'GET', params: { accountType: 'UNIFIED', coin: 'BTC,USDT' } },
    { path: 'v5/order/create', api: 'private', method: 'POST', params: { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01', price: '20000', orderLinkId: 'kw-1' } },
    { path: 'v5/order/cancel', api: 'private', method: 'POST', params: { category: 'spot', symbol: 'BTCUSDT', orderId: '1321003749386327552' } },
    { path: 'v5/order/cancel-all', api: 'private', method: 'POST', params: { category: 'linear', symbol: 'ETHUSDT' } },
  ];
  for (const recvWindow of [5000, 20000]) {
    const ex = ccxtExchange('bybit', { apiKey: 'kwFakeBybitKey', secret: 'kwFakeBybitSecret0123', options: { recvWindow } }, NOW_MS);
    const key = handleFor(bybit, { apiKey: 'kwFakeBybitKey', secret: 'kwFakeBybitSecret0123' });
    for (const call of calls) {
      const theirs = ccxtSign(ex, call);
      const label = `${call.method} ${call.path} (recv window ${String(recvWindow)})`;
      assert.equal(theirs.headers['x-bapi-recv-window'], String(recvWindow), label);
      const ours = bybit.sign(theirs.request, key, { nowMs: NOW_MS, nonce: 0n });
      for (const h of ['x-bapi-sign', 'x-bapi-timestamp', 'x-bapi-recv-window', 'x-bapi-api-key']) assert.equal(ours.headers[h], theirs.headers[h], `${label} ${h}`);
      assert.equal(ours.query, theirs.request.query, label);
      assert.equal(ours.body.toString(), theirs.request.body.toString(), label);
      assert.notEqual(bybit.classify(theirs.request).action, 'unknown', `${label} is classified`);
    }
    key.release();
  }
});

test('bybit: the client\'s own key, signature, timestamp and odd recv windows are replaced', () => {
  const key = handleFor(bybit, { apiKey: 'REAL', secret: 's' });
  const req = requestFromUrl('GET', '/v5/position/list?category=linear', Buffer.alloc(0), {
    'X-BAPI-API-KEY': 'kw_token', 'X-BAPI-SIGN': 'deadbeef', 'X-BAPI-TIMESTAMP': '1', 'X-BAPI-RECV-WINDOW': '10000', 'X-BAPI-SIGN-TYPE': '2',
  });
  const out = bybit.sign(req, key, { nowMs: 42, nonce: 0n });
  assert.deepEqual(Object.keys(out.headers).sort(), ['x-bapi-api-key', 'x-bapi-recv-window', 'x-bapi-sign', 'x-bapi-timestamp']);
  assert.equal(out.headers['x-bapi-api-key'], 'REAL');
  assert.equal(out.headers['x-bapi-timestamp'], '42');
  assert.equal(out.headers['x-bapi-recv-window'], '10000', 'a sane recv window is kept');
  assert.equal(out.headers['x-bapi-sign'], hmacHex('s', '42REAL10000category=linear'));
  for (const odd of ['0', '600000', '5000.5', 'abc', '']) {
    const r = bybit.sign(requestFromUrl('GET', '/v5/position/list', Buffer.alloc(0), { 'X-BAPI-RECV-WINDOW': odd }), key, { nowMs: 42, nonce: 0n });
    assert.equal(r.headers['x-bapi-recv-window'], '5000', `recv window ${JSON.stringify(odd)}`);
  }
  key.release();
  const ed = handleFor(bybit, { apiKey: 'x', privateKey: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n-----END PRIVATE KEY-----\n' });
  assert.throws(() => bybit.sign(req, ed, { nowMs: 42, nonce: 0n }), (e: Error & { code?: string }) => e.code === 'KW_CREDENTIAL_INVALID');
  ed.release();
});

const c = (method: string, url: string, body: unknown = undefined): ReturnType<typeof bybit.classify> =>
  bybit.classify(requestFromUrl(method, url, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)), body === undefined ? {} : JSON_HEADERS));
const create = (fields: Record<string, unknown>): ReturnType<typeof bybit.classify> =>
  c('POST', '/v5/order/create', { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.5', price: '20000', ...fields });

test('bybit: orders, with the unit of qty read the way Bybit reads it', () => {
  const limit = create({});
  assert.equal(limit.action, 'trade');
  assert.equal(limit.endpoint, 'POST /v5/order/create');
  assert.deepEqual(limit.order, { symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  // A spot market buy is sized in the quote coin unless marketUnit says otherwise; a sell in the base coin.
  assert.deepEqual(create({ orderType: 'Market', qty: '100', price: undefined }).order,
    { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  assert.deepEqual(create({ orderType: 'Market', side: 'Sell', qty: '0.1', price: '1' }).order,
    { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.1', price: null, quoteQuantity: null, notional: null });
  assert.equal(create({ orderType: 'Market', marketUnit: 'baseCoin', qty: '0.1' }).order?.quantity, '0.1');
  assert.equal(create({ orderType: 'Market', side: 'Sell', marketUnit: 'quoteCoin', qty: '250' }).order?.notional, 250);
  assert.equal(create({ category: 'linear', symbol: 'ETHUSDT', qty: '2', price: '1500' }).order?.notional, 3000);
  const inverse = create({ category: 'inverse', symbol: 'BTCUSD', qty: '300', price: '20000' });
  assert.deepEqual([inverse.order?.quantity, inverse.order?.quoteQuantity, inverse.order?.notional], [null, '300', 300], 'inverse qty is USD contracts');
  assert.equal(create({ category: 'option', symbol: 'BTC-29JUL22-25000-C', qty: '1', price: '500' }).order?.notional, 500);
});

test('bybit: cancels and reads', () => {
  const cancel = c('POST', '/v5/order/cancel', { category: 'spot', symbol: 'BTCUSDT', orderId: '1' });
  assert.equal(cancel.action, 'cancel');
  assert.equal(cancel.symbol, 'BTCUSDT');
  assert.equal(c('POST', '/v5/order/cancel-all', { category: 'linear', settleCoin: 'USDT' }).action, 'cancel');
  assert.equal(c('POST', '/v5/order/cancel-batch', { category: 'spot', request: [{ symbol: 'BTCUSDT', orderId: '1' }] }).action, 'cancel');
  for (const url of ['/v5/order/realtime?category=spot&symbol=BTCUSDT', '/v5/account/wallet-balance?accountType=UNIFIED', '/v5/user/query-api',
    '/v5/position/list?category=linear&settleCoin=USDT', '/v5/execution/list?category=spot', '/v5/asset/transfer/query-account-coins-balance?accountType=FUND']) {
    assert.equal(c('GET', url).action, 'read', url);
  }
  assert.equal(c('GET', '/v5/order/history?category=spot&symbol=ETHUSDT').symbol, 'ETHUSDT');
  const pub = c('GET', '/v5/market/tickers?category=spot&symbol=BTCUSDT');
  assert.equal(pub.isPublic, true);
  assert.equal(bybit.classify(bybit.permissions.request()).action, 'read', 'the permission check is itself a read the table knows');
});

test('bybit: every withdrawal and every kind of transfer is a withdraw or a transfer', () => {
  for (const path of ['/v5/asset/withdraw/create', '/v5/asset/withdraw/cancel', '/v5/asset/%77ithdraw/create', '/V5/Asset/Withdraw/Create', '/asset/v3/private/withdraw/create']) {
    assert.equal(c('POST', path, { coin: 'USDT', chain: 'ETH', address: 'x', amount: '1' }).action, 'withdraw', path);
  }
  for (const path of ['/v5/asset/transfer/inter-transfer', '/v5/asset/transfer/universal-transfer', '/v5/asset/transfer/save-transfer-sub-member',
    '/v5/broker/award/distribute-award', '/v5/p2p/order/finish', '/asset/v3/private/transfer/inter-transfer/create',
    // the funding-balance exemption is for exactly two read paths, nothing below or beside them
    '/v5/asset/transfer/query-account-coins-balance/universal-transfer', '/v5/asset/transfer/query-account-coin-balance-x']) {
    assert.equal(c('POST', path, { transferId: 'x', coin: 'USDT', amount: '1' }).action, 'transfer', path);
  }
  assert.equal(c('GET', '/v5/asset/transfer/query-inter-transfer-list').action, 'transfer', 'transfer history is refused with transfers');
  assert.equal(c('POST', '/v5/asset/transfer/universal-transfer', '{"amount":"1","amount":"2"}').action, 'transfer', 'even when ambiguous');
  assert.equal(c('POST', '/v5/asset/transfer/query-account-coins-balance', {}).action, 'unknown', 'the exempt read is GET only');
});

test('bybit: everything else, and anything ambiguous, is unknown with a reason', () => {
  const unknown = (r: ReturnType<typeof bybit.classify>, why: RegExp, label: string): void => {
    assert.equal(r.action, 'unknown', label);
    assert.match(r.reason ?? '', why, label);
  };
  unknown(c('POST', '/v5/order/creat', {}), /endpoint table/, 'not in the table');
  unknown(c('POST', '/v5/Order/create', { category: 'spot' }), /endpoint table/, 'case matters');
  unknown(c('POST', '/v5/order/amend', { category: 'spot', symbol: 'BTCUSDT', orderId: '1', price: '1' }), /amendment/, 'amend');
  unknown(c('POST', '/v5/order/create-batch', { category: 'spot', request: [] }), /batch/, 'batch create');
  unknown(c('POST', '/v5/user/create-sub-api', { permissions: {} }), /administration/, 'key admin');
  unknown(c('POST', '/v5/asset/exchange/convert-execute', { quoteTxId: 'x' }), /conversion/, 'convert');
  unknown(c('POST', '/v5/position/set-leverage', { category: 'linear', symbol: 'BTCUSDT' }), /endpoint table/, 'unlisted write');
  unknown(create({ side: 'BUY' }), /side/, 'side spelling');
  unknown(create({ orderType: 'limit' }), /orderType/, 'type spelling');
  unknown(create({ category: undefined }), /category/, 'no category');
  unknown(create({ qty: 0.5 }), /JSON string/, 'qty as a number');
  unknown(create({ price: undefined }), /price/, 'limit without price');
  unknown(create({ takeProfit: '30000' }), /take-profit/, 'attached TP');
  unknown(create({ marketUnit: 'quoteCoin' }), /spot market/, 'marketUnit on a limit order');
  unknown(create({ orderType: 'Market', marketUnit: 'usd' }), /marketUnit/, 'bad marketUnit');
  unknown(create({ Symbol: 'SHIBUSDT' }), /same field/, 'case-insensitive duplicate');
  unknown(c('POST', '/v5/order/create', { category: 'spot', symbol: 'BTCUSDT', side: 'Sell', orderType: 'Market', qty: '1', MarketUnit: 'quoteCoin' }), /spelt "marketUnit"/, 'respelt field');
  unknown(c('POST', '/v5/order/create', '{"category":"spot","symbol":"BTCUSDT","ſymbol":"SHIBUSDT","side":"Buy","orderType":"Market","qty":"1"}'), /ASCII/, 'Unicode case folding');
  unknown(c('POST', '/v5/order/create', '{"category":"spot","symbol":"BTCUSDT","symbol":"SHIBUSDT","side":"Buy","orderType":"Market","qty":"1"}'), /twice/, 'duplicate key');
  unknown(c('POST', '/v5/order/create?symbol=SHIBUSDT', { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '1' }), /query string/, 'POST with a query');
  unknown(bybit.classify(requestFromUrl('GET', '/v5/order/realtime?category=spot', Buffer.from('{}'), JSON_HEADERS)), /body/, 'GET with a body');
  unknown(c('GET', '/v5/order/realtime?symbol=BTCUSDT&symbol=SHIBUSDT'), /2 times/, 'repeated parameter');
  unknown(c('GET', '/v5/order/realtime?symbol=BTCUSDT&SYMBOL=SHIBUSDT'), /same field|spelt/, 'parameter in another case');
  unknown(c('GET', '/v5/order/realtime?symbol=%ZZ'), /escape/, 'bad escape');
  unknown(c('GET', '/v5/market/tickers%2F..%2Fx'), /path/, 'escaped path');
  unknown(c('PUT', '/v5/order/create', { category: 'spot' }), /endpoint table|GET and POST/, 'PUT');
});

test('bybit: permissions from query-api', () => {
  // The example answer in Bybit's docs (v5/user/apikey-info).
  const docs = {
    retCode: 0, retMsg: '', result: {
      id: '13770661', note: 'XXXXXX', apiKey: 'XXXXXX', readOnly: 0, secret: '',
      permissions: { ContractTrade: ['Order', 'Position'], Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'SubMemberTransfer'], Options: ['OptionsTrade'], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [], Affiliate: [] },
      ips: ['*'], type: 1, deadlineDay: 66, expiredAt: '2023-12-22T07:20:25Z', createdAt: '2022-10-16T02:24:40Z', uta: 0, userID: 24617703, isMaster: true,
    }, retExtInfo: {}, time: 1697525990798,
  };
  const p = bybit.permissions.parse(200, Buffer.from(JSON.stringify(docs)));
  assert.deepEqual({ ...p, native: [] }, { read: true, trade: true, withdraw: false, transfer: true, ipRestricted: false, ipAllowlist: null, native: [] });
  assert.deepEqual(p.native, ['ContractTrade:Order', 'ContractTrade:Position', 'Spot:SpotTrade', 'Wallet:AccountTransfer', 'Wallet:SubMemberTransfer', 'Options:OptionsTrade']);
  const with_ = (result: Record<string, unknown>): ReturnType<typeof bybit.permissions.parse> =>
    bybit.permissions.parse(200, Buffer.from(JSON.stringify({ ...docs, result: { ...docs.result, ...result } })));
  const readOnly = with_({ readOnly: 1, permissions: { Spot: [], Wallet: [] }, ips: ['203.0.113.7'] });
  assert.deepEqual({ ...readOnly, native: [] }, { read: true, trade: false, withdraw: false, transfer: false, ipRestricted: true, ipAllowlist: ['203.0.113.7'], native: [] });
  assert.deepEqual(readOnly.native, ['readOnly']);
  assert.equal(with_({ permissions: { Wallet: ['Withdraw'] } }).withdraw, true);
  assert.equal(with_({ permissions: { FiatP2P: ['FiatP2POrder'] } }).withdraw, true, 'P2P hands coins to others');
  assert.deepEqual([with_({ permissions: undefined }).trade, with_({ permissions: undefined }).withdraw], [null, null], 'no permissions object: unknown');
  assert.throws(() => bybit.permissions.parse(200, Buffer.from('{"retCode":10003,"retMsg":"API key is invalid.","result":{},"retExtInfo":{}}')), /Bybit answered 200: .*10003/);
  assert.throws(() => bybit.permissions.parse(403, Buffer.from('<html>Forbidden</html>')), (e: Error & { code?: string }) => e.code === 'KW_EXCHANGE_REFUSED');
});

test('bybit: refusals in Bybit\'s error format, and ccxt raises its usual class for each', () => {
  const e = bybit.renderError({ kind: 'forbidden', code: 'KW_POLICY_DENIED', message: 'withdrawals are never signed' });
  assert.equal(e.status, 200, 'Bybit reports errors in retCode under HTTP 200');
  assert.deepEqual(JSON.parse(e.body), { retCode: 10005, retMsg: 'Keyward KW_POLICY_DENIED: withdrawals are never signed', result: {}, retExtInfo: {} });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeError' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = bybit.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('bybit', rendered, 'https://api.bybit.com/v5/order/create', 'POST'), cls, kind);
  }
});
