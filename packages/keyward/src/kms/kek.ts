// The server's key-encryption key (DESIGN.md "Key hierarchy", "Custody modes"): it wraps data keys
// (DEKs) of delegated credentials, never credentials themselves, so rotating it rewraps only DEKs.
// One interface, one file per provider, one contract suite (kek.contract.ts) that both run.
// Like age's Recipient/Identity, the key stays inside the object: callers hand in a DEK and get
// bytes back, and no method returns the KEK.
import { KeywardError } from '@keyward/protocol/errors';
import { KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import type { AdFields, SecureBuffer } from '../crypto/index.js';

export interface KeyEncryptionKey {
  /**
   * Names this key version, so a stored wrapping can say which KEK made it (the credential row's
   * `kekId`) and rotation knows what still needs rewrapping. Not secret; stable across restarts.
   */
  readonly id: string;
  /** Wraps a 32-byte DEK, bound to `ad`. Two wraps of one DEK differ (fresh random nonce or IV). */
  wrap(dek: SecureBuffer, ad: AdFields): Promise<Uint8Array>;
  /** Any failure to open (altered bytes, wrong AD, wrong KEK, wrong length) is KW_CRYPTO_OPEN_FAILED. */
  unwrap(wrapped: Uint8Array, ad: AdFields): Promise<SecureBuffer>;
  /** Wipes or lets go of the key. Idempotent; wrap and unwrap throw afterwards. */
  close(): Promise<void>;
}

export function kekOpenFailed(): KeywardError {
  return new KeywardError('KW_CRYPTO_OPEN_FAILED');
}

/** Entry checks shared by the providers: a DEK is exactly 32 live bytes. */
export function assertDek(dek: SecureBuffer): void {
  if (dek.isReleased) throw new TypeError('the data key was released before wrapping');
  if (dek.length !== KEY_BYTES) throw new RangeError(`a data key is ${String(KEY_BYTES)} bytes`);
}

export function closedError(id: string): Error {
  return new Error(`key-encryption key ${id} is closed`);
}
