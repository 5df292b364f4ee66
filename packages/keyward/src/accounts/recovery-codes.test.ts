import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createHmacKey, SecureBuffer, type HmacKey } from '../crypto/index.js';
import { canonicalise, generateRecoveryCodes, verifyRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';

const RAW_KEY = Buffer.alloc(32, 7);
const serverKey = (): HmacKey => createHmacKey('sha256', SecureBuffer.from(Buffer.from(RAW_KEY), { wipeSource: true }));

test('ten distinct codes of ten Crockford base32 characters, shown as xxxxx-xxxxx, stored as 32-byte hashes', () => {
  const key = serverKey();
  const { codes, hashes } = generateRecoveryCodes(key, 'acct-1');
  assert.equal(codes.length, RECOVERY_CODE_COUNT);
  assert.equal(hashes.length, RECOVERY_CODE_COUNT);
  assert.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
  for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  for (const h of hashes) assert.equal(h.length, 32);
  // What is stored is not the code, nor any plain hash of it.
  const stored = Buffer.concat(hashes).toString('latin1');
  for (const c of codes) assert.ok(!stored.includes(c) && !stored.includes(c.replace('-', '')));
  key.release();
});

test('the stored hash is HMAC-SHA-256 over a labelled, length-prefixed account and the canonical code', () => {
  const key = serverKey();
  const { codes, hashes } = generateRecoveryCodes(key, 'acct-1');
  const account = Buffer.from('acct-1');
  const expected = createHmac('sha256', RAW_KEY)
    .update(Buffer.concat([Buffer.from('keyward/v1/recovery-code'), Buffer.of(0, 0, 0, 0, account.length), account, Buffer.from((codes[0] ?? '').replace('-', ''))]))
    .digest();
  assert.deepEqual(hashes[0], expected);
  key.release();
});

test('each code verifies to its own index, whatever the case, spaces, dashes or confusable letters', () => {
  const key = serverKey();
  const { codes, hashes } = generateRecoveryCodes(key, 'acct-1');
  codes.forEach((code, i) => {
    const bare = code.replace('-', '');
    const confusable = bare.replace(/0/g, 'O').replace(/1/g, 'l');
    for (const typed of [code, bare, code.toUpperCase(), ` ${code} `, `${bare.slice(0, 3)} ${bare.slice(3, 7)} ${bare.slice(7)}`, code.replace('-', '\u2013'), `${bare.slice(0, 5)}--${bare.slice(5)}`, confusable]) {
      assert.equal(verifyRecoveryCode(key, 'acct-1', typed, hashes), i, JSON.stringify(typed));
    }
  });
  key.release();
});

test('each code works once: the caller nulls the used index and the code is refused after', () => {
  const key = serverKey();
  const { codes, hashes } = generateRecoveryCodes(key, 'acct-1');
  const stored: (Buffer | null)[] = [...hashes];
  const index = verifyRecoveryCode(key, 'acct-1', codes[3] ?? '', stored);
  assert.equal(index, 3);
  stored[3] = null;
  assert.equal(verifyRecoveryCode(key, 'acct-1', codes[3] ?? '', stored), null);
  // The others still work, at their original positions.
  assert.equal(verifyRecoveryCode(key, 'acct-1', codes[4] ?? '', stored), 4);
  key.release();
});

test('wrong codes, malformed input, another account and another server key are all refused', () => {
  const key = serverKey();
  const { codes, hashes } = generateRecoveryCodes(key, 'acct-1');
  const code = codes[0] ?? '';
  const bare = code.replace('-', '');
  const flipped = bare.slice(0, 9) + (bare[9] === 'a' ? 'b' : 'a');
  for (const bad of ['', flipped, bare.slice(0, 9), `${bare}a`, `${bare.slice(0, 9)}u`, `${bare.slice(0, 9)}!`, `${bare} ${'-'.repeat(60)}`]) {
    assert.equal(verifyRecoveryCode(key, 'acct-1', bad, hashes), null, JSON.stringify(bad));
  }
  assert.equal(verifyRecoveryCode(key, 'acct-2', code, hashes), null, 'a hash copied to another account does not verify there');
  const otherKey = createHmacKey('sha256', SecureBuffer.random(32));
  assert.equal(verifyRecoveryCode(otherKey, 'acct-1', code, hashes), null);
  otherKey.release();
  assert.equal(verifyRecoveryCode(key, 'acct-1', code, []), null);
  assert.equal(verifyRecoveryCode(key, 'acct-1', code, [Buffer.alloc(31), null]), null, 'a damaged stored hash never matches');
  key.release();
});

test('canonicalise reads people\'s typing and refuses what cannot be a code', () => {
  assert.equal(canonicalise('ABCDE-FGHJK'), 'abcdefghjk');
  assert.equal(canonicalise('oOiIlL 01 23'), '0011110123');
  assert.equal(canonicalise('abcde\u00a0fghjk'), 'abcdefghjk');
  assert.equal(canonicalise('abcde-fghju'), null, 'U is not in the alphabet');
  assert.equal(canonicalise('abcde_fghjk'), null);
  assert.equal(canonicalise('x'.repeat(65)), null);
});

test('only an HMAC-SHA-256 key is accepted', () => {
  const key = createHmacKey('sha512', SecureBuffer.random(32));
  assert.throws(() => generateRecoveryCodes(key, 'a'), RangeError);
  assert.throws(() => verifyRecoveryCode(key, 'a', 'abcde-fghjk', []), RangeError);
  key.release();
});

test('the characters are uniform enough: every symbol appears, none dominates', () => {
  const key = serverKey();
  const counts = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    for (const c of generateRecoveryCodes(key, 'a').codes.join('').replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  assert.equal(counts.size, 32);
  // 10,000 characters over 32 symbols: about 312 each; 200..430 is over 6 standard deviations wide.
  for (const [c, n] of counts) assert.ok(n > 200 && n < 430, `${c}: ${String(n)}`);
  key.release();
});
