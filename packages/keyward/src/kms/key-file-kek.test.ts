// The key-file KEK: the shared contract, then what is particular to a file: created 0600 in a 0700
// folder, refused when others could read it or when it is not exactly 32 bytes, never overwritten.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, equal, unwrapKey } from '../crypto/index.js';
import { runKekContract } from './kek.contract.js';
import { openKeyFileKek } from './key-file-kek.js';

const root = mkdtempSync(join(tmpdir(), 'keyward-kek-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `k${String(++n)}`, 'kek.key');
const AD: AdFields = { owner: 'acct-1', record: 'cred-1', purpose: PURPOSES.dataKey };
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

runKekContract('key-file', () => openKeyFileKek({ path: freshPath() }));

test('a missing key file is created 0600 in a 0700 folder, even under umask 000', async () => {
  const path = freshPath();
  const old = process.umask(0);
  try {
    const kek = await openKeyFileKek({ path });
    await kek.close();
  } finally {
    process.umask(old);
  }
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  assert.equal(statSync(path).size, 32);
});

test('reopening loads the same key: same id, and it opens what it wrapped before', async () => {
  const path = freshPath();
  const dek = SecureBuffer.random(32);
  const first = await openKeyFileKek({ path });
  const wrapped = await first.wrap(dek, AD);
  await first.close();
  const again = await openKeyFileKek({ path, create: false });
  assert.equal(again.id, first.id);
  const back = await again.unwrap(wrapped, AD);
  assert.ok(equal(back, dek));
  await again.close();
});

test('the id is HMAC-SHA256(key, "keyward/v1/kek-id") cut to 8 bytes; the wrapping is crypto\'s wrapKey', async () => {
  const path = freshPath();
  const kek = await openKeyFileKek({ path });
  const raw = readFileSync(path);
  // node:crypto here is an independent oracle for the id, not a second implementation in the product.
  const expected = createHmac('sha256', raw).update('keyward/v1/kek-id').digest().subarray(0, 8).toString('hex');
  assert.equal(kek.id, `file:${expected}`);
  const dek = SecureBuffer.random(32);
  const wrapped = await kek.wrap(dek, AD);
  const key = SecureBuffer.from(raw, { wipeSource: true });
  assert.ok(equal(unwrapKey(key, wrapped, AD), dek));
  await kek.close();
});

test('a key file that group or others can read or write is refused, and left as it was', async () => {
  for (const mode of [0o640, 0o604, 0o620, 0o602, 0o644, 0o660, 0o666]) {
    const path = freshPath();
    await (await openKeyFileKek({ path })).close();
    const before = readFileSync(path);
    chmodSync(path, mode);
    await assert.rejects(openKeyFileKek({ path }), (e: unknown) => {
      assert.ok(isCode('KW_KEK_FILE_INSECURE')(e));
      assert.match((e as KeywardError).message, new RegExp(`mode 0${mode.toString(8)}`));
      assert.match((e as KeywardError).hint ?? '', /chmod 600/);
      return true;
    }, mode.toString(8));
    assert.deepEqual(readFileSync(path), before);
    assert.equal(statSync(path).mode & 0o777, mode, 'the mode is reported, not repaired');
  }
});

test('a read-only owner file (0400) is accepted', async () => {
  const path = freshPath();
  await (await openKeyFileKek({ path })).close();
  chmodSync(path, 0o400);
  await (await openKeyFileKek({ path })).close();
});

test('a key file of the wrong size is refused and never overwritten', async () => {
  for (const size of [0, 1, 31, 33, 64]) {
    const path = freshPath();
    mkdirSync(join(path, '..'), { mode: 0o700 });
    const bytes = Buffer.alloc(size, 0xab);
    writeFileSync(path, bytes, { mode: 0o600 });
    await assert.rejects(openKeyFileKek({ path }), (e: unknown) => {
      assert.ok(isCode('KW_KEK_FILE_INVALID')(e));
      assert.match((e as KeywardError).message, new RegExp(`is ${String(size)} bytes; a key file holds exactly 32`));
      return true;
    }, `${String(size)} bytes`);
    assert.deepEqual(readFileSync(path), bytes);
  }
});

test('a folder in place of the key file is refused', async () => {
  const path = freshPath();
  mkdirSync(path, { recursive: true, mode: 0o700 });
  await assert.rejects(openKeyFileKek({ path }), isCode('KW_KEK_FILE_INVALID'));
});

test('with create: false a missing file is an error, and nothing is created', async () => {
  const path = freshPath();
  await assert.rejects(openKeyFileKek({ path, create: false }), isCode('KW_KEK_UNAVAILABLE'));
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(join(path, '..')), false);
});

test('a symbolic link to a 0600 key file is followed (secret mounts are links); the target\'s mode counts', async () => {
  const target = freshPath();
  const first = await openKeyFileKek({ path: target });
  const link = join(root, `link-${String(++n)}`);
  symlinkSync(target, link);
  const viaLink = await openKeyFileKek({ path: link });
  assert.equal(viaLink.id, first.id);
  await Promise.all([first.close(), viaLink.close()]);
  chmodSync(target, 0o644);
  await assert.rejects(openKeyFileKek({ path: link }), isCode('KW_KEK_FILE_INSECURE'));
});

test('a key file owned by another user is refused', { skip: process.geteuid?.() === 0 ? false : 'needs root to chown' }, async () => {
  const path = freshPath();
  await (await openKeyFileKek({ path })).close();
  chownSync(path, 12345, 12345);
  await assert.rejects(openKeyFileKek({ path }), (e: unknown) => isCode('KW_KEK_FILE_INSECURE')(e) && /owned by uid 12345/.test((e as Error).message));
});
