// What the browser refuses: KDF parameters outside protocol's floor and ceiling (a malicious
// server's downgrade) before any work, and any changed byte of what it opens, always with the
// same opaque error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KDF_CEILING, KDF_DEFAULTS, KDF_FLOOR } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { b64url, bytes, hex, utf8, vectors as v } from '../testing/shared-vectors.js';
import { argon2id } from './argon2id.js';
import { openEnvelope } from './envelope.js';
import { loadSodium } from './sodium.js';
import { checkPreloginParams, deriveSignIn, openUserKey, prepareSignUp, type KdfProgressEvent } from './index.js';

const owner = v.wrapUserKey.ad.owner;
const salt = b64url(v.keyHierarchy.salt);
const answer = (kdf: unknown, extra: Record<string, unknown> = {}): unknown => ({ accountId: owner, salt, kdf, ...extra });
const refusedWith = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;
const kdfRefused = refusedWith('KW_KDF_PARAMS_REFUSED');
const openFailed = refusedWith('KW_CRYPTO_OPEN_FAILED');

test('checkPreloginParams accepts the floor, the defaults and the ceiling', () => {
  for (const kdf of [KDF_FLOOR, KDF_DEFAULTS, KDF_CEILING]) {
    const p = checkPreloginParams(answer({ memoryKiB: kdf.memoryKiB, iterations: kdf.iterations }));
    assert.equal(p.kdf.memoryKiB, kdf.memoryKiB);
    assert.equal(hex(p.salt), v.keyHierarchy.salt);
  }
});

test('checkPreloginParams refuses parameters below the floor, above the ceiling, or malformed', () => {
  const bad: unknown[] = [
    { memoryKiB: KDF_FLOOR.memoryKiB - 1, iterations: 3 },
    { memoryKiB: 64 * 1024, iterations: KDF_FLOOR.iterations - 1 },
    { memoryKiB: 8, iterations: 1 },
    { memoryKiB: KDF_CEILING.memoryKiB + 1, iterations: 3 },
    { memoryKiB: 64 * 1024, iterations: KDF_CEILING.iterations + 1 },
    { memoryKiB: 65536.5, iterations: 3 },
    { memoryKiB: Number.NaN, iterations: 3 },
    { memoryKiB: '65536', iterations: 3 },
    { iterations: 3 },
    null,
  ];
  for (const kdf of bad) assert.throws(() => checkPreloginParams(answer(kdf)), kdfRefused, JSON.stringify(kdf));
});

test('checkPreloginParams refuses a bad salt or account id', () => {
  const kdf = { memoryKiB: 64 * 1024, iterations: 3 };
  for (const a of [
    answer(kdf, { salt: Buffer.alloc(15).toString('base64url') }),
    answer(kdf, { salt: Buffer.alloc(17).toString('base64url') }),
    answer(kdf, { salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }),
    answer(kdf, { salt: 12 }),
    answer(kdf, { accountId: '' }),
    answer(kdf, { accountId: 'a/b' }),
    'not an object',
  ]) assert.throws(() => checkPreloginParams(a), kdfRefused);
});

test('deriveSignIn refuses a downgraded answer before reporting progress or deriving anything', async () => {
  const events: KdfProgressEvent[] = [];
  await assert.rejects(deriveSignIn(utf8('pw'), answer({ memoryKiB: 1024, iterations: 1 }), { onProgress: (e) => events.push(e) }), kdfRefused);
  assert.deepEqual(events, []);
});

test('argon2id refuses bad parameters and salts even when called directly', async () => {
  await loadSodium();
  const params = { algorithm: 'argon2id13', memoryKiB: 1024, iterations: 1, parallelism: 1 } as const;
  assert.throws(() => argon2id(utf8('pw'), bytes(v.keyHierarchy.salt), params), kdfRefused);
  assert.throws(() => argon2id(utf8('pw'), new Uint8Array(8), v.keyHierarchy.params), RangeError);
});

test('the progress callback reports the start and the end of Argon2id, in order', async () => {
  const events: string[] = [];
  await deriveSignIn(utf8('pw'), answer({ memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations }), {
    onProgress: (e) => events.push(`${e.step}:${e.state}:${String(e.params.memoryKiB)}`),
  });
  assert.deepEqual(events, [`argon2id:start:${String(KDF_FLOOR.memoryKiB)}`, `argon2id:end:${String(KDF_FLOOR.memoryKiB)}`]);
});

test('openUserKey refuses every changed byte, a cut or longer key, another account, and another password', async () => {
  const encryptionKey = bytes(v.wrapUserKey.wrappingKey ?? '');
  const wrapped = bytes(v.wrapUserKey.envelope);
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  assert.equal(hex(await openUserKey(encryptionKey, b64(wrapped), owner)), v.wrapUserKey.key);
  for (let i = 0; i < wrapped.length; i++) {
    const changed = wrapped.slice();
    changed[i] = (changed[i] ?? 0) ^ 0x01;
    await assert.rejects(openUserKey(encryptionKey, b64(changed), owner), openFailed, `byte ${String(i)}`);
  }
  await assert.rejects(openUserKey(encryptionKey, b64(wrapped.subarray(0, -1)), owner), openFailed);
  await assert.rejects(openUserKey(encryptionKey, b64(Uint8Array.from([...wrapped, 0])), owner), openFailed);
  await assert.rejects(openUserKey(encryptionKey, b64(wrapped), `${owner}x`), openFailed);
  await assert.rejects(openUserKey(encryptionKey, `${b64(wrapped)}!`, owner), openFailed);
  const other = encryptionKey.slice();
  other[0] = (other[0] ?? 0) ^ 0x80;
  await assert.rejects(openUserKey(other, b64(wrapped), owner), openFailed);
});

test('a sealed credential refuses every changed byte and a move to another record or purpose', async () => {
  await loadSodium();
  const s = v.sealCredential;
  const key = bytes(s.key);
  const sealed = bytes(s.envelope);
  for (let i = 0; i < sealed.length; i++) {
    const changed = sealed.slice();
    changed[i] = (changed[i] ?? 0) ^ 0x40;
    assert.throws(() => openEnvelope(key, changed, s.ad), openFailed, `byte ${String(i)}`);
  }
  assert.throws(() => openEnvelope(key, sealed, { ...s.ad, record: `${s.ad.record}0` }), openFailed);
  assert.throws(() => openEnvelope(key, sealed, { ...s.ad, purpose: 'data-key' }), openFailed);
  assert.throws(() => openEnvelope(key, sealed, { ...s.ad, owner: v.wrapDataKey.ad.record }), openFailed);
});

test('prepareSignUp refuses parameters outside the range even from its test hook', async () => {
  await assert.rejects(prepareSignUp(utf8('pw'), 'a@example.com', {
    testOnlyFixed: { accountId: owner, salt: bytes(v.keyHierarchy.salt), userKey: new Uint8Array(32), nonce: new Uint8Array(24),
      kdf: { algorithm: 'argon2id13', memoryKiB: 4096, iterations: 2, parallelism: 1 } },
  }), kdfRefused);
});
