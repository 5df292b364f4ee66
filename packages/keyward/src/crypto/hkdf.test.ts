import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SecureBuffer } from './secure-buffer.js';
import { deriveSubkey, hkdf, hkdfExpand, hkdfExtract } from './hkdf.js';

interface Rfc5869Vector { case: number; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }
const rfc5869 = JSON.parse(readFileSync(new URL('./testdata/rfc5869.json', import.meta.url), 'utf8')) as { vectors: Rfc5869Vector[] };
const hex = (b: SecureBuffer): string => b.reveal((x) => x.toString('hex'));

test('HKDF-SHA256 matches RFC 5869 test cases 1-3 (PRK and OKM)', () => {
  for (const v of rfc5869.vectors) {
    const ikm = SecureBuffer.from(Buffer.from(v.ikm, 'hex'), { wipeSource: true });
    const salt = v.salt === '' ? null : Buffer.from(v.salt, 'hex');
    const prk = hkdfExtract(salt, ikm);
    assert.equal(hex(prk), v.prk, `case ${String(v.case)} PRK`);
    const okm = hkdfExpand(prk, Buffer.from(v.info, 'hex'), v.length);
    assert.equal(hex(okm), v.okm, `case ${String(v.case)} OKM`);
    const oneShot = hkdf(salt, ikm, Buffer.from(v.info, 'hex'), v.length);
    assert.equal(hex(oneShot), v.okm);
    [ikm, prk, okm, oneShot].forEach((b) => b.release());
  }
});

test('HKDF refuses lengths outside 1..255*HashLen (RFC 5869 §2.3)', () => {
  const prk = SecureBuffer.random(32);
  assert.throws(() => hkdfExpand(prk, new Uint8Array(), 0), RangeError);
  assert.throws(() => hkdfExpand(prk, new Uint8Array(), 255 * 32 + 1), RangeError);
  assert.equal(hkdfExpand(prk, new Uint8Array(), 255 * 32).length, 255 * 32);
  prk.release();
});

test('labelled subkeys differ per label and agree with an independent HKDF (noble)', () => {
  const raw = Buffer.alloc(32, 7);
  const key = SecureBuffer.from(raw, { wipeSource: false });
  const a = deriveSubkey(key, 'keyward/v1/auth-key');
  const b = deriveSubkey(key, 'keyward/v1/encryption-key');
  assert.notEqual(hex(a), hex(b));
  const expected = Buffer.from(nobleHkdf(sha256, raw, undefined, new TextEncoder().encode('keyward/v1/auth-key'), 32)).toString('hex');
  assert.equal(hex(a), expected);
  [key, a, b].forEach((x) => x.release());
});
