// Every applicable shared vector (generated with @noble, independently of libsodium) reproduced
// byte for byte by the browser crypto, through the primitives and through the public functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAssociatedData } from '@keyward/protocol/key-hierarchy';
import { b64url, bytes, hex, utf8, vectors as v } from '../testing/shared-vectors.js';
import { argon2id } from './argon2id.js';
import { encodeCredential } from './credential-encoding.js';
import { openEnvelope, sealEnvelope, unwrapKey, wrapKey } from './envelope.js';
import { deriveSubkey } from './hkdf.js';
import { loadSodium } from './sodium.js';
import { changePassword, deriveSignIn, openUserKey, prepareSignUp, sealCredentialForUpload } from './index.js';

const kh = v.keyHierarchy;
const owner = v.wrapUserKey.ad.owner;
const credentialId = v.sealCredential.ad.record;
const prelogin = { accountId: owner, salt: b64url(kh.salt), kdf: { memoryKiB: kh.params.memoryKiB, iterations: kh.params.iterations } };

test('Argon2id reproduces the master key, and HKDF its auth and encryption subkeys', async () => {
  await loadSodium();
  const master = argon2id(utf8(kh.password), bytes(kh.salt), kh.params);
  assert.equal(hex(master), kh.masterKey);
  assert.equal(hex(deriveSubkey(master, kh.labels.authKey)), kh.authKey);
  assert.equal(hex(deriveSubkey(master, kh.labels.encryptionKey)), kh.encryptionKey);
});

test('associated data is encoded as the vectors say', () => {
  for (const a of v.associatedData) assert.equal(hex(encodeAssociatedData(a)), a.encoded);
});

test('wrapKey reproduces the wrapped user key and data key, and unwrapKey opens them', async () => {
  await loadSodium();
  for (const s of [v.wrapUserKey, v.wrapDataKey]) {
    const wrapped = wrapKey(bytes(s.wrappingKey ?? ''), bytes(s.key), s.ad, bytes(s.nonce));
    assert.equal(hex(wrapped), s.envelope);
    assert.equal(hex(unwrapKey(bytes(s.wrappingKey ?? ''), wrapped, s.ad)), s.key);
  }
});

test('the credential encoding and its sealed envelope match the vector', async () => {
  await loadSodium();
  const s = v.sealCredential;
  const encoded = encodeCredential({ apiKey: s.fields.apiKey, secret: utf8(s.fields.secret) });
  assert.equal(hex(encoded), s.plaintext);
  const sealed = sealEnvelope(bytes(s.key), encoded, s.ad, bytes(s.nonce));
  assert.equal(hex(sealed), s.envelope);
  assert.equal(hex(openEnvelope(bytes(s.key), sealed, s.ad)), s.plaintext);
});

test('prepareSignUp with the vector values sends the vector auth key and wrapped user key', async () => {
  const { body, userKey } = await prepareSignUp(utf8(kh.password), 'a@example.com', {
    testOnlyFixed: { accountId: owner, salt: bytes(kh.salt), userKey: bytes(v.wrapUserKey.key), nonce: bytes(v.wrapUserKey.nonce), kdf: kh.params },
  });
  assert.deepEqual(Object.keys(body).sort(), ['accountId', 'authKey', 'email', 'kdf', 'salt', 'userKeyCheck', 'wrappedUserKey']);
  assert.equal(body.accountId, owner);
  assert.equal(body.salt, b64url(kh.salt));
  assert.deepEqual(body.kdf, { memoryKiB: kh.params.memoryKiB, iterations: kh.params.iterations });
  assert.equal(body.authKey, b64url(kh.authKey));
  assert.equal(body.wrappedUserKey, b64url(v.wrapUserKey.envelope));
  assert.equal(hex(userKey), v.wrapUserKey.key);
});

test('deriveSignIn on the vector pre-login answer gives the vector keys; openUserKey opens the vector user key', async () => {
  const keys = await deriveSignIn(utf8(kh.password), prelogin);
  assert.equal(keys.authKey, b64url(kh.authKey));
  assert.equal(hex(keys.encryptionKey), kh.encryptionKey);
  const userKey = await openUserKey(keys.encryptionKey, b64url(v.wrapUserKey.envelope), owner);
  assert.equal(hex(userKey), v.wrapUserKey.key);
});

test('sealCredentialForUpload with the vector data key and nonces gives the vector ciphertext and wrapped data key', async () => {
  const s = v.sealCredential;
  const sealed = await sealCredentialForUpload(bytes(v.wrapDataKey.wrappingKey ?? ''), owner,
    { name: 'main', exchange: 'binance', apiKey: s.fields.apiKey, secret: utf8(s.fields.secret) },
    { id: credentialId, dek: bytes(s.key), dekNonce: bytes(v.wrapDataKey.nonce), credentialNonce: bytes(s.nonce) });
  assert.deepEqual(Object.keys(sealed).sort(), ['ciphertext', 'exchange', 'fingerprint', 'id', 'name', 'wrappedDek']);
  assert.equal(sealed.id, credentialId);
  assert.equal(sealed.ciphertext, b64url(s.envelope));
  assert.equal(sealed.wrappedDek, b64url(v.wrapDataKey.envelope));
  assert.match(sealed.fingerprint, /^[0-9a-f]{12}$/);
});

test('changePassword rewraps the same user key under the new password, never below the defaults', async () => {
  const userKey = bytes(v.wrapUserKey.key);
  const { body } = await changePassword(userKey, owner, utf8('a new password'), { memoryKiB: kh.params.memoryKiB, iterations: kh.params.iterations });
  assert.deepEqual(body.kdf, { memoryKiB: 64 * 1024, iterations: 3 });
  const keys = await deriveSignIn(utf8('a new password'), { accountId: owner, salt: body.salt, kdf: body.kdf });
  assert.equal(keys.authKey, body.authKey);
  assert.equal(hex(await openUserKey(keys.encryptionKey, body.wrappedUserKey, owner)), v.wrapUserKey.key);
});
