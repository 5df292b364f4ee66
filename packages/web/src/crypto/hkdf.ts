// HKDF-SHA256 (RFC 5869) through libsodium's crypto_kdf_hkdf_sha256. Keyward's `info` values are the
// versioned labels of @keyward/protocol/key-hierarchy; the salt is absent, which RFC 5869 §2.2
// defines as HashLen zero bytes (libsodium's empty salt gives the same HMAC key).
import { KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { withHeap } from './heap.js';

const PRK_BYTES = 32;

/** A 32-byte subkey of `key` for one labelled purpose. */
export function deriveSubkey(key: Uint8Array, label: string): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('HKDF input key must be 32 bytes');
  const info = new TextEncoder().encode(label);
  return withHeap((heap, raw) => {
    const ikm = heap.put(key);
    const prk = heap.alloc(PRK_BYTES);
    const ctx = heap.put(info);
    const out = heap.alloc(KEY_BYTES);
    if (raw._crypto_kdf_hkdf_sha256_extract(prk, 0, 0, ikm, key.length) !== 0) throw new Error('HKDF extract failed');
    if (raw._crypto_kdf_hkdf_sha256_expand(out, KEY_BYTES, ctx, info.length, prk) !== 0) throw new Error('HKDF expand failed');
    return heap.take(out, KEY_BYTES);
  });
}
