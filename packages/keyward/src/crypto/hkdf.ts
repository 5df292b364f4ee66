// HKDF-SHA256 (RFC 5869) with every intermediate in secure memory. Keyward's `info` values are
// the versioned labels in @keyward/protocol/key-hierarchy.
import { SecureBuffer, releaseAll } from './secure-buffer.js';
import { hmacSecure } from './hmac.js';

const HASH_BYTES = 32;

/** RFC 5869 §2.2. An absent salt is HashLen zero bytes. */
export function hkdfExtract(salt: Uint8Array | null, ikm: SecureBuffer): SecureBuffer {
  const saltKey = SecureBuffer.from(salt ?? new Uint8Array(HASH_BYTES), { wipeSource: false });
  try {
    return ikm.reveal((bytes) => hmacSecure('sha256', saltKey, bytes));
  } finally {
    saltKey.release();
  }
}

/** RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) | info | i), L <= 255 * HashLen. */
export function hkdfExpand(prk: SecureBuffer, info: Uint8Array, length: number): SecureBuffer {
  if (!Number.isSafeInteger(length) || length < 1 || length > 255 * HASH_BYTES) throw new RangeError('HKDF length');
  if (prk.length < HASH_BYTES) throw new RangeError('HKDF PRK shorter than HashLen');
  const out = SecureBuffer.alloc(length);
  let previous: SecureBuffer | null = null;
  try {
    for (let i = 1, written = 0; written < length; i++) {
      const counter = Uint8Array.of(i);
      const t: SecureBuffer = previous === null
        ? hmacSecure('sha256', prk, [info, counter])
        : previous.reveal((p) => hmacSecure('sha256', prk, [p, info, counter]));
      previous?.release();
      previous = t;
      const take = Math.min(HASH_BYTES, length - written);
      out.reveal((o) => t.reveal((tb) => o.set(tb.subarray(0, take), written)));
      written += take;
    }
    return out;
  } catch (e) {
    out.release();
    throw e;
  } finally {
    releaseAll(previous);
  }
}

export function hkdf(salt: Uint8Array | null, ikm: SecureBuffer, info: Uint8Array, length: number): SecureBuffer {
  const prk = hkdfExtract(salt, ikm);
  try {
    return hkdfExpand(prk, info, length);
  } finally {
    prk.release();
  }
}

/** A 32-byte subkey of `key` for one labelled purpose (labels live in protocol/key-hierarchy). */
export function deriveSubkey(key: SecureBuffer, label: string): SecureBuffer {
  return hkdf(null, key, new TextEncoder().encode(label), 32);
}
