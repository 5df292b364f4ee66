// Vectors from binance-spot-api-docs rest-api.md ("SIGNED Endpoint Examples for POST /api/v3/order")
// and one ccxt 4.5.84 vector from shared/research/exchanges.md §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { checkTiming, isValidEd25519Signature, isValidHmacSignature, signedPayload } from './binance-auth.js';

const DOC_SECRET = Buffer.from('NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j', 'latin1');
const DOC_PARAMS = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

test('the documented examples verify: all in the body, all in the query, and split between them', () => {
  const sig = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
  const inBody = signedPayload('', `${DOC_PARAMS}&signature=${sig}`);
  assert.equal(inBody.payload, DOC_PARAMS);
  assert.ok(isValidHmacSignature(DOC_SECRET, inBody.payload, inBody.signature ?? ''));
  const inQuery = signedPayload(`${DOC_PARAMS}&signature=${sig.toUpperCase()}`, '');
  assert.ok(isValidHmacSignature(DOC_SECRET, inQuery.payload, inQuery.signature ?? ''), 'hex is case-insensitive');
  // Example 3: no '&' between query and body.
  const mixed = signedPayload('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
    'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77');
  assert.equal(mixed.payload, 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559');
  assert.ok(isValidHmacSignature(DOC_SECRET, mixed.payload, mixed.signature ?? ''));
  const nonAscii = '%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96';
  assert.ok(isValidHmacSignature(DOC_SECRET, DOC_PARAMS.replace('LTCBTC', nonAscii), 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3'));
});

test('the ccxt vector verifies, and one changed byte does not', () => {
  const secret = Buffer.from('kwFakeBinanceSecret00000000000000000000000000000000000000000000', 'latin1');
  const body = 'timestamp=1700000000123&symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=20000&newClientOrderId=kw-test-1&recvWindow=10000';
  const sig = '4b54205270a91aced5ed697d0163e416b52de8c580b4a6eaece51a72099b0d82';
  assert.ok(isValidHmacSignature(secret, body, sig));
  assert.equal(isValidHmacSignature(secret, body.replace('0.01', '0.02'), sig), false);
  assert.equal(isValidHmacSignature(secret, body, sig.slice(0, 63)), false);
  assert.equal(isValidHmacSignature(secret, body, `${sig.slice(0, 63)}g`), false);
});

test('two signature parameters are counted, not guessed between', () => {
  const s = signedPayload('a=1&signature=aa', 'b=2&signature=bb');
  assert.equal(s.signatureCount, 2);
  assert.equal(s.signature, undefined);
});

test('Ed25519 keys: base64 signature of the payload, percent-encoded on the wire', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const payload = 'timestamp=1700000000123&symbol=BTCUSDT&recvWindow=10000';
  const b64 = sign(null, Buffer.from(payload), privateKey).toString('base64');
  assert.ok(isValidEd25519Signature(publicKey, payload, encodeURIComponent(b64)));
  assert.equal(isValidEd25519Signature(publicKey, `${payload}0`, encodeURIComponent(b64)), false);
  assert.equal(isValidEd25519Signature(publicKey, payload, 'not-base64'), false);
});

test('timing follows the documented rule at its exact edges', () => {
  const now = 1_700_000_000_000;
  const ts = (ms: number): string => String(ms);
  assert.deepEqual(checkTiming(ts(now - 5000), undefined, now), { ok: true }, 'recvWindow defaults to 5000, inclusive');
  assert.equal(checkTiming(ts(now - 5001), undefined, now).ok, false);
  assert.deepEqual(checkTiming(ts(now + 999), undefined, now), { ok: true }, 'up to 999 ms ahead');
  assert.deepEqual(checkTiming(ts(now + 1000), undefined, now), { ok: false, code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." });
  assert.deepEqual(checkTiming(ts(now - 6000), undefined, now), { ok: false, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
  assert.deepEqual(checkTiming(ts(now - 60_000), '60000', now), { ok: true }, '60000 is the maximum');
  assert.deepEqual(checkTiming(ts(now), '60000.001', now), { ok: false, code: -1131, msg: 'recvWindow must be less than 60000' });
  assert.deepEqual(checkTiming(ts(now - 100), '99.999', now), { ok: false, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
  assert.deepEqual(checkTiming(`${ts(now - 1)}000`, undefined, now), { ok: true }, 'microsecond timestamps');
  assert.equal(checkTiming(undefined, undefined, now).ok, false);
  assert.equal(checkTiming('12a', undefined, now).ok, false);
});
