import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { KDF_CEILING, KDF_DEFAULTS, KDF_FLOOR, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from './secure-buffer.js';
import { argon2id, argon2idAsync } from './kdf.js';

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const vectors = JSON.parse(readFileSync(new URL('./testdata/rfc9106-argon2id.json', import.meta.url), 'utf8')) as {
  vector: { password: string; salt: string; secret: string; associatedData: string; memoryKiB: number; iterations: number; parallelism: number; tag: string };
  reference: { password: string; salt: string; memoryKiB: number; iterations: number; tag: string };
};
const floor: KdfParams = { algorithm: 'argon2id13', memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations, parallelism: 1 };

test('the independent Argon2id used as an oracle reproduces RFC 9106 §5.3 and the reference implementation', () => {
  const v = vectors.vector;
  const tag = nobleArgon2id(fromHex(v.password), fromHex(v.salt), {
    m: v.memoryKiB, t: v.iterations, p: v.parallelism, dkLen: 32, key: fromHex(v.secret), personalization: fromHex(v.associatedData),
  });
  assert.equal(Buffer.from(tag).toString('hex'), v.tag);
  const r = vectors.reference;
  assert.equal(Buffer.from(nobleArgon2id(r.password, r.salt, { m: r.memoryKiB, t: r.iterations, p: 1 })).toString('hex'), r.tag);
});

test('libsodium Argon2id agrees with the oracle at p = 1 (floor and default parameters)', () => {
  for (const params of [floor, KDF_DEFAULTS]) {
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const pw = Buffer.from('correct horse battery staple');
    const ours = argon2id(SecureBuffer.from(Buffer.from(pw), { wipeSource: true }), salt, params);
    const theirs = nobleArgon2id(pw, salt, { m: params.memoryKiB, t: params.iterations, p: 1, dkLen: 32 });
    assert.equal(ours.reveal((b) => b.toString('hex')), Buffer.from(theirs).toString('hex'));
    ours.release();
  }
});

test('derivation below the floor or above the ceiling is refused before any work', () => {
  const pw = SecureBuffer.from(Buffer.from('pw'), { wipeSource: true });
  const salt = new Uint8Array(16);
  const cases: [Partial<KdfParams>, RegExp][] = [
    [{ memoryKiB: KDF_FLOOR.memoryKiB - 1 }, /below-floor/],
    [{ iterations: KDF_FLOOR.iterations - 1 }, /below-floor/],
    [{ memoryKiB: KDF_CEILING.memoryKiB + 1 }, /above-ceiling/],
    [{ iterations: KDF_CEILING.iterations + 1 }, /above-ceiling/],
    [{ memoryKiB: 1.5 * 1024 * 64 + 0.5 }, /malformed/],
  ];
  for (const [change, reason] of cases) {
    assert.throws(() => argon2id(pw, salt, { ...floor, ...change }), (e: unknown) => e instanceof KeywardError && e.code === 'KW_KDF_PARAMS_REFUSED' && reason.test(e.message));
  }
  assert.throws(() => argon2id(pw, new Uint8Array(8), floor), RangeError);
  pw.release();
});

test('the async derivation gives the same key', async () => {
  const pw = SecureBuffer.from(Buffer.from('pw'), { wipeSource: true });
  const salt = new Uint8Array(16).fill(9);
  const a = argon2id(pw, salt, floor);
  const b = await argon2idAsync(pw, salt, floor);
  assert.equal(a.reveal((x) => x.toString('hex')), b.reveal((x) => x.toString('hex')));
  [pw, a, b].forEach((x) => x.release());
});
