// password --Argon2id--> master key --HKDF--> auth key (sent to sign in)
//                                   \--HKDF--> encryption key (wraps the user key)
// DESIGN.md "Key hierarchy". The master key lives only inside this function.
import { LABELS, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { argon2id, assertKdfParams, yieldToPaint, type KdfProgress } from './argon2id.js';
import { wipe } from './bytes.js';
import { deriveSubkey } from './hkdf.js';
import { loadSodium } from './sodium.js';

export interface PasswordKeys {
  readonly authKey: Uint8Array;
  readonly encryptionKey: Uint8Array;
}

export async function derivePasswordKeys(password: Uint8Array, salt: Uint8Array, params: KdfParams, onProgress?: KdfProgress): Promise<PasswordKeys> {
  assertKdfParams(params); // refuse before downloading libsodium or reporting progress
  await loadSodium();
  onProgress?.({ step: 'argon2id', state: 'start', params });
  await yieldToPaint();
  let master: Uint8Array | null = null;
  try {
    master = argon2id(password, salt, params);
    const authKey = deriveSubkey(master, LABELS.authKey);
    try {
      return { authKey, encryptionKey: deriveSubkey(master, LABELS.encryptionKey) };
    } catch (e) {
      wipe(authKey);
      throw e;
    }
  } finally {
    wipe(master);
    onProgress?.({ step: 'argon2id', state: 'end', params });
  }
}
