import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors, signVector, signedText } from '../testing/index.js';
import { kraken } from './kraken.js';
import { requestFromUrl } from './request.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_CT = { 'content-type': 'application/json' };
const NOW = 1_700_000_000_123;
const NONCE = 1_700_000_000_456;
const CREDS = { apiKey: 'kwFakeKrakenKey', secret: 'f/3OR9pmW0TYwTG8v1S5U4LYF1oXugr5wc0XeiLA+Tt2nT4c3VEXepmmcDUvOUMW4AcH13ttC70sR5qaAPf/Lw==' };

test('kraken: the official API-Sign example reproduces', () => {
  const vectors = officialVectors('kraken');
  assert.ok(vectors.length >= 1);
  for (const v of vectors) {
    const signed = signVector(kraken, v);
    assert.equal(signed.headers['api-sign'], v.expectedSignature, v.name);
    assert.ok(signedText(signed).includes(v.expectedSignature));
    assert.equal(signed.body.toString(), v.body, 'the body already carried the same nonce: not one byte changes');
  }
});

test('kraken: ccxt and the adapter sign reads, an order, a cancel and a JSON batch cancel identically', () => {
  const calls = [
    { path: 'Balance', api: 'private', method: 'POST', params: {} },
    { path: 'GetApiKeyInfo', api: 'private', method: 'POST', params: {} },
    { path: 'OpenOrders', api: 'private', method: 'POST', params: { trades: true } },
    { path: 'AddOrder', api: 'private', method: 'POST', params: { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '1.25', price: '37500' } },
    { path: 'CancelOrder', api: 'private', method: 'POST', params: { txid: 'OQCLML-BW3P3-BUCMWZ' } },
    // ccxt sends CancelOrderBatch (and percent trigger prices) as JSON.
    { path: 'CancelOrderBatch', api: 'private', method: 'POST', params: { orders: ['OQCLML-BW3P3-BUCMWZ', 'OB5VMB-B4U2U-DK2WRW'] } },
    { path: 'AddOrder', api: 'private', method: 'POST', params: { pair: 'XBTUSD', type: 'sell', ordertype: 'stop-loss', volume: '1', price: '-5%' } },
  ];
  const ex = ccxtExchange('kraken', CREDS, NOW);
  ex.nonce = () => NONCE;
  // The same calls signed by ccxt with a stale nonce: the adapter must set its own where it stands.
  const stale = ccxtExchange('kraken', CREDS, NOW);
  stale.nonce = () => 42;
  const key = handleFor(kraken, CREDS);
  for (const call of calls) {
    const theirs = ccxtSign(ex, call);
    for (const input of [theirs.request, ccxtSign(stale, call).request]) {
      const ours = kraken.sign(input, key, { nowMs: NOW, nonce: BigInt(NONCE) });
      assert.equal(ours.body.toString(), theirs.request.body.toString(), `${call.path} body`);
      assert.equal(ours.headers['api-sign'], theirs.headers['api-sign'], `${call.path} API-Sign`);
      assert.equal(ours.headers['api-key'], theirs.headers['api-key']);
      assert.equal(ours.headers['content-type'], theirs.headers['content-type']);
      assert.equal(ours.path, theirs.request.path);
    }
  }
  key.release();
});

test('kraken: the client\'s key, signature and nonce are replaced; a missing nonce is added first', () => {
  const key = handleFor(kraken, CREDS);
  const ctx = { nowMs: NOW, nonce: 1_700_000_000_999n };
  const out = kraken.sign(requestFromUrl('POST', '/0/private/Balance', Buffer.from('asset=ZUSD&nonce=1'), { ...FORM, 'API-Key': 'kw_token', 'API-Sign': 'forged', 'Content-Length': '18' }), key, ctx);
  assert.equal(out.headers['content-length'], undefined, 'the nonce changed the length; the forwarder sets it');
  assert.equal(out.body.toString(), 'asset=ZUSD&nonce=1700000000999');
  assert.equal(out.headers['api-key'], CREDS.apiKey);
  assert.notEqual(out.headers['api-sign'], 'forged');
  assert.equal(Object.keys(out.headers).filter((h) => h.toLowerCase() === 'api-key').length, 1);
  // Independently: HMAC-SHA512(base64-decoded secret, path || SHA256(nonce || body)).
  const inner = createHash('sha256').update('1700000000999asset=ZUSD&nonce=1700000000999').digest();
  const expected = createHmac('sha512', Buffer.from(CREDS.secret, 'base64')).update(Buffer.concat([Buffer.from('/0/private/Balance'), inner])).digest('base64');
  assert.equal(out.headers['api-sign'], expected);

  const empty = kraken.sign(kraken.permissions.request(), key, ctx);
  assert.equal(empty.body.toString(), 'nonce=1700000000999');
  assert.equal(empty.headers['content-type'], 'application/x-www-form-urlencoded');
  // JSON keeps every other byte, and the nonce's type (a number stays a number).
  const json = kraken.sign(requestFromUrl('POST', '/0/private/CancelOrderBatch', Buffer.from('{ "orders": ["A"], "nonce": 5 }\n'), JSON_CT), key, ctx);
  assert.equal(json.body.toString(), '{ "orders": ["A"], "nonce": 1700000000999 }\n');
  const added = kraken.sign(requestFromUrl('POST', '/0/private/CancelOrderBatch', Buffer.from('{"orders":["A"]}'), JSON_CT), key, ctx);
  assert.equal(added.body.toString(), '{"nonce":"1700000000999","orders":["A"]}');
  assert.throws(() => kraken.sign(requestFromUrl('POST', '/0/private/Balance?nonce=1', Buffer.alloc(0), FORM), key, ctx), /query string/);
  assert.throws(() => kraken.sign(requestFromUrl('POST', '/0/private/Balance', Buffer.from('nonce=1&nonce=2'), FORM), key, ctx), /two nonces/);
  assert.throws(() => kraken.sign(requestFromUrl('GET', '/0/public/Time', Buffer.alloc(0)), key, ctx), /only POST \/0\/private/);
  key.release();
});

const c = (url: string, body = '', headers: Record<string, string> = FORM, method = 'POST'): ReturnType<typeof kraken.classify> =>
  kraken.classify(requestFromUrl(method, url, Buffer.from(body), body === '' ? {} : headers));

test('kraken: orders are classified with their details, by order type', () => {
  const limit = c('/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25');
  assert.equal(limit.action, 'trade');
  assert.equal(limit.endpoint, 'POST /0/private/AddOrder');
  assert.deepEqual(limit.order, { symbol: 'XBTUSD', side: 'buy', type: 'limit', quantity: '1.25', price: '37500', quoteQuantity: null, notional: 46875 });
  assert.equal(limit.symbol, 'XBTUSD');
  const market = c('/0/private/AddOrder', 'nonce=1&ordertype=market&pair=ETHUSDT&type=sell&volume=2');
  assert.deepEqual(market.order, { symbol: 'ETHUSDT', side: 'sell', type: 'market', quantity: '2', price: null, quoteQuantity: null, notional: null });
  // A stop-loss becomes a market order when triggered: no worst price, whatever its trigger.
  const stop = c('/0/private/AddOrder', 'nonce=1&ordertype=stop-loss&pair=XBTUSD&type=sell&volume=1&price=30000');
  assert.equal(stop.order?.price, null);
  assert.equal(stop.order?.type, 'stop-loss');
  // For stop-loss-limit, price is the trigger and price2 the limit: the limit is the worst price.
  const stopLimit = c('/0/private/AddOrder', 'nonce=1&ordertype=stop-loss-limit&pair=XBTUSD&type=buy&volume=2&price=%2B5%25&price2=40000');
  assert.deepEqual(stopLimit.order, { symbol: 'XBTUSD', side: 'buy', type: 'stop-loss-limit', quantity: '2', price: '40000', quoteQuantity: null, notional: 80000 });
  const json = c('/0/private/AddOrder', '{"nonce":"1","ordertype":"limit","pair":"XBTUSD","price":37500.50,"type":"buy","volume":"0.1"}', JSON_CT);
  assert.equal(json.action, 'trade');
  assert.equal(json.order?.price, '37500.50', 'a JSON number is read as the digits sent');
});

test('kraken: cancels, reads and public market data', () => {
  for (const m of ['CancelOrder', 'CancelAll', 'CancelAllOrdersAfter']) assert.equal(c(`/0/private/${m}`, 'nonce=1&txid=X&timeout=60').action, 'cancel', m);
  assert.equal(c('/0/private/CancelOrderBatch', '{"nonce":"1","orders":["A","B"]}', JSON_CT).action, 'cancel');
  for (const m of ['Balance', 'BalanceEx', 'TradeBalance', 'OpenOrders', 'ClosedOrders', 'QueryOrders', 'TradesHistory', 'Ledgers', 'GetApiKeyInfo', 'DepositMethods']) {
    const r = c(`/0/private/${m}`, 'nonce=1');
    assert.equal(r.action, 'read', m);
    assert.equal(r.isPublic, false);
  }
  assert.equal(c('/0/private/Balance').action, 'read', 'an empty body');
  assert.equal(c('/0/private/DepositAddresses', 'nonce=1&asset=XBT&method=Bitcoin&new=false').action, 'read');
  const ticker = c('/0/public/Ticker?pair=XBTUSD', '', {}, 'GET');
  assert.equal(ticker.action, 'read');
  assert.equal(ticker.isPublic, true);
  assert.equal(ticker.symbol, 'XBTUSD');
});

test('kraken: every withdrawal and transfer path is a withdrawal or a transfer, in any case and any body', () => {
  const withdrawals = ['Withdraw', 'WithdrawCancel', 'WithdrawInfo', 'WithdrawMethods', 'WithdrawAddresses', 'WithdrawStatus', 'withdraw', 'WITHDRAW', 'WithdrawSomethingNew'];
  for (const m of withdrawals) {
    for (const body of ['nonce=1&asset=XBT&key=cold&amount=1', 'nonce=1&nonce=2', '']) {
      assert.equal(c(`/0/private/${m}`, body).action, 'withdraw', `${m} ${body}`);
    }
    assert.equal(c(`/0/private/${m}?x=1`, 'nonce=1').action, 'withdraw', `${m} with a query`);
  }
  assert.equal(c('/0/private/%57ithdraw', 'nonce=1').action, 'withdraw', 'spelt with an escape');
  assert.equal(c('/0/private/Wallet%54ransfer', 'nonce=1').action, 'transfer', 'spelt with an escape');
  for (const m of ['WalletTransfer', 'AccountTransfer', 'walletTransfer', 'Earn/Allocate', 'Earn/Deallocate', 'earn/allocate', 'Stake', 'Unstake']) {
    assert.equal(c(`/0/private/${m}`, 'nonce=1&asset=XBT&amount=1').action, 'transfer', m);
  }
});

test('kraken: admin and unpriceable requests are refused with a reason', () => {
  const refused: [string, string, RegExp][] = [
    ['/0/private/CreateSubaccount', 'nonce=1&username=x&email=y', /administration/],
    ['/0/private/DepositAddresses', 'nonce=1&asset=XBT&method=Bitcoin&new=true', /deposit address/],
    ['/0/private/GetWebSocketsToken', 'nonce=1', /WebSocket/],
    ['/0/private/AddOrderBatch', '{"nonce":"1","pair":"XBTUSD","orders":[]}', /batch/],
    ['/0/private/EditOrder', 'nonce=1&txid=X&pair=XBTUSD&price=1', /edit/],
    ['/0/private/AmendOrder', 'nonce=1&txid=X&limit_price=1', /amendment/],
  ];
  for (const [path, body, reason] of refused) {
    const r = c(path, body, body.startsWith('{') ? JSON_CT : FORM);
    assert.equal(r.action, 'unknown', path);
    assert.match(r.reason ?? '', reason, path);
  }
});

test('kraken: typos, case changes, duplicates and bodies read two ways are unknown', () => {
  const unknown: [string, string, Record<string, string>, string][] = [
    ['/0/private/AddOrderr', 'nonce=1&pair=XBTUSD', FORM, 'a typo'],
    ['/0/private/addorder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=1&type=buy&volume=1', FORM, 'case matters'],
    ['/0/private/Balance/', 'nonce=1', FORM, 'a trailing slash'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&pair=SHIBUSD&price=1&type=buy&volume=1', FORM, 'one name twice'],
    ['/0/private/AddOrder', '{"nonce":"1","ordertype":"limit","pair":"XBTUSD","pair":"SHIBUSD","price":"1","type":"buy","volume":"1"}', JSON_CT, 'a JSON key twice'],
    ['/0/private/AddOrder?pair=SHIBUSD', 'nonce=1&ordertype=limit&pair=XBTUSD&price=1&type=buy&volume=1', FORM, 'a query beside the body'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=1&type=buy&volume=1', { 'content-type': 'text/plain' }, 'a body Kraken could read either way'],
    ['/0/private/AddOrder', '{"nonce":"1"}', FORM, 'JSON sent as a form'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=%ZZ&type=buy&volume=1', FORM, 'a bad escape'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=%2B1%25&type=buy&volume=1', FORM, 'a relative limit price'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=settle-position&pair=XBTUSD&type=buy&volume=1', FORM, 'an order type Keyward cannot price'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=1&type=buy&volume=1&close%5Bordertype%5D=limit&close%5Bprice%5D=1', FORM, 'a conditional close'],
    ['/0/private/AddOrder', '{"nonce":"1","ordertype":"limit","pair":"XBTUSD","price":"1","type":"buy","volume":"1","close":{"ordertype":"limit","price":"0.1"}}', JSON_CT, 'a conditional close in JSON'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=market&pair=XBTUSD&type=buy&volume=100&oflags=fcib,viqc', FORM, 'volume in quote'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&price=1&type=hold&volume=1', FORM, 'no side'],
    ['/0/private/AddOrder', 'nonce=1&ordertype=limit&pair=XBTUSD&Pair=SHIBUSD&price=1&type=buy&volume=1', FORM, 'one name in two cases'],
    ['/0/private/AddOrder', '{"nonce":"1","ordertype":"limit","pair":"XBTUSD","PAIR":"SHIBUSD","price":"1","type":"buy","volume":"1"}', JSON_CT, 'one JSON key in two cases'],
  ];
  for (const [path, body, headers, why] of unknown) {
    const r = c(path, body, headers);
    assert.equal(r.action, 'unknown', why);
    assert.ok((r.reason ?? '') !== '', why);
  }
  assert.equal(c('/0/private/Balance', 'nonce=1', FORM, 'GET').action, 'unknown', 'private methods are POSTs');
  assert.equal(c('/0/public/Ticker?pair=XBTUSD&pair=ETHUSD', '', {}, 'GET').action, 'unknown', 'a public parameter twice');
});

test('kraken: permissions from GetApiKeyInfo; an error answer is refused', () => {
  const answer = {
    error: [],
    result: {
      apiKeyName: 'bot', apiKey: 'k', nonce: '1', nonceWindow: 0, iban: 'AA00', validUntil: '0', queryFrom: '0', queryTo: '0',
      permissions: ['query-funds', 'query-open-trades', 'query-closed-trades', 'modify-trades', 'close-trades'],
      ipAllowlist: ['203.0.113.0/24'], createdTime: '1', modifiedTime: '1', lastUsed: '1',
    },
  };
  const p = kraken.permissions.parse(200, Buffer.from(JSON.stringify(answer)));
  assert.deepEqual(p, { read: true, trade: true, withdraw: false, transfer: false, ipRestricted: true, ipAllowlist: ['203.0.113.0/24'], native: answer.result.permissions });
  const risky = kraken.permissions.parse(200, Buffer.from(JSON.stringify({ error: [], result: { permissions: ['query-funds', 'withdraw-funds'], ipAllowlist: [] } })));
  assert.equal(risky.withdraw, true);
  assert.equal(risky.transfer, true);
  assert.equal(risky.trade, false);
  assert.equal(risky.ipRestricted, false);
  const addressOnly = kraken.permissions.parse(200, Buffer.from(JSON.stringify({ error: [], result: { permissions: ['add-withdraw-address'] } })));
  assert.equal(addressOnly.withdraw, true);
  assert.equal(addressOnly.ipRestricted, null, 'no allowlist field: unknown');
  const silent = kraken.permissions.parse(200, Buffer.from(JSON.stringify({ error: [], result: {} })));
  assert.deepEqual([silent.read, silent.trade, silent.withdraw, silent.transfer], [null, null, null, null]);
  assert.throws(() => kraken.permissions.parse(200, Buffer.from('{"error":["EAPI:Invalid key"]}')), /Kraken answered 200: .*EAPI:Invalid key/);
  assert.throws(() => kraken.permissions.parse(520, Buffer.from('<html>')), /Kraken answered 520/);
  assert.equal(kraken.classify(kraken.permissions.request()).action, 'read');
});

test('kraken: refusals in Kraken\'s own format make ccxt raise its usual error class', () => {
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'DDoSProtection', unavailable: 'ExchangeNotAvailable' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = kraken.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(rendered.status, 200, 'Kraken answers request faults with HTTP 200');
    const body = JSON.parse(rendered.body) as { error: string[] };
    assert.ok(body.error[1]?.includes('Keyward KW_TEST: refused'));
    assert.equal(ccxtErrorFor('kraken', rendered, 'https://api.kraken.com/0/private/AddOrder', 'POST'), cls, kind);
  }
});
