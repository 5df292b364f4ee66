// Sign-up, client side (docs/server.md step 2): the account id, salt and user key are drawn here;
// the server receives the auth key, the wrapped user key and the key-check value, never the
// password, the master key or the encryption key.
import { KDF_DEFAULTS, KDF_SALT_BYTES, KEY_BYTES, type KdfParams } from '@keyward/protocol/key-hierarchy';
import type { KdfProgress } from './argon2id.js';
import { userKeyAd } from './associated-data.js';
import { toBase64url } from './base64url.js';
import { randomBytes, toHex, wipe } from './bytes.js';
import { wrapKey } from './envelope.js';
import { derivePasswordKeys } from './password-keys.js';
import { userKeyCheckOf } from './user-key-check.js';
import type { SignUpBody } from '@keyward/protocol/account-api';

export type { SignUpBody } from '@keyward/protocol/account-api';

export interface SignUpOptions {
  readonly onProgress?: KdfProgress;
  /** Fixed values for the shared vectors; never set outside tests. */
  readonly testOnlyFixed?: {
    readonly accountId: string;
    readonly salt: Uint8Array;
    readonly userKey: Uint8Array;
    readonly nonce: Uint8Array;
    readonly kdf: KdfParams;
  };
}

/** The body to send, and the new user key, which the caller keeps (to unlock) and then wipes. */
export async function prepareSignUp(password: Uint8Array, email: string, options: SignUpOptions = {}): Promise<{ body: SignUpBody; userKey: Uint8Array }> {
  const fixed = options.testOnlyFixed;
  const accountId = fixed?.accountId ?? toHex(randomBytes(16));
  const salt = fixed?.salt ?? randomBytes(KDF_SALT_BYTES);
  const kdf = fixed?.kdf ?? KDF_DEFAULTS;
  const keys = await derivePasswordKeys(password, salt, kdf, options.onProgress);
  const userKey = fixed === undefined ? randomBytes(KEY_BYTES) : fixed.userKey.slice();
  let check: Uint8Array | null = null;
  try {
    const wrappedUserKey = wrapKey(keys.encryptionKey, userKey, userKeyAd(accountId), fixed?.nonce);
    check = userKeyCheckOf(userKey);
    const body: SignUpBody = {
      email, accountId, salt: toBase64url(salt), kdf: { memoryKiB: kdf.memoryKiB, iterations: kdf.iterations },
      authKey: toBase64url(keys.authKey), wrappedUserKey: toBase64url(wrappedUserKey), userKeyCheck: toBase64url(check),
    };
    return { body, userKey };
  } catch (e) {
    wipe(userKey);
    throw e;
  } finally {
    wipe(keys.authKey, keys.encryptionKey, check);
  }
}
