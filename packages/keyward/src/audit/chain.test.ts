import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { SecureBuffer, createBlake2bMac, createHmacKey } from '../crypto/index.js';
import type { AuditRow } from '../store/index.js';
import { GENESIS_LINK, linkOf, linkOfV1, linkVersion, type ChainKey } from './chain.js';
import { verifyChain } from './verify.js';

// The link format is stored forever: logs written by earlier versions must still verify. Two
// independent implementations (node:crypto's HMAC, @noble/hashes' BLAKE2b) over the documented
// layout pin both MACs byte for byte.
const V1_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const V2_KEY = Buffer.from('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f', 'hex');
const secure = (b: Buffer): SecureBuffer => SecureBuffer.from(Buffer.from(b), { wipeSource: true });
const chainKey = (): ChainKey => ({ v1: createHmacKey('sha256', secure(V1_KEY)), v2: createBlake2bMac(secure(V2_KEY)) });
const release = (k: ChainKey): void => {
  k.v1.release();
  k.v2.release();
};

function layout(previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  const account = Buffer.from(accountId, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(account.length);
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigUInt64BE(BigInt(seq));
  return Buffer.concat([previous, length, account, seqBytes, Buffer.from(body, 'utf8')]);
}

const previous = Buffer.alloc(32, 7);
const CASES: [Uint8Array, string, number, string][] = [
  [GENESIS_LINK, 'acct-1', 1, '{"kind":"decision"}'],
  [previous, 'compte-é', 2 ** 32 + 5, '{"note":"中文 😀"}'],
  [previous, '', Number.MAX_SAFE_INTEGER, ''],
  [previous, 'a'.repeat(300), 0, 'x'.repeat(5000)],
];

test('link = keyed BLAKE2b-256(key, previous ‖ u16 account length ‖ account ‖ u64 seq ‖ body)', () => {
  const key = chainKey();
  for (const [prev, account, seq, body] of CASES) {
    assert.deepEqual(linkOf(key.v2, prev, account, seq, body), Buffer.from(blake2b(layout(prev, account, seq, body), { key: V2_KEY, dkLen: 32 })), `${account} ${String(seq)}`);
  }
  release(key);
});

test('links written before 2026-11: HMAC-SHA256 over the same layout', () => {
  const key = chainKey();
  for (const [prev, account, seq, body] of CASES) {
    const expected = createHmac('sha256', V1_KEY).update(layout(prev, account, seq, body)).digest();
    assert.deepEqual(linkOfV1(key.v1, prev, account, seq, body), expected, `${account} ${String(seq)}`);
    assert.equal(linkVersion(key, prev, account, seq, body, expected), 1);
    assert.equal(linkVersion(key, prev, account, seq, body, linkOf(key.v2, prev, account, seq, body)), 2);
    assert.equal(linkVersion(key, prev, account, seq, `${body}x`, expected), null);
  }
  release(key);
});

test('a sequence number that is not a whole number is refused', () => {
  const key = chainKey();
  for (const seq of [1.5, -1, Number.NaN, 2 ** 64]) assert.throws(() => linkOf(key.v2, GENESIS_LINK, 'a', seq, ''), RangeError);
  release(key);
});

/** A chain of `versions.length` rows, each linked with the MAC its entry names. */
function chain(key: ChainKey, versions: readonly (1 | 2)[]): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev: Uint8Array = GENESIS_LINK;
  versions.forEach((v, i) => {
    const body = `{"kind":"decision","n":${String(i)}}`;
    const link = v === 2 ? linkOf(key.v2, prev, 'acct', i + 1, body) : linkOfV1(key.v1, prev, 'acct', i + 1, body);
    rows.push({ accountId: 'acct', seq: i + 1, at: i, body, link });
    prev = link;
  });
  return rows;
}

test('a log begun with the older MAC and continued with BLAKE2b verifies; an older link after a BLAKE2b one does not', () => {
  const key = chainKey();
  const upgraded = verifyChain(key, 'acct', chain(key, [1, 1, 1, 2, 2, 2]), []);
  assert.equal(upgraded.ok, true, JSON.stringify(upgraded.problems));
  assert.equal(verifyChain(key, 'acct', chain(key, [1, 1, 1]), []).ok, true);
  // Going back to the older MAC is not something Keyward does: it is named like any other break.
  const back = verifyChain(key, 'acct', chain(key, [2, 2, 1, 2]), []);
  assert.equal(back.ok, false);
  assert.deepEqual(back.problems.map((p) => p.seq), [3]);
  // Tampering is named in a mixed log as in any other: an edited record of each kind.
  for (const at of [1, 4]) {
    const rows = chain(key, [1, 1, 1, 2, 2, 2]);
    const row = rows[at] as AuditRow;
    rows[at] = { ...row, body: row.body.replace('decision', 'decisiom') };
    assert.deepEqual(verifyChain(key, 'acct', rows, []).problems.map((p) => [p.kind, p.seq]), [['edited', at + 1]]);
  }
  release(key);
});
