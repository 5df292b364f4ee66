// HMAC-SHA256 (RFC 2104) with a 32-byte key through libsodium's crypto_auth_hmacsha256 (which
// takes exactly 32-byte keys: every Keyward HMAC key is a 32-byte derived or random key).
import { KEY_BYTES } from '@keyward/protocol/key-hierarchy';
import { withHeap } from './heap.js';

const MAC_BYTES = 32;

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError('HMAC key must be 32 bytes');
  return withHeap((heap, raw) => {
    const k = heap.put(key);
    const m = heap.put(message);
    const out = heap.alloc(MAC_BYTES);
    if (raw._crypto_auth_hmacsha256(out, m, message.length, 0, k) !== 0) throw new Error('HMAC failed');
    return heap.take(out, MAC_BYTES);
  });
}
