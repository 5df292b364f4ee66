import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SecureBuffer, createHmacKey } from '../crypto/index.js';
import { GENESIS_LINK, linkOf } from './chain.js';

// The link format is stored forever: logs written by earlier versions must still verify. An
// independent HMAC (node:crypto) over the documented layout pins it byte for byte.
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

function expected(previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  const account = Buffer.from(accountId, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(account.length);
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigUInt64BE(BigInt(seq));
  return createHmac('sha256', KEY).update(previous).update(length).update(account).update(seqBytes).update(Buffer.from(body, 'utf8')).digest();
}

test('link = HMAC(key, previous ‖ u16 account length ‖ account ‖ u64 seq ‖ body)', () => {
  const key = createHmacKey('sha256', SecureBuffer.from(Buffer.from(KEY), { wipeSource: true }));
  const previous = Buffer.alloc(32, 7);
  const cases: [Uint8Array, string, number, string][] = [
    [GENESIS_LINK, 'acct-1', 1, '{"kind":"decision"}'],
    [previous, 'compte-é', 2 ** 32 + 5, '{"note":"中文 😀"}'],
    [previous, '', Number.MAX_SAFE_INTEGER, ''],
    [previous, 'a'.repeat(300), 0, 'x'.repeat(5000)],
  ];
  for (const [prev, account, seq, body] of cases) assert.deepEqual(linkOf(key, prev, account, seq, body), expected(prev, account, seq, body), `${account} ${String(seq)}`);
  key.release();
});

test('a sequence number that is not a whole number is refused', () => {
  const key = createHmacKey('sha256', SecureBuffer.from(Buffer.from(KEY), { wipeSource: true }));
  for (const seq of [1.5, -1, Number.NaN, 2 ** 64]) assert.throws(() => linkOf(key, GENESIS_LINK, 'a', seq, ''), RangeError);
  key.release();
});
