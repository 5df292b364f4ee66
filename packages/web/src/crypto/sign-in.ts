// Sign-in, client side (docs/server.md steps 1 and 3): the pre-login answer is checked before any
// work, the auth key goes to the server, the encryption key stays here and opens the wrapped user
// key the server returns with the session.
import { KeywardError } from '@keyward/protocol/errors';
import type { KdfProgress } from './argon2id.js';
import { userKeyAd } from './associated-data.js';
import { fromBase64url, toBase64url } from './base64url.js';
import { wipe } from './bytes.js';
import { unwrapKey } from './envelope.js';
import { derivePasswordKeys } from './password-keys.js';
import { checkPreloginParams } from './prelogin.js';
import { loadSodium } from './sodium.js';

export interface SignInKeys {
  /** For POST /api/v1/auth/signin (and /session/reauth). See README.md on why it is a string. */
  readonly authKey: string;
  /** Opens the wrapped user key; the caller wipes it as soon as openUserKey has run. */
  readonly encryptionKey: Uint8Array;
}

export async function deriveSignIn(password: Uint8Array, preloginAnswer: unknown, options: { onProgress?: KdfProgress } = {}): Promise<SignInKeys> {
  const p = checkPreloginParams(preloginAnswer);
  const keys = await derivePasswordKeys(password, p.salt, p.kdf, options.onProgress);
  try {
    return { authKey: toBase64url(keys.authKey), encryptionKey: keys.encryptionKey };
  } finally {
    wipe(keys.authKey);
  }
}

/** The user key, or KW_CRYPTO_OPEN_FAILED when the wrapped key was altered or is another account's. */
export async function openUserKey(encryptionKey: Uint8Array, wrappedUserKey: string, accountId: string): Promise<Uint8Array> {
  let wrapped: Uint8Array;
  try {
    wrapped = fromBase64url(wrappedUserKey);
  } catch {
    throw new KeywardError('KW_CRYPTO_OPEN_FAILED');
  }
  await loadSodium();
  return unwrapKey(encryptionKey, wrapped, userKeyAd(accountId));
}
