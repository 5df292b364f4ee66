// The password end of the key hierarchy (DESIGN.md): password -> Argon2id -> master key, then
// HKDF to an auth key (only ever sent to a server) and an encryption key (wraps the user key).
// The master key itself is wiped as soon as both are derived.
import { LABELS, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { argon2id, argon2idAsync } from './kdf.js';
import { deriveSubkey } from './hkdf.js';
import type { SecureBuffer } from './secure-buffer.js';

export interface PasswordKeys {
  readonly authKey: SecureBuffer;
  readonly encryptionKey: SecureBuffer;
  release(): void;
}

function splitMaster(master: SecureBuffer): PasswordKeys {
  try {
    const authKey = deriveSubkey(master, LABELS.authKey);
    const encryptionKey = deriveSubkey(master, LABELS.encryptionKey);
    return { authKey, encryptionKey, release: () => { authKey.release(); encryptionKey.release(); } };
  } finally {
    master.release();
  }
}

export function derivePasswordKeys(password: SecureBuffer, salt: Uint8Array, params: KdfParams): PasswordKeys {
  return splitMaster(argon2id(password, salt, params));
}

export async function derivePasswordKeysAsync(password: SecureBuffer, salt: Uint8Array, params: KdfParams): Promise<PasswordKeys> {
  return splitMaster(await argon2idAsync(password, salt, params));
}
