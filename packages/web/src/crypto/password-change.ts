// Changing the password rewraps only the user key (DESIGN.md): a fresh salt, parameters never
// lower than the account's current ones nor than today's defaults (the server refuses lower ones
// too), a new auth key. Every credential stays as it is. Sent as PUT /api/v1/account/password.
import { KDF_DEFAULTS, KDF_SALT_BYTES, KEY_BYTES, strongerOf } from '@keyward/protocol/key-hierarchy';
import type { KdfProgress } from './argon2id.js';
import { userKeyAd } from './associated-data.js';
import { toBase64url } from './base64url.js';
import { randomBytes, wipe } from './bytes.js';
import { wrapKey } from './envelope.js';
import { derivePasswordKeys } from './password-keys.js';
import type { PasswordChangeBody } from '@keyward/protocol/account-api';

export type { PasswordChangeBody } from '@keyward/protocol/account-api';

export async function changePassword(
  userKey: Uint8Array, accountId: string, newPassword: Uint8Array,
  currentKdf: { readonly memoryKiB: number; readonly iterations: number },
  options: { onProgress?: KdfProgress } = {},
): Promise<{ body: PasswordChangeBody }> {
  if (userKey.length !== KEY_BYTES) throw new RangeError('user key must be 32 bytes');
  const kdf = strongerOf({ algorithm: 'argon2id13', parallelism: 1, ...currentKdf }, KDF_DEFAULTS);
  const salt = randomBytes(KDF_SALT_BYTES);
  const keys = await derivePasswordKeys(newPassword, salt, kdf, options.onProgress);
  try {
    return {
      body: {
        salt: toBase64url(salt), kdf: { memoryKiB: kdf.memoryKiB, iterations: kdf.iterations },
        authKey: toBase64url(keys.authKey), wrappedUserKey: toBase64url(wrapKey(keys.encryptionKey, userKey, userKeyAd(accountId))),
      },
    };
  } finally {
    wipe(keys.authKey, keys.encryptionKey);
  }
}
