import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeBase64Secure } from './base64.js';

const decode = (s: string): string | null => decodeBase64Secure(Buffer.from(s))?.reveal((b) => b.toString('hex')) ?? null;

test('decodes RFC 4648 §10 test vectors', () => {
  const vectors: [string, string][] = [['', ''], ['Zg==', 'f'], ['Zm8=', 'fo'], ['Zm9v', 'foo'], ['Zm9vYg==', 'foob'], ['Zm9vYmE=', 'fooba'], ['Zm9vYmFy', 'foobar']];
  for (const [b64, plain] of vectors) assert.equal(decode(b64), Buffer.from(plain).toString('hex'));
});

test('agrees with Buffer on random data, standard and URL-safe, padded or not, with line breaks', () => {
  for (let i = 0; i < 500; i++) {
    const raw = randomBytes(i % 97);
    const hex = raw.toString('hex');
    assert.equal(decode(raw.toString('base64')), hex);
    assert.equal(decode(raw.toString('base64url')), hex);
    assert.equal(decode(raw.toString('base64').replace(/(.{16})/g, '$1\n')), hex);
  }
});

test('refuses what is not base64', () => {
  for (const bad of ['Zm9v!', 'Z', 'Zm9vY', 'Zm 9v*', 'Zm9v\u00e9']) assert.equal(decode(bad), null, bad);
});
