import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { createKeyStore } from './keys.js';

test('key material comes in the form each exchange issues', () => {
  const store = createKeyStore();
  const binance = store.create({ exchange: 'binance' }, 'a', 0).material;
  assert.match(binance.apiKey, /^[A-Za-z0-9]{64}$/);
  assert.match(binance.secret, /^[A-Za-z0-9]{64}$/);
  const binanceEd = store.create({ exchange: 'binance', keyType: 'ed25519' }, 'a', 0).material;
  assert.equal(createPrivateKey(binanceEd.secret).asymmetricKeyType, 'ed25519');
  const kraken = store.create({ exchange: 'kraken' }, 'a', 0).material;
  assert.equal(kraken.apiKey.length, 56);
  assert.equal(Buffer.from(kraken.secret, 'base64').length, 64);
  const okx = store.create({ exchange: 'okx' }, 'a', 0).material;
  assert.match(okx.apiKey, /^[0-9a-f-]{36}$/);
  assert.match(okx.secret, /^[0-9A-F]{32}$/);
  assert.ok(okx.passphrase !== undefined && okx.passphrase.length > 0);
  const cb = store.create({ exchange: 'coinbase' }, 'a', 0).material;
  assert.match(cb.apiKey, /^organizations\/[0-9a-f-]{36}\/apiKeys\/[0-9a-f-]{36}$/);
  assert.match(cb.secret, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.equal(createPrivateKey(cb.secret).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const cbEd = store.create({ exchange: 'coinbase', keyType: 'ed25519' }, 'a', 0).material;
  assert.equal(Buffer.from(cbEd.secret, 'base64').length, 64);
  assert.throws(() => store.create({ exchange: 'kraken', keyType: 'ed25519' }, 'a', 0), RangeError);
  assert.throws(() => store.create({ exchange: 'binance', ipRestrict: ['not-an-ip'] }, 'a', 0), RangeError);
});

test('the store keeps verification material only, and clear() zeroes the shared secrets', () => {
  const store = createKeyStore();
  const { key, material } = store.create({ exchange: 'okx', permissions: ['read'] }, 'a', 0);
  assert.deepEqual(material.permissions, ['read']);
  const secret = key.hmacKey;
  const digest = key.passphraseDigest;
  assert.ok(secret !== undefined && digest !== undefined);
  assert.equal(secret.toString('latin1'), material.secret);
  assert.notEqual(digest.toString('utf8'), material.passphrase, 'only a digest of the passphrase is kept');
  const cb = store.create({ exchange: 'coinbase' }, 'a', 0).key;
  assert.equal(cb.hmacKey, undefined);
  assert.equal(cb.publicKey?.type, 'public');
  store.clear();
  assert.ok(secret.every((b) => b === 0));
  assert.ok(digest.every((b) => b === 0));
  assert.equal(store.find('okx', material.apiKey), undefined);
});
