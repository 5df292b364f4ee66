import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { gemini } from './gemini.js';
import { requestFromUrl } from './request.js';

const NOW = 1_700_000_000_123;
const NONCE = 1_700_000_000_456;
// ccxt signs only account-scoped keys, whose names start with "account-".
const CREDS = { apiKey: 'account-kwFakeGeminiKey00', secret: 'kwFakeGeminiSecret' };

const b64 = (json: string): string => Buffer.from(json).toString('base64');
const payloadOf = (headers: Readonly<Record<string, string>>): string => Buffer.from(headers['x-gemini-payload'] ?? '', 'base64').toString();

test('gemini: the official example reproduces, its indented payload kept byte for byte', () => {
  const vectors = officialVectors('gemini');
  assert.ok(vectors.length >= 1);
  for (const v of vectors) {
    const signed = signVector(gemini, v);
    assert.equal(signed.headers['x-gemini-signature'], v.expectedSignature, v.name);
    assert.ok(signedText(signed).includes(v.expectedSignature));
    assert.equal(signed.headers['x-gemini-payload'], v.headers?.['X-GEMINI-PAYLOAD']);
  }
});

test('gemini: ccxt and the adapter sign reads, an order and a cancel identically; the body is not forwarded', () => {
  const calls = [
    { path: 'v1/balances', api: 'private', method: 'POST', params: {} },
    { path: 'v1/roles', api: 'private', method: 'POST', params: {} },
    { path: 'v1/mytrades', api: 'private', method: 'POST', params: { symbol: 'btcusd', limit_trades: 50 } },
    { path: 'v1/order/new', api: 'private', method: 'POST', params: { client_order_id: 'kw-1', symbol: 'btcusd', amount: '0.01', price: '20000', side: 'buy', type: 'exchange limit', options: ['maker-or-cancel'] } },
    { path: 'v1/order/cancel', api: 'private', method: 'POST', params: { order_id: 123456789 } },
    { path: 'v1/order/cancel/all', api: 'private', method: 'POST', params: {} },
  ];
  const ex = ccxtExchange('gemini', CREDS, NOW);
  ex.nonce = () => NONCE;
  const stale = ccxtExchange('gemini', CREDS, NOW);
  stale.nonce = () => 42;
  const key = handleFor(gemini, CREDS);
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    assert.ok(theirs.request.body.length > 0, 'ccxt sends the parameters as a body too');
    // ccxt's request as sent, the same with a stale nonce, and the docs' way (the payload alone).
    const inputs = [theirs.request, ccxtSign(stale, call).request, { ...theirs.request, body: Buffer.alloc(0) }];
    for (const input of inputs) {
      const ours = gemini.sign(input, key, { nowMs: NOW, nonce: BigInt(NONCE) });
      assert.equal(ours.path, theirs.request.path);
      for (const h of ['x-gemini-apikey', 'x-gemini-payload', 'x-gemini-signature', 'content-type']) assert.equal(ours.headers[h], theirs.headers[h], `${call.path} ${h}`);
      assert.equal(ours.body.length, 0, 'only the signed payload travels');
    }
    // A client that sends only ccxt's body gets the payload ccxt would have built.
    const bodyOnly = gemini.sign({ ...theirs.request, headers: { 'content-type': 'application/json' } }, key, { nowMs: NOW, nonce: BigInt(NONCE) });
    assert.equal(bodyOnly.headers['x-gemini-signature'], theirs.headers['x-gemini-signature'], `${call.path} from the body alone`);
  }
  key.release();
});

test('gemini: the client\'s key, payload nonce and signature are replaced; the nonce keeps its place and type', () => {
  const key = handleFor(gemini, CREDS);
  const ctx = { nowMs: NOW, nonce: 1_700_000_000_999n };
  const payload = '{"request":"/v1/orders","nonce":5,"account":"primary"}';
  const out = gemini.sign(requestFromUrl('POST', '/v1/orders', Buffer.alloc(0), {
    'X-GEMINI-APIKEY': 'kw_token', 'X-GEMINI-PAYLOAD': b64(payload), 'X-GEMINI-SIGNATURE': 'forged', 'Content-Type': 'application/json', 'Content-Length': '2',
  }), key, ctx);
  assert.equal(out.headers['content-type'], 'text/plain');
  assert.equal(out.headers['content-length'], undefined, 'the body sent is empty; the forwarder sets its length');
  assert.equal(payloadOf(out.headers), '{"request":"/v1/orders","nonce":1700000000999,"account":"primary"}');
  assert.equal(out.headers['x-gemini-apikey'], CREDS.apiKey);
  assert.equal(out.headers['x-gemini-signature'], createHmac('sha384', CREDS.secret).update(out.headers['x-gemini-payload'] ?? '').digest('hex'));
  assert.equal(Object.keys(out.headers).filter((h) => h.toLowerCase() === 'x-gemini-apikey').length, 1);
  const empty = gemini.sign(gemini.permissions.request(), key, ctx);
  assert.equal(payloadOf(empty.headers), '{"request":"/v1/roles","nonce":"1700000000999"}');
  assert.throws(() => gemini.sign(requestFromUrl('POST', '/v1/orders', Buffer.alloc(0), { 'x-gemini-payload': b64('{"request":"/v1/withdraw/btc","nonce":1}') }), key, ctx), /another endpoint/);
  assert.throws(() => gemini.sign(requestFromUrl('POST', '/v1/orders?x=1', Buffer.alloc(0)), key, ctx), /query string/);
  assert.throws(() => gemini.sign(requestFromUrl('GET', '/v1/symbols', Buffer.alloc(0)), key, ctx), /only POST/);
  key.release();
});

const c = (path: string, payload: string | null, body = '', method = 'POST'): ReturnType<typeof gemini.classify> =>
  gemini.classify(requestFromUrl(method, path, Buffer.from(body), payload === null ? {} : { 'x-gemini-payload': b64(payload) }));
const p = (path: string, params = ''): string => `{"request":"${path}","nonce":"1"${params === '' ? '' : `,${params}`}}`;

test('gemini: orders are classified with their details from the payload', () => {
  const order = c('/v1/order/new', p('/v1/order/new', '"symbol":"btcusd","amount":"0.5","price":"20000","side":"buy","type":"exchange limit"'));
  assert.equal(order.action, 'trade');
  assert.equal(order.endpoint, 'POST /v1/order/new');
  assert.deepEqual(order.order, { symbol: 'btcusd', side: 'buy', type: 'exchange limit', quantity: '0.5', price: '20000', quoteQuantity: null, notional: 10000 });
  // A stop limit's price is its limit (stop_price is the trigger).
  const stop = c('/v1/order/new', p('/v1/order/new', '"symbol":"ethusd","amount":"2","price":"1500","stop_price":"1550","side":"sell","type":"exchange stop limit"'));
  assert.equal(stop.order?.price, '1500');
  assert.equal(stop.order?.side, 'sell');
  // The body alone (no payload header) is read the same way.
  const bodyOnly = c('/v1/order/new', null, '{"symbol":"btcusd","amount":"0.5","price":"20000","side":"buy","type":"exchange limit"}');
  assert.deepEqual(bodyOnly.order, order.order);
  // The payload and ccxt's body together, agreeing.
  const both = c('/v1/order/new', p('/v1/order/new', '"symbol":"btcusd","amount":"0.5","price":"20000","side":"buy","type":"exchange limit"'),
    '{"symbol":"btcusd","amount":"0.5","price":"20000","side":"buy","type":"exchange limit"}');
  assert.deepEqual(both.order, order.order);
});

test('gemini: cancels, reads (all POSTs, classified by path) and public market data', () => {
  for (const path of ['/v1/order/cancel', '/v1/order/cancel/all', '/v1/order/cancel/session']) assert.equal(c(path, p(path, '"order_id":1')).action, 'cancel', path);
  for (const path of ['/v1/balances', '/v1/orders', '/v1/order/status', '/v1/mytrades', '/v1/transfers', '/v2/transfers', '/v1/roles', '/v1/heartbeat', '/v1/notionalbalances/usd', '/v1/approvedAddresses/account/ethereum']) {
    const r = c(path, p(path));
    assert.equal(r.action, 'read', path);
    assert.equal(r.isPublic, false);
  }
  assert.equal(c('/v1/mytrades', p('/v1/mytrades', '"symbol":"btcusd"')).symbol, 'btcusd');
  assert.equal(c('/v1/balances', null).action, 'read', 'no payload yet: the gateway builds it');
  const ticker = c('/v1/pubticker/btcusd', null, '', 'GET');
  assert.equal(ticker.action, 'read');
  assert.equal(ticker.isPublic, true);
  assert.equal(ticker.symbol, 'btcusd');
});

test('gemini: every withdrawal and transfer path is a withdrawal or a transfer, whatever the payload', () => {
  const withdrawals = ['/v1/withdraw/btc', '/v1/withdraw/eth', '/v2/withdraw/ethereum/usdc', '/v1/payments/sen/withdraw', '/v1/withdraw/btc/feeEstimate',
    '/v1/approvedAddresses/ethereum/request', '/v1/approvedAddresses/bitcoin/remove', '/v1/payments/addbank', '/v1/payments/addbank/cad', '/v1/WITHDRAW/btc'];
  const transfers = ['/v1/account/transfer/btc', '/v1/account/transfer/usd', '/v1/clearing/new', '/v1/clearing/confirm', '/v1/staking/stake', '/v1/staking/unstake', '/v1/Account/Transfer/btc'];
  assert.equal(c('/v1/%77ithdraw/btc', null).action, 'withdraw', 'spelt with an escape');
  for (const [paths, action] of [[withdrawals, 'withdraw'], [transfers, 'transfer']] as const) {
    for (const path of paths) {
      for (const payload of [p(path, '"amount":"1","address":"x"'), p('/v1/balances'), '{"a":1,"a":2}', 'not json', null]) {
        assert.equal(c(path, payload).action, action, `${path} ${String(payload)}`);
      }
      assert.equal(c(`${path}?x=1`, p(path)).action, action, `${path} with a query`);
    }
  }
});

test('gemini: admin and unpriceable requests are refused with a reason', () => {
  const refused: [string, RegExp][] = [
    ['/v1/instant/execute', /instant/],
    ['/v1/wrap/GUSDUSD', /wrapping/],
    ['/v1/account/create', /administration/],
    ['/v1/oauth/revokeByToken', /administration/],
    ['/v1/deposit/bitcoin/newAddress', /deposit address/],
  ];
  for (const [path, reason] of refused) {
    const r = c(path, p(path, '"symbol":"btcusd","side":"buy","amount":"1","price":"1"'));
    assert.equal(r.action, 'unknown', path);
    assert.match(r.reason ?? '', reason, path);
  }
});

test('gemini: typos, case changes, duplicates and payloads read two ways are unknown', () => {
  const fields = '"symbol":"btcusd","amount":"1","price":"20000","side":"buy","type":"exchange limit"';
  const unknown: [string, string | null, string, string][] = [
    ['/v1/order/neww', p('/v1/order/neww', fields), '', 'a typo'],
    ['/v1/Order/new', p('/v1/Order/new', fields), '', 'case matters'],
    ['/v1/order/new', p('/v1/order/new', `${fields},"symbol":"shibusd"`), '', 'a JSON key twice'],
    ['/v1/order/new', p('/v1/order/cancel', fields), '', 'the payload names another endpoint'],
    ['/v1/order/new', p('/v1/order/new', fields), '{"symbol":"shibusd","amount":"1","price":"20000","side":"buy","type":"exchange limit"}', 'the body disagrees with the payload'],
    ['/v1/order/new', p('/v1/order/new', fields), 'symbol=shibusd', 'a body that is not JSON'],
    ['/v1/order/new', p('/v1/order/new', '"symbol":"btcusd","amount":"1","price":"20000","side":"buy","type":"exchange market"'), '', 'an order type Keyward cannot price'],
    ['/v1/order/new', p('/v1/order/new', '"symbol":"btcusd","amount":"1","price":"2e4","side":"buy","type":"exchange limit"'), '', 'a price that is not a plain decimal'],
    ['/v1/order/new', p('/v1/order/new', '"symbol":"btcusd","amount":"1","price":"20000","side":"hold","type":"exchange limit"'), '', 'no side'],
    ['/v1/order/new?symbol=shibusd', p('/v1/order/new', fields), '', 'a query string beside the payload'],
    ['/v1/order/new', p('/v1/order/new', `${fields},"Symbol":"shibusd"`), '', 'one key in two cases'],
  ];
  for (const [path, payload, body, why] of unknown) {
    const r = c(path, payload, body);
    assert.equal(r.action, 'unknown', why);
    assert.ok((r.reason ?? '') !== '', why);
  }
  const notBase64 = gemini.classify(requestFromUrl('POST', '/v1/balances', Buffer.alloc(0), { 'x-gemini-payload': 'eyJ*not-base64' }));
  assert.equal(notBase64.action, 'unknown');
  assert.match(notBase64.reason ?? '', /base64/);
  assert.equal(c('/v1/balances', p('/v1/balances'), '', 'GET').action, 'unknown', 'private endpoints are POSTs');
});

test('gemini: permissions from /v1/roles; an error answer is refused', () => {
  const trader = gemini.permissions.parse(200, Buffer.from('{"counterparty_id":"ABC","isAuditor":false,"isFundManager":false,"isTrader":true}'));
  assert.deepEqual(trader, { read: true, trade: true, withdraw: false, transfer: false, ipRestricted: null, ipAllowlist: null, native: ['Trader'] });
  const fund = gemini.permissions.parse(200, Buffer.from('{"isAuditor":false,"isFundManager":true,"isTrader":true}'));
  assert.deepEqual([fund.withdraw, fund.transfer], [true, true]);
  const auditor = gemini.permissions.parse(200, Buffer.from('{"isAuditor":true,"isFundManager":false,"isTrader":false}'));
  assert.deepEqual([auditor.read, auditor.trade], [true, false]);
  const silent = gemini.permissions.parse(200, Buffer.from('{}'));
  assert.deepEqual([silent.read, silent.trade, silent.withdraw], [null, null, null]);
  assert.throws(() => gemini.permissions.parse(400, Buffer.from('{"result":"error","reason":"InvalidSignature","message":"InvalidSignature"}')), /Gemini answered 400/);
  assert.throws(() => gemini.permissions.parse(200, Buffer.from('{"result":"error","reason":"MissingRole","message":"x"}')), /Gemini answered 200/);
  assert.equal(gemini.classify(gemini.permissions.request()).action, 'read');
});

test('gemini: refusals in Gemini\'s own format make ccxt raise its usual error class', () => {
  const expected = { auth: 'AuthenticationError', forbidden: 'AuthenticationError', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'OnMaintenance' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = gemini.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal((JSON.parse(rendered.body) as { message: string }).message, 'Keyward KW_TEST: refused');
    assert.equal(ccxtErrorFor('gemini', rendered, 'https://api.gemini.com/v1/order/new', 'POST'), cls, kind);
  }
});
