import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { ccxtErrorFor, ccxtExchange, ccxtSign, handleFor, officialVectors } from '../testing/index.js';
import { coinbase } from './coinbase.js';
import { requestFromUrl, type ExchangeRequest } from './request.js';

const NOW_MS = 1_700_000_000_123;
const NOW_S = 1_700_000_000;

// The official SDK's public test keys (coinbase-advanced-py tests/constants.py): one EC P-256 key
// as SEC1 PEM, and one Ed25519 key as base64(seed ‖ public), PKCS#8 PEM and base64(seed).
const SDK_KEY_NAME = 'organizations/test-organization/apiKeys/test-api-key';
const SDK_EC_PEM = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKwf3Uox30cRWzRBOPoPOH5p0Gpb0Dt8zUKXUEM5fMkGoAoGCCqGSM49\nAwEHoUQDQgAEbAtpLlSZYVOwYICz+uEyxcS29vRIujiES/gQ1DC7FV4zK4JuYE9v\nqDyGZQYjdXHLM7I6f/QnnOITL+dXYWBHRA==\n-----END EC PRIVATE KEY-----\n';
const SDK_ED25519 = 'k0BUni0p0vZG1BdpVjS6ogBJ7kxm630AJ2dN+tuputDOKsRAwgyrpEQLeBtS1znTmzPX6Xr2eOWpzx6nW8knkA==';
const SDK_ED25519_PKCS8 = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJNAVJ4tKdL2RtQXaVY0uqIASe5MZut9ACdnTfrbqbrQ\n-----END PRIVATE KEY-----\n';
const SDK_ED25519_SEED = 'k0BUni0p0vZG1BdpVjS6ogBJ7kxm630AJ2dN+tuputA=';

interface Jwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly input: Buffer;
  readonly signature: Buffer;
}

function decodeJwt(authorization: string | undefined): Jwt {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  assert.ok(m, `not a bearer JWT: ${String(authorization)}`);
  const [, h = '', c = '', s = ''] = m;
  const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(h), claims: json(c), input: Buffer.from(`${h}.${c}`, 'ascii'), signature: Buffer.from(s, 'base64url') };
}

function verifies(jwt: Jwt, publicKey: KeyObject): boolean {
  if (jwt.signature.length !== 64) return false;
  return jwt.header['alg'] === 'ES256'
    ? verify('sha256', jwt.input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature)
    : verify(null, jwt.input, publicKey, jwt.signature);
}

/** The adapter's JWT: the official SDK's header and claims, nothing else, and a valid signature. */
function assertSdkJwt(req: ExchangeRequest, keyName: string, alg: 'ES256' | 'EdDSA', publicKey: KeyObject, uri: string): Jwt {
  const jwt = decodeJwt(req.headers['authorization']);
  assert.deepEqual(Object.keys(jwt.header).sort(), ['alg', 'kid', 'nonce', 'typ']);
  assert.equal(jwt.header['alg'], alg);
  assert.equal(jwt.header['kid'], keyName);
  assert.equal(jwt.header['typ'], 'JWT');
  assert.match(String(jwt.header['nonce']), /^[0-9a-f]{64}$/);
  assert.deepEqual(jwt.claims, { sub: keyName, iss: 'cdp', nbf: NOW_S, exp: NOW_S + 120, uri });
  assert.ok(verifies(jwt, publicKey), 'the JWT verifies with the public key');
  return jwt;
}

function ecKey(): { pem: string; publicKey: KeyObject } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: pair.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), publicKey: pair.publicKey };
}

function ed25519Key(): { secret: string; publicKey: KeyObject } {
  const pair = generateKeyPairSync('ed25519');
  const jwk = pair.privateKey.export({ format: 'jwk' });
  const secret = Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]).toString('base64');
  return { secret, publicKey: pair.publicKey };
}

const GET_ACCOUNTS = requestFromUrl('GET', '/api/v3/brokerage/accounts', Buffer.alloc(0));

test('coinbase: no official numeric vector exists; the SDK\'s own test keys sign JWTs that verify', () => {
  // ES256 is randomised and every JWT carries a random nonce and the time, so neither Coinbase's
  // docs nor the SDK publish a fixed token; the SDK's tests verify instead, and so does this one.
  assert.deepEqual(officialVectors('coinbase'), []);
  const uri = 'GET api.coinbase.com/api/v3/brokerage/accounts'; // format_jwt_uri("GET", "/api/v3/brokerage/accounts")
  const ec = handleFor(coinbase, { apiKey: SDK_KEY_NAME, privateKey: SDK_EC_PEM });
  assertSdkJwt(coinbase.sign(GET_ACCOUNTS, ec, { nowMs: NOW_MS, nonce: 0n }), SDK_KEY_NAME, 'ES256', createPublicKey(SDK_EC_PEM), uri);
  ec.release();
  const edPublic = createPublicKey(SDK_ED25519_PKCS8);
  for (const privateKey of [SDK_ED25519, SDK_ED25519_PKCS8, SDK_ED25519_SEED]) {
    const ed = handleFor(coinbase, { apiKey: SDK_KEY_NAME, privateKey });
    assertSdkJwt(coinbase.sign(GET_ACCOUNTS, ed, { nowMs: NOW_MS, nonce: 0n }), SDK_KEY_NAME, 'EdDSA', edPublic, uri);
    ed.release();
  }
});

test('coinbase: the ccxt 4.5.84 JWTs recorded in the research verify under the SDK\'s test keys', () => {
  // ../shared/research/exchanges.md §4: ccxt signs ES256 deterministically (RFC 6979), so these are fixed.
  const es256 = decodeJwt('Bearer eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im9yZ2FuaXphdGlvbnMvdGVzdC1vcmdhbml6YXRpb24vYXBpS2V5cy90ZXN0LWFwaS1rZXkiLCJub25jZSI6ImE1YTVhNWE1YTVhNWE1YTVhNWE1YTVhNWE1YTVhNWE1In0.eyJhdWQiOlsicmV0YWlsX3Jlc3RfYXBpX3Byb3h5Il0sImlzcyI6ImNvaW5iYXNlLWNsb3VkIiwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAxMjAsInN1YiI6Im9yZ2FuaXphdGlvbnMvdGVzdC1vcmdhbml6YXRpb24vYXBpS2V5cy90ZXN0LWFwaS1rZXkiLCJpYXQiOjE3MDAwMDAwMDAsInVyaSI6IkdFVCBhcGkuY29pbmJhc2UuY29tL2FwaS92My9icm9rZXJhZ2UvYWNjb3VudHMifQ.3ga4B56Zc5jen1zcStJRim-yFkiFK94MCOpsZoiScWAxbOgnCF0y5kw5FJqHxASnkKLs7tKBM0UDSnIIYicvLg');
  assert.ok(verifies(es256, createPublicKey(SDK_EC_PEM)));
  assert.equal(es256.claims['iss'], 'coinbase-cloud', 'ccxt\'s ES256 path keeps the older claim set');
  const eddsa = decodeJwt('Bearer eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImQyZWZhNDlhLTM2OWMtNDNkNy1hNjBlLWFlMjZlMjg4NTNjMiIsIm5vbmNlIjoiYTVhNWE1YTVhNWE1YTVhNWE1YTVhNWE1YTVhNWE1YTUifQ.eyJhdWQiOlsiY2RwX3NlcnZpY2UiXSwiaXNzIjoiY2RwIiwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAxMjAsInN1YiI6ImQyZWZhNDlhLTM2OWMtNDNkNy1hNjBlLWFlMjZlMjg4NTNjMiIsImlhdCI6MTcwMDAwMDAwMCwidXJpcyI6WyJQT1NUIGFwaS5jb2luYmFzZS5jb20vYXBpL3YzL2Jyb2tlcmFnZS9vcmRlcnMiXX0.ojFQeVXpbLSvkYGeb6PgbkUB7tpAVZ0YFIJ8kh43tMmLf4iZ2XP0Edg9QqH5aUWljuy0mtaN3c1PIwle50oKBg');
  assert.ok(verifies(eddsa, createPublicKey(SDK_ED25519_PKCS8)));
  assert.ok(!verifies(eddsa, ed25519Key().publicKey), 'negative control: another key does not verify');
});

test('coinbase: ccxt and the adapter both sign a read, an order and a cancel that verify, for the same method, host and path (ES256 and Ed25519)', () => {
  const calls = [
    { path: 'brokerage/accounts', api: ['v3', 'private'], method: 'GET', params: { limit: 2 } },
    {
      path: 'brokerage/orders', api: ['v3', 'private'], method: 'POST',
      params: { client_order_id: 'kw-test-1', product_id: 'BTC-USD', side: 'BUY', order_configuration: { limit_limit_gtc: { base_size: '0.01', limit_price: '20000', post_only: false } } },
    },
    { path: 'brokerage/orders/batch_cancel', api: ['v3', 'private'], method: 'POST', params: { order_ids: ['0000-1111'] } },
    { path: 'brokerage/key_permissions', api: ['v3', 'private'], method: 'GET', params: {} },
  ];
  const ec = ecKey();
  const ed = ed25519Key();
  const keys = [
    { keyName: 'organizations/kw-org/apiKeys/kw-key', secret: ec.pem, publicKey: ec.publicKey, alg: 'ES256' as const },
    { keyName: 'd2efa49a-369c-43d7-a60e-ae26e28853c2', secret: ed.secret, publicKey: ed.publicKey, alg: 'EdDSA' as const },
  ];
  for (const k of keys) {
    const ex = ccxtExchange('coinbase', { apiKey: k.keyName, secret: k.secret }, NOW_MS);
    const key = handleFor(coinbase, { apiKey: k.keyName, privateKey: k.secret });
    for (const call of calls) {
      const theirs = ccxtSign(ex, call);
      const theirJwt = decodeJwt(theirs.headers['authorization']);
      assert.equal(theirJwt.header['alg'], k.alg);
      assert.ok(verifies(theirJwt, k.publicKey), `ccxt's ${call.method} ${call.path} JWT verifies`);
      const theirUri = k.alg === 'ES256' ? theirJwt.claims['uri'] : (theirJwt.claims['uris'] as unknown[])[0];
      assert.equal(theirJwt.claims['iss'], k.alg === 'ES256' ? 'coinbase-cloud' : 'cdp', 'ccxt\'s older claim set');
      const ours = coinbase.sign(theirs.request, key, { nowMs: NOW_MS, nonce: 0n });
      assertSdkJwt(ours, k.keyName, k.alg, k.publicKey, String(theirUri));
      assert.equal(ours.query, theirs.request.query, 'the query travels untouched');
      assert.equal(ours.body.toString(), theirs.request.body.toString(), 'the body travels untouched');
      assert.notEqual(ours.headers['authorization'], theirs.headers['authorization']);
      assert.notEqual(coinbase.classify(theirs.request).action, 'unknown', `ccxt's ${call.method} ${call.path} is classified`);
    }
    key.release();
  }
});

test('coinbase: the client\'s own credentials are dropped, every JWT is fresh, and it binds only method, host and path', () => {
  const { pem, publicKey } = ecKey();
  const key = handleFor(coinbase, { apiKey: 'organizations/o/apiKeys/k', privateKey: pem });
  const headers = { Authorization: 'Bearer kw_client_token', 'CB-ACCESS-KEY': 'x', 'CB-ACCESS-SIGN': 'y', 'CB-ACCESS-TIMESTAMP': '1', 'Content-Type': 'application/json' };
  const small = requestFromUrl('POST', '/api/v3/brokerage/orders', Buffer.from('{"product_id":"BTC-USD"}'), headers);
  const big = requestFromUrl('POST', '/api/v3/brokerage/orders', Buffer.from('{"product_id":"SHIB-USD"}'), headers);
  const a = coinbase.sign(small, key, { nowMs: NOW_MS, nonce: 0n });
  const b = coinbase.sign(big, key, { nowMs: NOW_MS, nonce: 0n });
  assert.deepEqual(Object.keys(a.headers).sort(), ['authorization', 'content-type']);
  const ja = assertSdkJwt(a, 'organizations/o/apiKeys/k', 'ES256', publicKey, 'POST api.coinbase.com/api/v3/brokerage/orders');
  const jb = decodeJwt(b.headers['authorization']);
  // The documented weakness: two different orders get the same claims, so either JWT would carry the other body.
  assert.deepEqual(jb.claims, ja.claims);
  assert.notEqual(jb.header['nonce'], ja.header['nonce']);
  const withQuery = coinbase.sign(requestFromUrl('GET', '/api/v3/brokerage/accounts?limit=1', Buffer.alloc(0)), key, { nowMs: NOW_MS, nonce: 0n });
  assert.equal(decodeJwt(withQuery.headers['authorization']).claims['uri'], 'GET api.coinbase.com/api/v3/brokerage/accounts');
  assert.equal(withQuery.query, 'limit=1');
  key.release();
  const legacy = handleFor(coinbase, { apiKey: 'legacy', secret: 'hmac-secret' });
  assert.throws(() => coinbase.sign(GET_ACCOUNTS, legacy, { nowMs: NOW_MS, nonce: 0n }), (e: Error & { code?: string }) => e.code === 'KW_CREDENTIAL_INVALID');
  legacy.release();
});

const JSON_HEADERS = { 'content-type': 'application/json' };
const c = (method: string, url: string, body: unknown = undefined): ReturnType<typeof coinbase.classify> =>
  coinbase.classify(requestFromUrl(method, url, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)), body === undefined ? {} : JSON_HEADERS));
const order = (side: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ client_order_id: 'kw-1', product_id: 'BTC-USD', side, order_configuration: config, ...extra });

test('coinbase: orders, with their details read out of order_configuration', () => {
  const O = '/api/v3/brokerage/orders';
  const limit = c('POST', O, order('BUY', { limit_limit_gtc: { base_size: '0.01', limit_price: '20000', post_only: false } }));
  assert.equal(limit.action, 'trade');
  assert.equal(limit.endpoint, 'POST /api/v3/brokerage/orders');
  assert.equal(limit.symbol, 'BTC-USD');
  assert.deepEqual(limit.order, { symbol: 'BTC-USD', side: 'buy', type: 'limit', quantity: '0.01', price: '20000', quoteQuantity: null, notional: 200 });
  assert.deepEqual(c('POST', O, order('BUY', { market_market_ioc: { quote_size: '100' } })).order,
    { symbol: 'BTC-USD', side: 'buy', type: 'market', quantity: null, price: null, quoteQuantity: '100', notional: 100 });
  assert.deepEqual(c('POST', O, order('SELL', { market_market_ioc: { base_size: '0.5' } })).order,
    { symbol: 'BTC-USD', side: 'sell', type: 'market', quantity: '0.5', price: null, quoteQuantity: null, notional: null });
  assert.deepEqual(c('POST', O, order('BUY', { limit_limit_gtc: { quote_size: '50', limit_price: '25000' } })).order?.notional, 50);
  const kinds: [string, Record<string, unknown>, string, number][] = [
    ['sor_limit_ioc', { base_size: '2', limit_price: '10' }, 'limit', 20],
    ['limit_limit_fok', { base_size: '2', limit_price: '10' }, 'limit', 20],
    ['limit_limit_gtd', { base_size: '2', limit_price: '10', end_time: '2030-01-01T00:00:00Z', post_only: true }, 'limit', 20],
    ['stop_limit_stop_limit_gtc', { base_size: '2', limit_price: '10', stop_price: '11', stop_direction: 'STOP_DIRECTION_STOP_UP' }, 'stop_limit', 20],
    ['stop_limit_stop_limit_gtd', { base_size: '2', limit_price: '10', stop_price: '11', stop_direction: 'STOP_DIRECTION_STOP_UP', end_time: '2030-01-01T00:00:00Z' }, 'stop_limit', 20],
    ['trigger_bracket_gtc', { base_size: '2', limit_price: '10', stop_trigger_price: '8' }, 'bracket', 20],
  ];
  for (const [kind, spec, type, notional] of kinds) {
    const r = c('POST', O, order('SELL', { [kind]: spec }));
    assert.equal(r.action, 'trade', kind);
    assert.equal(r.order?.type, type, kind);
    assert.equal(r.order?.notional, notional, kind);
  }
  const preview = c('POST', '/api/v3/brokerage/orders/preview', order('BUY', { limit_limit_gtc: { base_size: '1', limit_price: '3' } }));
  assert.equal(preview.action, 'read');
  assert.equal(preview.order?.notional, 3);
});

test('coinbase: cancels and reads', () => {
  assert.equal(c('POST', '/api/v3/brokerage/orders/batch_cancel', { order_ids: ['a', 'b'] }).action, 'cancel');
  for (const url of ['/api/v3/brokerage/accounts?limit=2', '/api/v3/brokerage/accounts/8bfc20d7-f7c6-4422-bf07-8243ca4169fe', '/api/v3/brokerage/key_permissions',
    '/api/v3/brokerage/orders/historical/batch?order_status=OPEN&order_status=PENDING', '/api/v3/brokerage/orders/historical/fills?product_ids=BTC-USD',
    '/api/v3/brokerage/orders/historical/0000-1111', '/api/v3/brokerage/transaction_summary', '/api/v3/brokerage/portfolios', '/v2/accounts/abc/transactions']) {
    const r = c('GET', url);
    assert.equal(r.action, 'read', url);
    assert.equal(r.isPublic, false, url);
  }
  const ticker = c('GET', '/api/v3/brokerage/products/ETH-USD/ticker?limit=1');
  assert.equal(ticker.symbol, 'ETH-USD');
  const pub = c('GET', '/api/v3/brokerage/market/products/BTC-USD');
  assert.equal(pub.isPublic, true);
  assert.equal(pub.symbol, 'BTC-USD');
  const perm = coinbase.classify(coinbase.permissions.request());
  assert.equal(perm.action, 'read', 'the permission check is itself a read the table knows');
});

test('coinbase: every send, withdrawal and transfer is a withdraw or a transfer', () => {
  const withdraws: [string, string][] = [
    ['POST', '/v2/accounts/abc/transactions'],
    ['POST', '/v2/accounts/abc/withdrawals'],
    ['POST', '/v2/accounts/abc/withdrawals/w1/commit'],
    ['POST', '/v2/accounts/abc/transactions/t1/complete'],
    ['POST', '/v2/accounts/abc/transactions/t1/resend'],
    ['DELETE', '/v2/accounts/abc/transactions/t1'],
    ['POST', '/v2/accounts/abc/%77ithdrawals'],
    ['POST', '/V2/Accounts/abc/Withdrawals'],
    ['POST', '/v2/accounts/a%2Fb/transactions/t1/complete'],
  ];
  for (const [method, path] of withdraws) assert.equal(c(method, path, { to: 'x', amount: '1', currency: 'BTC' }).action, 'withdraw', `${method} ${path}`);
  const transfers: [string, string][] = [
    ['POST', '/v2/accounts/abc/deposits'],
    ['POST', '/v2/accounts/abc/deposits/d1/commit'],
    ['POST', '/api/v3/brokerage/portfolios/move_funds'],
    ['POST', '/api/v3/brokerage/intx/allocate'],
    ['POST', '/api/v3/brokerage/cfm/sweeps/schedule'],
    ['DELETE', '/api/v3/brokerage/cfm/sweeps'],
    ['POST', '/api/v3/brokerage/Portfolios/Move_Funds'],
  ];
  for (const [method, path] of transfers) assert.equal(c(method, path, method === 'DELETE' ? undefined : { amount: '1' }).action, 'transfer', `${method} ${path}`);
  // Malformed or ambiguous bodies do not hide a value exit.
  assert.equal(c('POST', '/api/v3/brokerage/portfolios/move_funds', '{"funds":{"amount":"1"},"funds":{}}').action, 'transfer');
  assert.equal(c('POST', '/v2/accounts/abc/transactions?type=send', 'not json').action, 'withdraw');
});

test('coinbase: everything else, and anything ambiguous, is unknown with a reason', () => {
  const O = '/api/v3/brokerage/orders';
  const LIMIT = { limit_limit_gtc: { base_size: '1', limit_price: '2' } };
  const unknown = (r: ReturnType<typeof coinbase.classify>, why: RegExp, label: string): void => {
    assert.equal(r.action, 'unknown', label);
    assert.match(r.reason ?? '', why, label);
  };
  unknown(c('POST', '/api/v3/brokerage/orderz', order('BUY', LIMIT)), /endpoint table/, 'not in the table');
  unknown(c('POST', '/api/v3/brokerage/Orders', order('BUY', LIMIT)), /endpoint table/, 'case matters');
  unknown(c('POST', '/api/v3/brokerage/orders/edit', { order_id: 'x', size: '100', price: '1' }), /edit/, 'edit');
  unknown(c('POST', '/api/v3/brokerage/orders/close_position', { product_id: 'BTC-PERP-INTX', client_order_id: 'x' }), /position/, 'close position');
  unknown(c('POST', '/api/v3/brokerage/convert/quote', { from_account: 'USD', to_account: 'USDC', amount: '10' }), /conversion/, 'convert');
  unknown(c('POST', '/api/v3/brokerage/portfolios', { name: 'x' }), /portfolio/, 'create portfolio');
  unknown(c('DELETE', '/api/v3/brokerage/portfolios/p1'), /portfolio/, 'delete portfolio');
  unknown(c('POST', '/v2/accounts/abc/addresses', {}), /address/, 'new deposit address');
  unknown(c('POST', O, order('BUY', { twap_limit_gtd: { base_size: '1', limit_price: '2' } })), /not classified/, 'twap');
  unknown(c('POST', O, order('BUY', { ...LIMIT, market_market_ioc: { quote_size: '1' } })), /exactly one order kind/, 'two kinds');
  unknown(c('POST', O, order('BUY', { market_market_ioc: { quote_size: '1', base_size: '1' } })), /exactly one/, 'both sizes');
  unknown(c('POST', O, order('BUY', { market_market_ioc: {} })), /exactly one/, 'no size');
  unknown(c('POST', O, order('BUY', { stop_limit_stop_limit_gtc: { quote_size: '5', limit_price: '2', stop_price: '3' } })), /does not take quote_size/, 'stop by quote');
  unknown(c('POST', O, order('BUY', { limit_limit_gtc: { base_size: 1, limit_price: '2' } })), /JSON string/, 'a number size');
  unknown(c('POST', O, order('BUY', { limit_limit_gtc: { base_size: '1e3', limit_price: '2' } })), /plain decimal/, 'exponent');
  unknown(c('POST', O, order('BUY', { limit_limit_gtc: { base_size: '1' } })), /limit_price/, 'no price');
  unknown(c('POST', O, order('buy', LIMIT)), /side/, 'side must be the enum name');
  unknown(c('POST', O, order(1 as unknown as string, LIMIT)), /side/, 'enum number');
  unknown(c('POST', O, order('BUY', LIMIT, { attached_order_configuration: { trigger_bracket_gtc: { limit_price: '1', stop_trigger_price: '1' } } })), /attached/, 'attached TP/SL');
  unknown(c('POST', O, { productId: 'SHIB-USD', side: 'BUY', order_configuration: LIMIT }), /spelt "product_id"/, 'JSON name of the field');
  unknown(c('POST', O, { product_id: 'BTC-USD', productId: 'SHIB-USD', side: 'BUY', order_configuration: LIMIT }), /same field/, 'proto and JSON name together');
  unknown(c('POST', O, { product_id: 'BTC-USD', side: 'BUY', order_configuration: { limitLimitGtc: { base_size: '1', limit_price: '2' } } }), /spelt/, 'camelCase kind');
  unknown(c('POST', O, '{"product_id":"BTC-USD","side":"BUY","ſide":"SELL","order_configuration":{"limit_limit_gtc":{"base_size":"1","limit_price":"2"}}}'), /ASCII/, 'non-ASCII key');
  unknown(c('POST', O, '{"product_id":"BTC-USD","product_id":"SHIB-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"1","limit_price":"2"}}}'), /twice/, 'duplicate key');
  unknown(c('POST', O, '[1]'), /JSON object/, 'array body');
  unknown(c('POST', `${O}?product_id=SHIB-USD`, order('BUY', LIMIT)), /query string/, 'POST with a query');
  unknown(coinbase.classify(requestFromUrl('GET', '/api/v3/brokerage/accounts', Buffer.from('{}'), JSON_HEADERS)), /body/, 'GET with a body');
  unknown(c('GET', '/api/v3/brokerage/accounts?limit=1&limit=2'), /2 times/, 'repeated scalar');
  unknown(c('GET', '/api/v3/brokerage/products/BTC-USD/ticker?product_id=A&product_id=B'), /2 times/, 'repeated product');
  unknown(c('GET', '/api/v3/brokerage/accounts?cursor=%ZZ'), /escape/, 'bad escape');
  unknown(c('GET', '/api/v3/brokerage/products/BTC%2FUSD'), /path/, 'encoded slash');
  unknown(c('GET', '/api/v3/brokerage/products/../accounts'), /path/, 'dot segment');
});

test('coinbase: permissions from key_permissions', () => {
  const ok = coinbase.permissions.parse(200, Buffer.from(JSON.stringify({ can_view: true, can_trade: true, can_transfer: false, portfolio_uuid: 'p-1', portfolio_type: 'DEFAULT' })));
  assert.deepEqual(ok, { read: true, trade: true, withdraw: false, transfer: false, ipRestricted: null, ipAllowlist: null, native: ['can_view', 'can_trade', 'portfolio_type=DEFAULT'] });
  const risky = coinbase.permissions.parse(200, Buffer.from('{"can_view":true,"can_trade":false,"can_transfer":true}'));
  assert.equal(risky.withdraw, true);
  assert.equal(risky.transfer, true);
  assert.equal(risky.trade, false);
  assert.throws(() => coinbase.permissions.parse(401, Buffer.from('Unauthorized\n')), /Coinbase answered 401: Unauthorized/);
  assert.throws(() => coinbase.permissions.parse(200, Buffer.from('{"error":"PERMISSION_DENIED","message":"no"}')), (e: Error & { code?: string }) => e.code === 'KW_EXCHANGE_REFUSED');
  assert.deepEqual(coinbase.permissions.request(), { method: 'GET', path: '/api/v3/brokerage/key_permissions', query: '', headers: {}, body: Buffer.alloc(0) });
});

test('coinbase: refusals in Advanced Trade\'s error format, and ccxt raises its usual class for each', () => {
  const e = coinbase.renderError({ kind: 'forbidden', code: 'KW_POLICY_DENIED', message: 'withdrawals are never signed' });
  assert.equal(e.status, 403);
  assert.deepEqual(JSON.parse(e.body), {
    error: 'PERMISSION_DENIED',
    error_details: 'Keyward KW_POLICY_DENIED: withdrawals are never signed',
    message: 'Keyward KW_POLICY_DENIED: withdrawals are never signed',
  });
  const expected = { auth: 'AuthenticationError', forbidden: 'PermissionDenied', invalid: 'BadRequest', 'rate-limited': 'RateLimitExceeded', unavailable: 'ExchangeError' } as const;
  for (const [kind, cls] of Object.entries(expected)) {
    const rendered = coinbase.renderError({ kind: kind as keyof typeof expected, code: 'KW_TEST', message: 'refused' });
    assert.equal(ccxtErrorFor('coinbase', rendered, 'https://api.coinbase.com/api/v3/brokerage/orders', 'POST'), cls, kind);
    assert.match(rendered.body, /Keyward KW_TEST: refused/);
  }
});
