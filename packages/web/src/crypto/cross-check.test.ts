// The browser's output against the Node implementation in packages/keyward (test-only import):
// what the browser seals, the server and the CLI open, and the sign-up body carries the keys the
// server's own derivation gives.
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywardError } from '@keyward/protocol/errors';
import { KDF_FLOOR, PURPOSES, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, derivePasswordKeys, unwrapKey } from '../../../keyward/src/crypto/index.js';
import { openCredential, sealCredential } from '../../../keyward/src/vault/index.js';
import { changePassword, prepareSignUp, sealCredentialForUpload } from './index.js';

const secure = (b: Uint8Array): SecureBuffer => SecureBuffer.from(Buffer.from(b), { wipeSource: false });
const text = (b: SecureBuffer | undefined): string => b?.reveal((x) => x.toString('utf8')) ?? '';
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const floor: KdfParams = { algorithm: 'argon2id13', memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations, parallelism: 1 };

function serverOpensUserKey(password: string, body: { salt: string; kdf: { memoryKiB: number; iterations: number }; wrappedUserKey: string }, accountId: string): { userKey: Buffer; authKey: string } {
  const keys = derivePasswordKeys(secure(utf8(password)), Buffer.from(body.salt, 'base64url'), { ...floor, ...body.kdf });
  try {
    const userKey = unwrapKey(keys.encryptionKey, Buffer.from(body.wrappedUserKey, 'base64url'), { owner: accountId, record: accountId, purpose: PURPOSES.userKey });
    const out = { userKey: userKey.reveal((b) => Buffer.from(b)), authKey: keys.authKey.reveal((b) => b.toString('base64url')) };
    userKey.release();
    return out;
  } finally {
    keys.release();
  }
}

test('a credential sealed in the browser opens with the server\'s openCredential, and only in its own row', async () => {
  const userKey = crypto.getRandomValues(new Uint8Array(32));
  const accountId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const sealed = await sealCredentialForUpload(userKey, accountId, {
    name: 'main', exchange: 'okx', apiKey: 'key-123', secret: utf8('the secret'), passphrase: utf8('the passphrase'), privateKey: utf8('-----BEGIN PRIVATE KEY-----'),
  });
  assert.match(sealed.id, /^[0-9a-f]{32}$/);
  const row = { id: sealed.id, accountId, ciphertext: Buffer.from(sealed.ciphertext, 'base64url'), wrappedDek: Buffer.from(sealed.wrappedDek, 'base64url') };
  const opened = openCredential(secure(userKey), row);
  assert.equal(opened.apiKey, 'key-123');
  assert.equal(text(opened.secret), 'the secret');
  assert.equal(text(opened.passphrase), 'the passphrase');
  assert.equal(text(opened.privateKey), '-----BEGIN PRIVATE KEY-----');
  opened.release();
  const refused = (e: unknown): boolean => e instanceof KeywardError && e.code === 'KW_CRYPTO_OPEN_FAILED';
  assert.throws(() => openCredential(secure(userKey), { ...row, id: 'f'.repeat(32) }), refused);
  assert.throws(() => openCredential(secure(userKey), { ...row, accountId: 'b'.repeat(32) }), refused);
});

test('the fingerprint is the CLI vault\'s fingerprint of the same credential, without its dashes', async () => {
  const userKey = crypto.getRandomValues(new Uint8Array(32));
  const web = await sealCredentialForUpload(userKey, 'acct', { name: 'n', exchange: 'binance', apiKey: 'k', secret: utf8('s') });
  const cli = sealCredential(secure(userKey), 'acct', 'another-id', { apiKey: 'k', secret: secure(utf8('s')) });
  assert.equal(web.fingerprint, cli.fingerprint.replaceAll('-', ''));
  const other = await sealCredentialForUpload(userKey, 'acct', { name: 'n', exchange: 'binance', apiKey: 'k', secret: utf8('t') });
  assert.notEqual(other.fingerprint, web.fingerprint);
});

test('the sign-up body carries the keys the server derives from the same password, and the key-check value', async () => {
  const { body, userKey } = await prepareSignUp(utf8('correct horse'), 'a@example.com', {
    testOnlyFixed: { accountId: 'c'.repeat(32), salt: crypto.getRandomValues(new Uint8Array(16)), userKey: crypto.getRandomValues(new Uint8Array(32)), nonce: crypto.getRandomValues(new Uint8Array(24)), kdf: floor },
  });
  const server = serverOpensUserKey('correct horse', body, body.accountId);
  assert.deepEqual(new Uint8Array(server.userKey), userKey);
  assert.equal(server.authKey, body.authKey);
  // The server's userKeyCheckOf (api/auth-routes.ts), recomputed with node:crypto as an oracle.
  assert.equal(body.userKeyCheck, createHmac('sha256', userKey).update('keyward/v1/user-key-check').digest('base64url'));
});

test('a real sign-up uses the default parameters and a 32-hex account id the server accepts', async () => {
  const { body } = await prepareSignUp(utf8('correct horse'), 'a@example.com');
  assert.match(body.accountId, /^[0-9a-f]{32}$/);
  assert.deepEqual(body.kdf, { memoryKiB: 64 * 1024, iterations: 3 });
  assert.equal(Buffer.from(body.salt, 'base64url').length, 16);
  assert.equal(Buffer.from(body.wrappedUserKey, 'base64url').length, 73);
});

test('a password change opens with the server\'s derivation under the new password only', async () => {
  const userKey = crypto.getRandomValues(new Uint8Array(32));
  const { body } = await changePassword(userKey, 'acct-1', utf8('new password'), { memoryKiB: 64 * 1024, iterations: 4 });
  assert.deepEqual(body.kdf, { memoryKiB: 64 * 1024, iterations: 4 }, 'never below the current parameters');
  assert.deepEqual(new Uint8Array(serverOpensUserKey('new password', body, 'acct-1').userKey), userKey);
  assert.throws(() => serverOpensUserKey('old password', body, 'acct-1'), (e: unknown) => e instanceof KeywardError);
});
