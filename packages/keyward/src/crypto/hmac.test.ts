import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { SecureBuffer } from './secure-buffer.js';
import { createHmacKey, hmac, type HashName } from './hmac.js';
import { hash } from './sha2.js';

interface Rfc4231Vector {
  case: number; key: string; data: string; truncateBytes?: number;
  sha256: string; sha384: string; sha512: string;
}
const rfc4231 = JSON.parse(readFileSync(new URL('./testdata/rfc4231.json', import.meta.url), 'utf8')) as { vectors: Rfc4231Vector[] };
const HASHES: HashName[] = ['sha256', 'sha384', 'sha512'];

test('HMAC matches every RFC 4231 test case for SHA-256, SHA-384 and SHA-512', () => {
  assert.equal(rfc4231.vectors.length, 7);
  for (const v of rfc4231.vectors) {
    for (const h of HASHES) {
      const key = SecureBuffer.from(Buffer.from(v.key, 'hex'), { wipeSource: true });
      const mac = hmac(h, key, Buffer.from(v.data, 'hex')).toString('hex');
      key.release();
      const got = v.truncateBytes === undefined ? mac : mac.slice(0, v.truncateBytes * 2);
      assert.equal(got, v[h], `RFC 4231 case ${String(v.case)} ${h}`);
    }
  }
});

test('a reused HmacKey gives the same MAC each time, and multi-part messages equal the joined message', () => {
  for (const h of HASHES) {
    const raw = nodeRandomBytes(48);
    const key = createHmacKey(h, SecureBuffer.from(Buffer.from(raw), { wipeSource: true }));
    for (let i = 0; i < 5; i++) {
      const msg = nodeRandomBytes(i * 97);
      const expected = createHmac(h, raw).update(msg).digest('hex');
      assert.equal(key.digest(msg).toString('hex'), expected);
      assert.equal(key.digest([msg.subarray(0, 10), msg.subarray(10)]).toString('hex'), expected);
    }
    key.release();
    assert.throws(() => key.digest(Buffer.from('x')), /after release/);
  }
});

test('keys of every length around the block size agree with OpenSSL', () => {
  for (const h of HASHES) {
    for (const len of [0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 300]) {
      const raw = nodeRandomBytes(len);
      const key = SecureBuffer.from(Buffer.from(raw), { wipeSource: true });
      assert.equal(hmac(h, key, Buffer.from('message')).toString('hex'), createHmac(h, raw).update('message').digest('hex'), `${h} key length ${String(len)}`);
      key.release();
    }
  }
});

test('digestInto refuses an output buffer of the wrong length instead of writing past it', () => {
  const key = createHmacKey('sha256', SecureBuffer.random(32));
  assert.throws(() => key.digestInto(Buffer.from('m'), Buffer.alloc(31)), RangeError);
  key.release();
});

test('SHA-384 built on the SHA-512 state matches OpenSSL on public data', async () => {
  const { createHash } = await import('node:crypto');
  for (const len of [0, 3, 111, 112, 127, 128, 129, 1000]) {
    const data = nodeRandomBytes(len);
    for (const h of HASHES) assert.equal(hash(h, data).toString('hex'), createHash(h).update(data).digest('hex'));
  }
});
