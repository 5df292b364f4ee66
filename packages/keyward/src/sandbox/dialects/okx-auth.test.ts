// OKX publishes the formula but no numeric example; the vector is ccxt 4.5.84's, from
// shared/research/exchanges.md §4, re-derived there with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidOkxSignature, okxSignature, parseOkxTimestamp } from './okx-auth.js';

test('the ccxt balance vector reproduces; the query string is part of requestPath', () => {
  const secret = Buffer.from('KWFAKEOKXSECRET', 'latin1');
  const ts = '2023-11-14T22:13:20.123Z';
  const sign = '+2CTGa0eak0ikp7d/wPX3OMo92B8zxzXjXnCPSdX4O8=';
  assert.equal(okxSignature(secret, ts, 'GET', '/api/v5/account/balance?ccy=BTC', '').toString('base64'), sign);
  assert.ok(isValidOkxSignature(secret, ts, 'GET', '/api/v5/account/balance?ccy=BTC', '', sign));
  assert.equal(isValidOkxSignature(secret, ts, 'GET', '/api/v5/account/balance', '', sign), false);
  assert.equal(isValidOkxSignature(secret, ts, 'get', '/api/v5/account/balance?ccy=BTC', '', sign), false, 'the method is upper-case');
  assert.equal(isValidOkxSignature(secret, ts, 'GET', '/api/v5/account/balance?ccy=BTC', '{}', sign), false, 'the body is signed');
});

test('timestamps must be ISO 8601 UTC with milliseconds', () => {
  assert.equal(parseOkxTimestamp('2020-12-08T09:08:57.715Z'), Date.UTC(2020, 11, 8, 9, 8, 57, 715));
  for (const bad of ['1607418537715', '2020-12-08T09:08:57Z', '2020-12-08T09:08:57.715+00:00', '2020-12-08 09:08:57.715Z', '2024-02-30T00:00:00.000Z']) {
    assert.equal(parseOkxTimestamp(bad), undefined, bad);
  }
});
