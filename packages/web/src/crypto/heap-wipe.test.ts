// No password or key outlives a call in libsodium's WebAssembly heap: every region Keyward uses
// there is zeroed before it is freed (heap.ts). The control test shows the search would find a key
// the libsodium wrappers had handled, so a pass here means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers-sumo';
import { KDF_DEFAULTS } from '@keyward/protocol/key-hierarchy';
import { bytes, utf8, vectors as v } from '../testing/shared-vectors.js';
import { argon2id } from './argon2id.js';
import { withHeap } from './heap.js';
import { loadSodium } from './sodium.js';
import { deriveSignIn, openUserKey, prepareSignUp, sealCredentialForUpload } from './index.js';

const inHeap = async (needle: Uint8Array): Promise<boolean> => Buffer.from((await loadSodium()).HEAPU8.buffer).indexOf(needle) >= 0;
const marker = (seed: number, length = 32): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7 + 11) & 0xff);

test('control: a key passed through the libsodium wrappers stays readable in the heap', async () => {
  await loadSodium();
  const key = marker(1);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8('m'), null, null, new Uint8Array(24), key);
  assert.equal(await inHeap(key), true);
});

test('after sign-up, sign-in, opening the user key and sealing a credential, none of their secrets is left in the heap', async () => {
  const kh = v.keyHierarchy;
  const password = utf8(`${kh.password} heap test`);
  const userKey = marker(2);
  const dek = marker(3);
  const secret = marker(4, 48);
  const { body } = await prepareSignUp(password, 'a@example.com', {
    testOnlyFixed: { accountId: 'acct', salt: bytes(kh.salt), userKey, nonce: new Uint8Array(24), kdf: kh.params },
  });
  const keys = await deriveSignIn(password, { accountId: 'acct', salt: body.salt, kdf: body.kdf });
  const opened = await openUserKey(keys.encryptionKey, body.wrappedUserKey, 'acct');
  await sealCredentialForUpload(opened, 'acct', { name: 'n', exchange: 'binance', apiKey: 'k', secret },
    { id: 'c1', dek, dekNonce: new Uint8Array(24), credentialNonce: new Uint8Array(24) });
  const authKey = Buffer.from(keys.authKey, 'base64url');
  const masterKey = argon2id(password, bytes(kh.salt), kh.params);
  for (const [name, value] of Object.entries({ password, masterKey, userKey, dek, secret, authKey, encryptionKey: keys.encryptionKey })) {
    assert.equal(await inHeap(value), false, `${name} found in the WebAssembly heap`);
  }
});

test('a scope zeroes its regions when the operation throws', async () => {
  await loadSodium();
  let regions: readonly { ptr: number; length: number }[] = [];
  assert.throws(() => withHeap((heap) => {
    heap.put(marker(5, 64));
    regions = heap.testOnlyRegions();
    throw new Error('boom');
  }), /boom/);
  assert.equal(regions.length, 1);
  assert.equal(await inHeap(marker(5, 64)), false);
});

test('Argon2id leaves neither its memory nor its output behind, at the floor and at the defaults', async () => {
  const raw = await loadSodium();
  const probe = raw._malloc(1);
  raw._free(probe);
  const nonZeroAbove = (from: number): number => raw.HEAPU8.subarray(from).reduce((n, b) => n + (b === 0 ? 0 : 1), 0);
  for (const params of [v.keyHierarchy.params, KDF_DEFAULTS]) {
    const master = argon2id(utf8('a password'), bytes(v.keyHierarchy.salt), params);
    assert.equal(await inHeap(master), false, `master key left in the heap or stack (m=${String(params.memoryKiB)})`);
    // Unscrubbed, nearly every byte of the m KiB would be non-zero.
    assert.ok(nonZeroAbove(probe) < 4096, `Argon2 memory left in the heap (m=${String(params.memoryKiB)})`);
  }
  const length = raw.HEAPU8.length;
  argon2id(utf8('a password'), bytes(v.keyHierarchy.salt), KDF_DEFAULTS);
  assert.equal(raw.HEAPU8.length, length, 'the scrub reuses the freed memory instead of growing the heap');
});
