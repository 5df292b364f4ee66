import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2b } from '@noble/hashes/blake2.js';
import { createBlake2bMac } from './blake2b-mac.js';
import { SecureBuffer } from './secure-buffer.js';

const key = (bytes: number[]): SecureBuffer => SecureBuffer.from(Buffer.from(bytes), { wipeSource: true });

test('keyed BLAKE2b equals an independent implementation (@noble/hashes), whatever the lengths', () => {
  for (const keyBytes of [16, 32, 64]) {
    const raw = Array.from({ length: keyBytes }, (_, i) => (i * 7 + keyBytes) & 0xff);
    for (const outputBytes of [32, 64]) {
      const mac = createBlake2bMac(key(raw), outputBytes);
      for (const length of [0, 1, 63, 64, 65, 127, 128, 129, 1000]) {
        const message = Buffer.from(Array.from({ length }, (_, i) => (i * 13 + length) & 0xff));
        assert.deepEqual(mac.digest(message), Buffer.from(blake2b(message, { key: Uint8Array.from(raw), dkLen: outputBytes })), `key ${String(keyBytes)}, output ${String(outputBytes)}, message ${String(length)}`);
      }
      mac.release();
    }
  }
});

test('a key out of range is refused, the caller keeps its own copy, and a released key cannot be used', () => {
  assert.throws(() => createBlake2bMac(key(Array.from({ length: 15 }, () => 1))), RangeError);
  assert.throws(() => createBlake2bMac(key(Array.from({ length: 65 }, () => 1))), RangeError);
  const k = key(Array.from({ length: 32 }, () => 3));
  const mac = createBlake2bMac(k);
  k.release();
  assert.equal(mac.digest(Buffer.from('still works')).length, 32);
  mac.release();
  assert.throws(() => mac.digest(Buffer.from('x')));
});
