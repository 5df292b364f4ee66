import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors } from '../testing/index.js';
import { bitfinex } from './bitfinex.js';
import { requestFromUrl } from './request.js';

const JSON_CT = { 'content-type': 'application/json' };
const NOW = 1_700_000_000_123;
const NONCE = 1_700_000_000_456_000;
const CREDS = { apiKey: 'kwFakeBitfinexKey', secret: 'kwFakeBitfinexSecret' };

test('bitfinex: no official worked example exists, and the vector file says why', () => {
  assert.deepEqual(officialVectors('bitfinex'), []);
  const file = JSON.parse(readFileSync(new URL('./testdata/official-vectors/bitfinex.json', import.meta.url), 'utf8')) as { notUsable: string[] };
  assert.match(file.notUsable.join(' '), /no worked example/);
});

test('bitfinex: the research vector and the documented recipe, recomputed with node:crypto', () => {
  // ../shared/research/exchanges.md §4 (ccxt 4.5.84, verified there with node:crypto).
  const body = '{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.01","price":"20000"}';
  const key = handleFor(bitfinex, CREDS);
  const out = bitfinex.sign(requestFromUrl('POST', '/v2/auth/w/order/submit', Buffer.from(body), JSON_CT), key, { nowMs: NOW, nonce: 1_700_000_000_123n });
  assert.equal(out.headers['bfx-signature'], 'ebb9278b3549108578583b70ae3d66facaab58d48492e175a068d9c79732b2820a33df8ba6f8503f148ce31d54e207a8');
  assert.equal(out.headers['bfx-nonce'], '1700000000123');
  assert.equal(out.body.toString(), body);
  const expected = createHmac('sha384', CREDS.secret).update(`/api/v2/auth/w/order/submit1700000000123${body}`).digest('hex');
  assert.equal(out.headers['bfx-signature'], expected);
  key.release();
});

test('bitfinex: ccxt and the adapter sign reads, an order and cancels identically', () => {
  const calls = [
    { path: 'auth/r/wallets', api: 'private', method: 'POST', params: {} },
    { path: 'auth/r/permissions', api: 'private', method: 'POST', params: {} },
    { path: 'auth/r/orders/{symbol}', api: 'private', method: 'POST', params: { symbol: 'tBTCUSD' } },
    { path: 'auth/w/order/submit', api: 'private', method: 'POST', params: { type: 'EXCHANGE LIMIT', symbol: 'tBTCUSD', amount: '-0.5', price: '30000', flags: 0 } },
    { path: 'auth/w/order/cancel', api: 'private', method: 'POST', params: { id: 123456789 } },
    { path: 'auth/w/order/cancel/multi', api: 'private', method: 'POST', params: { all: 1 } },
  ];
  const ex = ccxtExchange('bitfinex', CREDS, NOW);
  ex.nonce = () => NONCE;
  const key = handleFor(bitfinex, CREDS);
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    const ours = bitfinex.sign(theirs.request, key, { nowMs: NOW, nonce: BigInt(NONCE) });
    assert.equal(ours.path, theirs.request.path, call.path);
    assert.equal(ours.body.toString(), theirs.request.body.toString(), `${call.path} body`);
    for (const h of ['bfx-nonce', 'bfx-apikey', 'bfx-signature', 'content-type']) assert.equal(ours.headers[h], theirs.headers[h], `${call.path} ${h}`);
  }
  key.release();
});

test('bitfinex: the client\'s key, nonce, signature and any bfx-token are replaced; an empty body is sent and signed as {}', () => {
  const key = handleFor(bitfinex, CREDS);
  const ctx = { nowMs: NOW, nonce: 1_700_000_000_999n };
  const req = requestFromUrl('POST', '/v2/auth/r/wallets', Buffer.alloc(0), { 'bfx-apikey': 'kw_token', 'bfx-nonce': '1', 'bfx-signature': 'forged', 'bfx-token': 'someone-else', 'user-agent': 'bot/1' });
  const out = bitfinex.sign(req, key, ctx);
  assert.equal(out.body.toString(), '{}');
  assert.equal(out.headers['bfx-apikey'], CREDS.apiKey);
  assert.equal(out.headers['bfx-nonce'], '1700000000999');
  assert.equal(out.headers['bfx-token'], undefined);
  assert.equal(out.headers['user-agent'], 'bot/1');
  assert.equal(out.headers['bfx-signature'], createHmac('sha384', CREDS.secret).update('/api/v2/auth/r/wallets1700000000999{}').digest('hex'));
  // The permission check's own request signs as it stands.
  assert.equal(bitfinex.sign(bitfinex.permissions.request(), key, ctx).body.toString(), '{}');
  // Whitespace in the client's JSON is kept, and signed as sent.
  const spaced = bitfinex.sign(requestFromUrl('POST', '/v2/auth/w/order/cancel', Buffer.from('{ "id": 1 }'), JSON_CT), key, ctx);
  assert.equal(spaced.headers['bfx-signature'], createHmac('sha384', CREDS.secret).update('/api/v2/auth/w/order/cancel1700000000999{ "id": 1 }').digest('hex'));
  assert.throws(() => bitfinex.sign(requestFromUrl('POST', '/v2/auth/r/wallets?x=1', Buffer.alloc(0)), key, ctx), /query string/);
  assert.throws(() => bitfinex.sign(requestFromUrl('GET', '/v2/ticker/tBTCUSD', Buffer.alloc(0)), key, ctx), /only POST/);
  key.release();
});

const c = (url: string, body = '', headers: Record<string, string> = JSON_CT, method = 'POST'): ReturnType<typeof bitfinex.classify> =>
  bitfinex.classify(requestFromUrl(method, url, Buffer.from(body), body === '' ? {} : headers));
const SUBMIT = '/v2/auth/w/order/submit';

test('bitfinex: orders are classified with their details; the side is the sign of the amount', () => {
  const buy = c(SUBMIT, '{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0.5","price":"20000"}');
  assert.equal(buy.action, 'trade');
  assert.equal(buy.endpoint, 'POST /v2/auth/w/order/submit');
  assert.deepEqual(buy.order, { symbol: 'tBTCUSD', side: 'buy', type: 'exchange limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  assert.equal(buy.symbol, 'tBTCUSD');
  const sell = c(SUBMIT, '{"type":"EXCHANGE MARKET","symbol":"tETHUSD","amount":-2}');
  assert.deepEqual(sell.order, { symbol: 'tETHUSD', side: 'sell', type: 'exchange market', quantity: '2', price: null, quoteQuantity: null, notional: null });
  // STOP LIMIT: price is the trigger, price_aux_limit the limit.
  const stopLimit = c(SUBMIT, '{"type":"EXCHANGE STOP LIMIT","symbol":"tBTCUSD","amount":"1","price":"21000","price_aux_limit":"21500"}');
  assert.equal(stopLimit.order?.price, '21500');
  assert.equal(stopLimit.order?.notional, 21500);
  assert.equal(c(SUBMIT, '{"type":"EXCHANGE STOP","symbol":"tBTCUSD","amount":"-1","price":"19000"}').order?.price, null, 'a stop fills at market');
  // OCO adds a stop leg at price_oco_stop that fills at market: the order has no worst price.
  const oco = c(SUBMIT, '{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"1","price":"20000","flags":16384,"price_oco_stop":"15000"}');
  assert.equal(oco.order?.price, null);
});

test('bitfinex: cancels, reads and public market data', () => {
  assert.equal(c('/v2/auth/w/order/cancel', '{"id":1}').action, 'cancel');
  assert.equal(c('/v2/auth/w/order/cancel/multi', '{"all":1}').action, 'cancel');
  for (const p of ['/v2/auth/r/wallets', '/v2/auth/r/orders', '/v2/auth/r/orders/hist', '/v2/auth/r/trades/hist', '/v2/auth/r/permissions', '/v2/auth/r/info/user', '/v2/auth/r/movements/hist']) {
    assert.equal(c(p).action, 'read', p);
    assert.equal(c(p, '{}').action, 'read', `${p} {}`);
  }
  assert.equal(c('/v2/auth/r/orders/tBTCUSD', '{}').symbol, 'tBTCUSD');
  const ticker = c('/v2/ticker/tBTCUSD', '', {}, 'GET');
  assert.equal(ticker.action, 'read');
  assert.equal(ticker.isPublic, true);
  assert.equal(ticker.symbol, 'tBTCUSD');
  assert.equal(c('/v2/book/tBTCUSD/P0?len=25', '', {}, 'GET').isPublic, true);
});

test('bitfinex: every withdrawal and transfer path is a withdrawal or a transfer, whatever the body', () => {
  const withdrawals = ['/v2/auth/w/withdraw', '/v2/auth/w/ext/wallets/withdrawals/request', '/v2/auth/w/token', '/v2/auth/w/Withdraw', '/v2/auth/w/withdraw/new'];
  for (const p of withdrawals) {
    for (const body of ['{"wallet":"exchange","method":"bitcoin","amount":"1","address":"x"}', '{"a":1,"a":2}', 'not json', '']) {
      assert.equal(c(p, body).action, 'withdraw', `${p} ${body}`);
    }
    assert.equal(c(`${p}?x=1`, '{}').action, 'withdraw', `${p} with a query`);
  }
  assert.equal(c('/v2/auth/w/%77ithdraw', '{}').action, 'withdraw', 'spelt with an escape');
  const transfers = ['/v2/auth/w/transfer', '/v2/auth/w/Transfer', '/v2/auth/w/ext/wallets/deposits/request', '/v2/auth/w/ext/pay/invoice/create',
    '/v2/auth/w/funding/offer/submit', '/v2/auth/w/funding/close', '/v2/auth/w/funding/auto', '/v2/auth/r/ext/wallets/transfers/free/count'];
  for (const p of transfers) assert.equal(c(p, '{"from":"exchange","to":"margin","currency":"USD","amount":"1"}').action, 'transfer', p);
});

test('bitfinex: admin and unpriceable requests are refused with a reason', () => {
  const refused: [string, RegExp][] = [
    ['/v2/auth/w/order/update', /update/],
    ['/v2/auth/w/order/multi', /multi/],
    ['/v2/auth/w/position/close', /position/],
    ['/v2/auth/w/settings/set', /settings/],
    ['/v2/auth/w/deposit/address', /deposit address/],
    ['/v2/auth/w/deposit/invoice', /invoice/],
  ];
  for (const [path, reason] of refused) {
    const r = c(path, '{"id":1}');
    assert.equal(r.action, 'unknown', path);
    assert.match(r.reason ?? '', reason, path);
  }
});

test('bitfinex: typos, case changes, duplicates and bodies read two ways are unknown', () => {
  const order = '"symbol":"tBTCUSD","amount":"1","price":"20000"';
  const unknown: [string, string, Record<string, string>, string][] = [
    ['/v2/auth/w/order/submitt', `{"type":"EXCHANGE LIMIT",${order}}`, JSON_CT, 'a typo'],
    ['/v2/auth/w/Order/submit', `{"type":"EXCHANGE LIMIT",${order}}`, JSON_CT, 'case matters'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT",${order},"symbol":"tSHIBUSD"}`, JSON_CT, 'a JSON key twice'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT",${order}}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'not JSON'],
    [`${SUBMIT}?symbol=tSHIBUSD`, `{"type":"EXCHANGE LIMIT",${order}}`, JSON_CT, 'a query string beside the body'],
    [SUBMIT, `{"type":"exchange limit",${order}}`, JSON_CT, 'type case'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"0","price":"1"}`, JSON_CT, 'a zero amount'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"1e2","price":"1"}`, JSON_CT, 'an exponent'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT","symbol":"tBTCUSD","amount":"1"}`, JSON_CT, 'a limit without a price'],
    [SUBMIT, `{"type":"EXCHANGE TWAP",${order}}`, JSON_CT, 'an unknown type'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT",${order},"flags":"x"}`, JSON_CT, 'flags that are not a number'],
    [SUBMIT, '[0,"on",null,{}]', JSON_CT, 'a JSON array'],
    [SUBMIT, `{"type":"EXCHANGE LIMIT",${order},"Symbol":"tSHIBUSD"}`, JSON_CT, 'one key in two cases'],
  ];
  for (const [path, body, headers, why] of unknown) {
    const r = c(path, body, headers);
    assert.equal(r.action, 'unknown', why);
    assert.ok((r.reason ?? '') !== '', why);
  }
  assert.equal(c('/v2/auth/r/wallets', '{}', JSON_CT, 'GET').action, 'unknown', 'authenticated endpoints are POSTs');
  const notUtf8 = bitfinex.classify(requestFromUrl('POST', '/v2/auth/w/order/cancel', Buffer.from([0x7b, 0x22, 0x69, 0xff, 0x22, 0x3a, 0x31, 0x7d]), JSON_CT));
  assert.equal(notUtf8.action, 'unknown');
  assert.match(notUtf8.reason ?? '', /UTF-8/);
});

test('bitfinex: permissions from auth/r/permissions; an error answer is refused', () => {
  const answer = [['account', 1, 0], ['history', 1, 0], ['orders', 1, 1], ['positions', 1, 0], ['funding', 1, 0], ['settings', 1, 0], ['wallets', 1, 0], ['withdraw', 0, 0], ['ui_withdraw', 0, 0], ['bfxpay', 0, 0]];
  const p = bitfinex.permissions.parse(200, Buffer.from(JSON.stringify(answer)));
  assert.deepEqual({ ...p, native: [] }, { read: true, trade: true, withdraw: false, transfer: false, ipRestricted: null, ipAllowlist: null, native: [] });
  assert.ok(p.native.includes('orders:write'));
  const risky = [['orders', 1, 0], ['wallets', 1, 1], ['withdraw', 1, 1], ['ui_withdraw', 0, 0], ['bfxpay', 0, 0], ['funding', 0, 0]];
  const r = bitfinex.permissions.parse(200, Buffer.from(JSON.stringify(risky)));
  assert.deepEqual([r.trade, r.withdraw, r.transfer], [false, true, true]);
  const partial = bitfinex.permissions.parse(200, Buffer.from(JSON.stringify([['orders', 1, 1]])));
  assert.deepEqual([partial.withdraw, partial.transfer], [null, null], 'scopes not reported are unknown');
  assert.throws(() => bitfinex.permissions.parse(500, Buffer.from('["error",10100,"apikey: invalid"]')), /Bitfinex answered 500/);
  assert.throws(() => bitfinex.permissions.parse(200, Buffer.from('["error",10100,"apikey: invalid"]')), /Bitfinex answered 200/);
  assert.equal(bitfinex.classify(bitfinex.permissions.request()).action, 'read');
});

test('bitfinex: refusals in Bitfinex\'s own format make ccxt raise its usual error class', () => {
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = bitfinex.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.ok(rendered.body.includes('Keyward KW_TEST: refused'), kind);
    assert.equal(ccxtErrorFor('bitfinex', rendered, 'https://api.bitfinex.com/v2/auth/w/order/submit', 'POST'), cls, kind);
  }
  assert.deepEqual(JSON.parse(bitfinex.renderError({ kind: 'auth', code: 'KW_TOKEN_INVALID', message: 'the token is not valid' }).body), ['error', 10100, 'Keyward KW_TOKEN_INVALID: the token is not valid']);
});
