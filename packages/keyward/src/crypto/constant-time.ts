// The only comparison of secret-derived bytes in the codebase (STYLE habit 5). libsodium's
// sodium_memcmp runs in time that depends only on the length, which is public.
import { sodium } from './sodium.js';
import type { SecureBuffer } from './secure-buffer.js';

type Bytes = Uint8Array | SecureBuffer;

function withBytes<T>(b: Bytes, fn: (u: Uint8Array) => T): T {
  return b instanceof Uint8Array ? fn(b) : b.reveal(fn);
}

/** Equal length and equal bytes. Lengths are compared first: they are not secret here. */
export function equal(a: Bytes, b: Bytes): boolean {
  return withBytes(a, (x) => withBytes(b, (y) => x.length === y.length && (x.length === 0 || sodium.sodium_memcmp(x, y))));
}
