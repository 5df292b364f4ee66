// The Node client's key steps against what the server and vault expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywardError } from '@keyward/protocol/errors';
import { KDF_FLOOR, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, equal } from '../crypto/index.js';
import { openSealed, userKeyCheckOf } from '../vault/index.js';
import { checkPreloginParams, deriveSignIn, openUserKey, preparePasswordChange, prepareSignUp, sealCredentialForUpload } from './index.js';

const FAST: KdfParams = { algorithm: 'argon2id13', memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations, parallelism: 1 };
const pw = (s: string): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

test('sign-up then sign-in: same auth key, the wrapped user key opens, and its check matches', async () => {
  const { body, userKey } = await prepareSignUp(pw('hunter2 hunter2'), 'a@example.com', FAST);
  const answer = { accountId: body.accountId, salt: body.salt, kdf: body.kdf };
  const keys = await deriveSignIn(pw('hunter2 hunter2'), answer);
  assert.equal(keys.authKey, body.authKey);
  const opened = openUserKey(keys.encryptionKey, body.wrappedUserKey, body.accountId);
  assert.ok(opened.reveal((a) => userKey.reveal((b) => equal(a, b))));
  assert.ok(equal(userKeyCheckOf(opened), Buffer.from(body.userKeyCheck, 'base64url')));
  const wrong = await deriveSignIn(pw('hunter3 hunter3'), answer);
  assert.notEqual(wrong.authKey, body.authKey);
  assert.throws(() => openUserKey(wrong.encryptionKey, body.wrappedUserKey, body.accountId), isCode('KW_VAULT_WRONG_PASSWORD'));
  // Bound to the account: another account id does not open it.
  assert.throws(() => openUserKey(keys.encryptionKey, body.wrappedUserKey, 'f'.repeat(32)), isCode('KW_VAULT_WRONG_PASSWORD'));
});

test('pre-login parameters below the floor, above the ceiling or malformed are refused before deriving', () => {
  const base = { accountId: 'a'.repeat(32), salt: Buffer.alloc(16, 1).toString('base64url'), kdf: { memoryKiB: 65536, iterations: 3 } };
  assert.equal(checkPreloginParams(base).kdf.memoryKiB, 65536);
  for (const bad of [
    { ...base, kdf: { memoryKiB: 1024, iterations: 3 } },
    { ...base, kdf: { memoryKiB: 65536, iterations: 1 } },
    { ...base, kdf: { memoryKiB: 4 * 1024 * 1024, iterations: 3 } },
    { ...base, salt: Buffer.alloc(8).toString('base64url') },
    { ...base, accountId: '../x' },
    null,
  ]) assert.throws(() => checkPreloginParams(bad), isCode('KW_KDF_PARAMS_REFUSED'));
});

test('a password change rewraps the same user key under the new password', async () => {
  const { body, userKey } = await prepareSignUp(pw('old password'), 'b@example.com', FAST);
  const change = await preparePasswordChange(pw('new password'), userKey, body.accountId, FAST);
  const keys = await deriveSignIn(pw('new password'), { accountId: body.accountId, salt: change.salt, kdf: change.kdf });
  assert.equal(keys.authKey, change.authKey);
  const opened = openUserKey(keys.encryptionKey, change.wrappedUserKey, body.accountId);
  assert.ok(opened.reveal((a) => userKey.reveal((b) => equal(a, b))));
});

test('a credential sealed for upload carries no plaintext and opens with the user key only', () => {
  const userKey = SecureBuffer.random(32);
  const canary = 'CANARY-upload-secret-9f8e7d';
  const secret = SecureBuffer.from(Buffer.from(canary), { wipeSource: true });
  const sealed = sealCredentialForUpload(userKey, 'acct', { name: 'main', exchange: 'binance', apiKey: 'AK1', secret });
  assert.match(sealed.fingerprint, /^[0-9a-f]{12}$/);
  assert.ok(!JSON.stringify(sealed).includes(canary));
  assert.ok(!JSON.stringify(sealed).includes(Buffer.from(canary).toString('base64url')));
  const opened = openSealed(userKey, { id: sealed.id, accountId: 'acct', ciphertext: Buffer.from(sealed.ciphertext, 'base64url'), wrappedDek: Buffer.from(sealed.wrappedDek, 'base64url') });
  assert.equal(opened.secret?.reveal((b) => b.toString('utf8')), canary);
  assert.equal(opened.apiKey, 'AK1');
});
