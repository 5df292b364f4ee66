// One suite that every KEK provider runs (STYLE habit 2; Vault's ExerciseBackend): what rotation
// and the vault rely on, proved the same way for the key file and the PKCS#11 token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { KeywardError, ERROR_CATALOGUE } from '@keyward/protocol/errors';
import { PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, equal, releaseAll } from '../crypto/index.js';
import type { KeyEncryptionKey } from './kek.js';

const AD: AdFields = { owner: 'acct-1', record: 'cred-1', purpose: PURPOSES.dataKey };

/** The one opaque failure: the code, the catalogue's own message, and nothing underneath. */
export const isOpenFailure = (e: unknown): boolean =>
  e instanceof KeywardError && e.code === 'KW_CRYPTO_OPEN_FAILED'
  && e.message === ERROR_CATALOGUE.KW_CRYPTO_OPEN_FAILED.title && e.cause === undefined;

/**
 * Registers the suite. `makeKek` must return a new, distinct key on every call (the wrong-KEK
 * test opens two). `testOptions` is called once per test (a SoftHSM gate counts what it skips).
 */
export function runKekContract(
  name: string, makeKek: () => Promise<KeyEncryptionKey>, testOptions: () => { skip: false | string } = () => ({ skip: false }),
): void {
  const t = (title: string, fn: (kek: KeyEncryptionKey) => Promise<void>): void => {
    test(`${name}: ${title}`, testOptions(), async () => {
      const kek = await makeKek();
      try {
        await fn(kek);
      } finally {
        await kek.close();
      }
    });
  };

  t('wrap then unwrap gives back the DEK, as a SecureBuffer that will not print', async (kek) => {
    const dek = SecureBuffer.random(32);
    const back = await kek.unwrap(await kek.wrap(dek, AD), AD);
    assert.ok(back instanceof SecureBuffer);
    assert.equal(back.length, 32);
    assert.ok(equal(back, dek));
    assert.throws(() => String(back), TypeError);
    assert.throws(() => JSON.stringify({ back }), TypeError);
    assert.throws(() => inspect(back), TypeError);
    assert.ok(!dek.isReleased, 'wrap leaves the caller\'s DEK alone');
    releaseAll(back, dek);
  });

  t('has a non-empty id, and another key has another id', async (kek) => {
    assert.equal(typeof kek.id, 'string');
    assert.ok(kek.id.length > 0);
    const other = await makeKek();
    try {
      assert.notEqual(other.id, kek.id);
    } finally {
      await other.close();
    }
  });

  t('two wraps of one DEK differ (fresh nonce or IV each time)', async (kek) => {
    const dek = SecureBuffer.random(32);
    const a = Buffer.from(await kek.wrap(dek, AD));
    const b = Buffer.from(await kek.wrap(dek, AD));
    assert.equal(a.length, b.length);
    assert.notDeepEqual(a, b);
    dek.release();
  });

  t('a flipped bit anywhere fails to open, with the one opaque error', async (kek) => {
    const dek = SecureBuffer.random(32);
    const wrapped = Buffer.from(await kek.wrap(dek, AD));
    for (let i = 0; i < wrapped.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const tampered = Buffer.from(wrapped);
        tampered[i] = (tampered[i] ?? 0) ^ bit;
        await assert.rejects(kek.unwrap(tampered, AD), isOpenFailure, `byte ${String(i)} bit ${String(bit)}`);
      }
    }
    dek.release();
  });

  t('a wrong AD (owner, record or purpose) fails to open', async (kek) => {
    const dek = SecureBuffer.random(32);
    const wrapped = await kek.wrap(dek, AD);
    for (const ad of [
      { ...AD, owner: 'acct-2' }, { ...AD, record: 'cred-2' }, { ...AD, purpose: PURPOSES.userKey },
      { ...AD, owner: 'acct-1c', record: 'red-1' },
    ]) {
      await assert.rejects(kek.unwrap(wrapped, ad), isOpenFailure, JSON.stringify(ad));
    }
    dek.release();
  });

  t('another KEK cannot open it', async (kek) => {
    const other = await makeKek();
    const dek = SecureBuffer.random(32);
    try {
      await assert.rejects(other.unwrap(await kek.wrap(dek, AD), AD), isOpenFailure);
    } finally {
      await other.close();
      dek.release();
    }
  });

  t('a truncated, extended or empty input fails to open', async (kek) => {
    const dek = SecureBuffer.random(32);
    const wrapped = Buffer.from(await kek.wrap(dek, AD));
    for (let n = 0; n < wrapped.length; n++) {
      await assert.rejects(kek.unwrap(wrapped.subarray(0, n), AD), isOpenFailure, `first ${String(n)} bytes`);
    }
    await assert.rejects(kek.unwrap(Buffer.concat([wrapped, Buffer.of(0)]), AD), isOpenFailure, 'one byte more');
    await assert.rejects(kek.unwrap(wrapped.subarray(1), AD), isOpenFailure, 'first byte cut');
    dek.release();
  });

  t('still works after a failed unwrap', async (kek) => {
    const dek = SecureBuffer.random(32);
    const wrapped = Buffer.from(await kek.wrap(dek, AD));
    const bad = Buffer.from(wrapped);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    await assert.rejects(kek.unwrap(bad, AD), isOpenFailure);
    const back = await kek.unwrap(wrapped, AD);
    assert.ok(equal(back, dek));
    releaseAll(back, dek);
  });

  t('wrap refuses a DEK that is not 32 live bytes', async (kek) => {
    for (const n of [0, 16, 31, 33, 64]) {
      const wrong = SecureBuffer.random(n);
      await assert.rejects(kek.wrap(wrong, AD), RangeError, `${String(n)} bytes`);
      wrong.release();
    }
    const released = SecureBuffer.random(32);
    released.release();
    await assert.rejects(kek.wrap(released, AD), TypeError);
  });

  t('after close, wrap and unwrap throw, and close again is harmless', async (kek) => {
    const dek = SecureBuffer.random(32);
    const wrapped = await kek.wrap(dek, AD);
    await kek.close();
    await kek.close();
    await assert.rejects(kek.wrap(dek, AD), /closed/);
    await assert.rejects(kek.unwrap(wrapped, AD), /closed/);
    dek.release();
  });
}
