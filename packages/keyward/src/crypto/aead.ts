// XChaCha20-Poly1305 (IETF) with associated data that is required, never optional: Keyward's AD
// binds each ciphertext to its owner, record and purpose. The 24-byte nonce is random per
// message, which is safe for XChaCha20 (192-bit nonces do not collide in practice).
// Every failure to open is the same opaque error (age's ErrIncorrectIdentity): callers cannot
// tell a wrong key from an altered ciphertext, and neither can an attacker probing them.
import { KeywardError } from '@keyward/protocol/errors';
import { sodium } from './sodium.js';
import { SecureBuffer } from './secure-buffer.js';
import { randomBytes } from './random.js';

export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export function openFailed(): KeywardError {
  return new KeywardError('KW_CRYPTO_OPEN_FAILED');
}

function assertKey(key: SecureBuffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError('AEAD key must be 32 bytes');
}

/** Encrypts into nonce || ciphertext || tag. `nonce` is for test vectors only; normally random. */
export function seal(key: SecureBuffer, plaintext: SecureBuffer | Uint8Array, ad: Uint8Array, nonce?: Uint8Array): Buffer {
  assertKey(key);
  const n = nonce ?? randomBytes(NONCE_BYTES);
  if (n.length !== NONCE_BYTES) throw new RangeError('AEAD nonce must be 24 bytes');
  const length = plaintext.length;
  const out = Buffer.alloc(NONCE_BYTES + length + TAG_BYTES);
  out.set(n, 0);
  const encrypt = (m: Uint8Array): void => {
    key.reveal((k) => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out.subarray(NONCE_BYTES), m, ad, null, n, k));
  };
  if (plaintext instanceof SecureBuffer) plaintext.reveal(encrypt);
  else encrypt(plaintext);
  return out;
}

/**
 * Decrypts straight into secure memory. `expectedPlaintextBytes`, when given, is checked before
 * any work (age's exact-size check): a wrapped key has exactly one valid length.
 */
export function open(key: SecureBuffer, sealed: Uint8Array, ad: Uint8Array, expectedPlaintextBytes?: number): SecureBuffer {
  assertKey(key);
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw openFailed();
  const length = sealed.length - NONCE_BYTES - TAG_BYTES;
  if (expectedPlaintextBytes !== undefined && length !== expectedPlaintextBytes) throw openFailed();
  const out = SecureBuffer.alloc(length);
  try {
    out.reveal((m) => key.reveal((k) => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      m, null, sealed.subarray(NONCE_BYTES), ad, sealed.subarray(0, NONCE_BYTES), k,
    )));
    return out;
  } catch {
    out.release();
    throw openFailed();
  }
}
