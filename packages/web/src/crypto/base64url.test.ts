import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64urlLength, encodeBase64urlBytes, fromBase64url, toBase64url } from './base64url.js';
import { secretJsonBody } from './secret-json.js';

test('base64url matches Node\'s encoder both ways for every length up to 70', () => {
  for (let n = 0; n <= 70; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 0xff);
    const expected = Buffer.from(b).toString('base64url');
    assert.equal(toBase64url(b), expected);
    assert.equal(base64urlLength(n), expected.length);
    assert.deepEqual(fromBase64url(expected), b);
  }
});

test('decoding is strict: padding, the standard alphabet, stray bits and impossible lengths are refused', () => {
  // 'AB': the B sets bits past the one byte that two characters carry.
  for (const bad of ['AA==', 'A+B/', 'AB', 'A', 'AAAAA', 'AB$', 'Ag\u00e9']) assert.throws(() => fromBase64url(bad), RangeError, bad);
  assert.deepEqual(fromBase64url('AA'), new Uint8Array(1));
});

test('encoding into bytes needs an output of exactly the right length', () => {
  assert.throws(() => encodeBase64urlBytes(new Uint8Array(3), new Uint8Array(5)), RangeError);
});

test('a secret JSON body parses to the base64url of each field, without the secret passing through a string here', () => {
  const userKey = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const other = Uint8Array.of(1, 2);
  const body = secretJsonBody({ userKey, other });
  assert.deepEqual(JSON.parse(Buffer.from(body).toString('utf8')), {
    userKey: Buffer.from(userKey).toString('base64url'), other: Buffer.from(other).toString('base64url'),
  });
  assert.equal(Buffer.from(secretJsonBody({})).toString('utf8'), '{}');
  assert.throws(() => secretJsonBody({ 'a"b': userKey }), RangeError);
});
