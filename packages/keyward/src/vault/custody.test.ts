// Custody modes: each opens the credential only with what it names, and nothing else does.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';
import { openKeyFileKek } from '../kms/index.js';
import { bindCredentialToToken, delegateCredential, openDelegated, openSealed, openTokenBound, whoCanOpen } from './custody.js';
import { sealCredential } from './local-vault.js';
import { createSessionKeyRing } from './session-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-custody-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const isOpenFailed = (e: unknown): boolean => e instanceof KeywardError && e.code === 'KW_CRYPTO_OPEN_FAILED';

function credential(userKey: SecureBuffer) {
  const secret = SecureBuffer.from(Buffer.from('canary-secret-0123456789'), { wipeSource: true });
  const sealed = sealCredential(userKey, 'acct-1', 'cred-1', { apiKey: 'AK', secret });
  secret.release();
  return { id: 'cred-1', accountId: 'acct-1', ...sealed };
}

const secretOf = (s: ReturnType<typeof openSealed>): string => s.secret?.reveal((b) => b.toString('utf8')) ?? '';

test('sealed: the user key opens it; another user key does not', () => {
  const userKey = SecureBuffer.random(32);
  const other = SecureBuffer.random(32);
  const row = credential(userKey);
  const opened = openSealed(userKey, row);
  assert.equal(secretOf(opened), 'canary-secret-0123456789');
  opened.release();
  assert.throws(() => openSealed(other, row), isOpenFailed);
});

test('delegated: the KEK opens it; a different KEK does not', async () => {
  const userKey = SecureBuffer.random(32);
  const row = credential(userKey);
  const kek = await openKeyFileKek({ path: join(dir, 'a', 'kek.key') });
  const otherKek = await openKeyFileKek({ path: join(dir, 'b', 'kek.key') });
  const d = await delegateCredential(userKey, kek, row);
  assert.equal(d.kekId, kek.id);
  const opened = await openDelegated(kek, { ...row, kekWrappedDek: d.kekWrappedDek });
  assert.equal(secretOf(opened), 'canary-secret-0123456789');
  opened.release();
  await assert.rejects(openDelegated(otherKek, { ...row, kekWrappedDek: d.kekWrappedDek }), isOpenFailed);
  // Moved to another credential's record, it does not open either.
  await assert.rejects(openDelegated(kek, { ...row, id: 'cred-2', kekWrappedDek: d.kekWrappedDek }), isOpenFailed);
});

test('token-bound: the bound token with the server share opens it; another token, or another binding, does not', async () => {
  const userKey = SecureBuffer.random(32);
  const row = credential(userKey);
  const kek = await openKeyFileKek({ path: join(dir, 'c', 'kek.key') });
  const token = 'kw_' + 'A'.repeat(43);
  const b = await bindCredentialToToken(userKey, kek, row, 'acc1', SecureBuffer.from(Buffer.from(token), { wipeSource: true }));
  const binding = { tokenAccessor: 'acc1', serverShare: b.serverShare, wrappedDek: b.wrappedDek };
  const opened = await openTokenBound(kek, row, binding, token);
  assert.equal(secretOf(opened), 'canary-secret-0123456789');
  opened.release();
  await assert.rejects(openTokenBound(kek, row, binding, 'kw_' + 'B'.repeat(43)), isOpenFailed);
  // The binding is for accessor acc1: claimed for another accessor it does not open.
  await assert.rejects(openTokenBound(kek, row, { ...binding, tokenAccessor: 'acc2' }, token), isOpenFailed);
  // The stored server share is not the key: the DEK wrapping does not open with it alone.
  assert.notDeepEqual(Buffer.from(b.serverShare), Buffer.from(b.wrappedDek));
});

test('every mode has a plain statement of who can open it', () => {
  for (const m of ['sealed', 'token-bound', 'delegated'] as const) assert.ok(whoCanOpen(m).length > 40);
});

test('the session key ring wipes a session key when its session ends, and all of an account at once', () => {
  const ring = createSessionKeyRing();
  const k1 = SecureBuffer.random(32);
  const k2 = SecureBuffer.random(32);
  ring.put('acct', 's1', k1);
  ring.put('acct', 's2', k2);
  assert.ok(ring.forAccount('acct') !== undefined);
  ring.dropSession('s1');
  assert.equal(k1.isReleased, true);
  assert.equal(ring.forAccount('acct'), k2);
  ring.dropAccount('acct');
  assert.equal(k2.isReleased, true);
  assert.equal(ring.forAccount('acct'), undefined);
  assert.equal(ring.size(), 0);
});
