// XChaCha20-Poly1305 (IETF) with associated data that is required, never optional. The 24-byte
// nonce is random per message, which is safe for XChaCha20's 192-bit nonces. Every failure to open
// is the same opaque error (age's ErrIncorrectIdentity): a wrong key and an altered ciphertext
// look alike to the caller and to anyone probing it.
import { ENVELOPE_NONCE_BYTES, ENVELOPE_TAG_BYTES, KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { randomBytes } from './bytes.js';
import { withHeap } from './heap.js';

export function openFailed(): KeywardError {
  return new KeywardError('KW_CRYPTO_OPEN_FAILED');
}

/** nonce || ciphertext || tag. `nonce` exists for the shared test vectors only; normally random. */
export function seal(key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array, nonce?: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('AEAD key must be 32 bytes');
  const n = nonce ?? randomBytes(ENVELOPE_NONCE_BYTES);
  if (n.length !== ENVELOPE_NONCE_BYTES) throw new RangeError('AEAD nonce must be 24 bytes');
  const sealedLength = ENVELOPE_NONCE_BYTES + plaintext.length + ENVELOPE_TAG_BYTES;
  return withHeap((heap, raw) => {
    const k = heap.put(key);
    const m = heap.put(plaintext);
    const a = heap.put(ad);
    const out = heap.alloc(sealedLength);
    raw.HEAPU8.set(n, out); // the output starts with the nonce, which libsodium reads from there
    const rc = raw._crypto_aead_xchacha20poly1305_ietf_encrypt(out + ENVELOPE_NONCE_BYTES, 0, m, plaintext.length, 0,
      a, ad.length, 0, 0, out, k);
    if (rc !== 0) throw new Error('AEAD seal failed');
    return heap.take(out, sealedLength);
  });
}

/**
 * Opens nonce || ciphertext || tag. `expectedPlaintextBytes`, when given, is checked before any
 * work (age's exact-size check): a wrapped key has exactly one valid length.
 */
export function open(key: Uint8Array, sealed: Uint8Array, ad: Uint8Array, expectedPlaintextBytes?: number): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('AEAD key must be 32 bytes');
  const length = sealed.length - ENVELOPE_NONCE_BYTES - ENVELOPE_TAG_BYTES;
  if (length < 0 || (expectedPlaintextBytes !== undefined && length !== expectedPlaintextBytes)) throw openFailed();
  return withHeap((heap, raw) => {
    const k = heap.put(key);
    const c = heap.put(sealed);
    const a = heap.put(ad);
    const out = heap.alloc(length);
    const rc = raw._crypto_aead_xchacha20poly1305_ietf_decrypt(out, 0, 0, c + ENVELOPE_NONCE_BYTES,
      sealed.length - ENVELOPE_NONCE_BYTES, 0, a, ad.length, 0, c, k);
    if (rc !== 0) throw openFailed();
    return heap.take(out, length);
  });
}
