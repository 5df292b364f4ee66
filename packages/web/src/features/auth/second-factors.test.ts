import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeFactor, factorKinds, firstKind } from './second-factors.js';

test('the kinds an account has, in the order offered, from the ticket or from the counts', () => {
  assert.deepEqual(factorKinds(['recovery', 'passkey']), ['passkey', 'recovery']);
  assert.deepEqual(factorKinds(['totp', 'recovery', 'unknown-kind']), ['totp', 'recovery']);
  assert.deepEqual(factorKinds({ totp: [], passkeys: [{}], recoveryCodesLeft: 8 }), ['passkey', 'recovery']);
  assert.deepEqual(factorKinds({ totp: [{}], passkeys: [], recoveryCodesLeft: 0 }), ['totp']);
  assert.deepEqual(factorKinds({ totp: [], passkeys: [], recoveryCodesLeft: 0 }), []);
});

test('the first kind asked for: the app, else a passkey when the browser can, else a recovery code', () => {
  assert.equal(firstKind(['totp', 'passkey', 'recovery'], true), 'totp');
  assert.equal(firstKind(['passkey', 'recovery'], true), 'passkey');
  assert.equal(firstKind(['passkey', 'recovery'], false), 'recovery');
  assert.equal(firstKind(['passkey'], false), 'passkey', 'the only factor is still named (the form says the browser cannot)');
  assert.equal(firstKind([], true), null);
});

test('a typed code goes in its own member; spaces are dropped from an app code', () => {
  assert.deepEqual(codeFactor('totp', ' 123 456 '), { totp: '123456' });
  assert.deepEqual(codeFactor('recovery', ' abcd-efgh '), { recoveryCode: 'abcd-efgh' });
});
