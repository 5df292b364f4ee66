// The Node client's side of sign-up, sign-in and password change (docs/server.md): the password
// becomes a master key here, never on the server; the server gets the auth key (to check) and the
// user key wrapped by the encryption key (to hand back at sign-in). The browser has the same steps
// in packages/web/src/crypto over libsodium's WebAssembly build; both pass the shared vectors.
import { randomBytes } from 'node:crypto';
import { KDF_DEFAULTS, KDF_SALT_BYTES, KEY_BYTES, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import { SecureBuffer, derivePasswordKeysAsync, unwrapKey, wrapKey } from '../crypto/index.js';
import { userKeyAd, userKeyCheckOf } from '../vault/index.js';
import { checkPreloginParams } from './prelogin.js';
import type { PasswordChangeBody, SignUpBody } from '@keyward/protocol/account-api';

export type { PasswordChangeBody, SignUpBody } from '@keyward/protocol/account-api';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** The auth key leaves secure memory only as the base64url text of the request that carries it. */
const authKeyText = (key: SecureBuffer): string => key.reveal((k) => b64(k));

/** A new account's body, and its new user key (secure memory; the caller unlocks with it, then releases it). */
export async function prepareSignUp(password: SecureBuffer, email: string, kdf: KdfParams = KDF_DEFAULTS): Promise<{ body: SignUpBody; userKey: SecureBuffer }> {
  const accountId = randomBytes(16).toString('hex');
  const salt = randomBytes(KDF_SALT_BYTES);
  const keys = await derivePasswordKeysAsync(password, salt, kdf);
  const userKey = SecureBuffer.random(KEY_BYTES);
  try {
    const body: SignUpBody = {
      email, accountId, salt: b64(salt), kdf: { memoryKiB: kdf.memoryKiB, iterations: kdf.iterations },
      authKey: authKeyText(keys.authKey), wrappedUserKey: b64(wrapKey(keys.encryptionKey, userKey, userKeyAd(accountId))),
      userKeyCheck: b64(userKeyCheckOf(userKey)),
    };
    return { body, userKey };
  } catch (e) {
    userKey.release();
    throw e;
  } finally {
    keys.release();
  }
}

export interface SignInKeys {
  /** For POST /api/v1/auth/signin and /session/reauth. */
  readonly authKey: string;
  /** Opens the wrapped user key the sign-in answer carries; release it after openUserKey. */
  readonly encryptionKey: SecureBuffer;
}

/** Checks the pre-login answer (refusing weak parameters), then derives. */
export async function deriveSignIn(password: SecureBuffer, preloginAnswer: unknown): Promise<SignInKeys> {
  const p = checkPreloginParams(preloginAnswer);
  const keys = await derivePasswordKeysAsync(password, p.salt, p.kdf);
  try {
    return { authKey: authKeyText(keys.authKey), encryptionKey: keys.encryptionKey.clone() };
  } finally {
    keys.release();
  }
}

/** The user key, or KW_VAULT_WRONG_PASSWORD when the wrapped key does not open with this password. */
export function openUserKey(encryptionKey: SecureBuffer, wrappedUserKey: string, accountId: string): SecureBuffer {
  try {
    return unwrapKey(encryptionKey, Buffer.from(wrappedUserKey, 'base64url'), userKeyAd(accountId));
  } catch (e) {
    if (isKeywardError(e) && e.code === 'KW_CRYPTO_OPEN_FAILED') throw new KeywardError('KW_VAULT_WRONG_PASSWORD');
    throw e;
  }
}

export async function preparePasswordChange(newPassword: SecureBuffer, userKey: SecureBuffer, accountId: string, kdf: KdfParams = KDF_DEFAULTS): Promise<PasswordChangeBody> {
  const salt = randomBytes(KDF_SALT_BYTES);
  const keys = await derivePasswordKeysAsync(newPassword, salt, kdf);
  try {
    return {
      salt: b64(salt), kdf: { memoryKiB: kdf.memoryKiB, iterations: kdf.iterations },
      authKey: authKeyText(keys.authKey), wrappedUserKey: b64(wrapKey(keys.encryptionKey, userKey, userKeyAd(accountId))),
    };
  } finally {
    keys.release();
  }
}
