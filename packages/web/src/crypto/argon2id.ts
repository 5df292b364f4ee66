// Argon2id (RFC 9106) through libsodium's crypto_pwhash, ALG_ARGON2ID13, p = 1. The parameters
// come from a server (pre-login) or a stored record, so they are checked against the floor (no
// downgrade by whoever supplied them) and the ceiling (no DoS) before any work starts.
import { KDF_SALT_BYTES, KEY_BYTES, checkKdfParams, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { withHeap } from './heap.js';

/** libsodium has no progress hook, so a derivation reports only its start and end. */
export interface KdfProgressEvent {
  readonly step: 'argon2id';
  readonly state: 'start' | 'end';
  readonly params: KdfParams;
}
export type KdfProgress = (event: KdfProgressEvent) => void;

export function assertKdfParams(params: KdfParams): void {
  const check = checkKdfParams(params);
  if (!check.ok) {
    throw new KeywardError('KW_KDF_PARAMS_REFUSED', `Argon2id parameters refused (${check.reason}): m=${String(params.memoryKiB)} KiB, t=${String(params.iterations)}`);
  }
}

/** The 32-byte master key. The password is read, never kept or wiped: its owner wipes it. */
export function argon2id(password: Uint8Array, salt: Uint8Array, params: KdfParams): Uint8Array {
  assertKdfParams(params);
  if (salt.length !== KDF_SALT_BYTES) throw new RangeError(`Argon2id salt must be ${String(KDF_SALT_BYTES)} bytes`);
  try {
    return withHeap((heap, raw) => {
      const out = heap.alloc(KEY_BYTES);
      const pw = heap.put(password);
      const s = heap.put(salt);
      const rc = raw._crypto_pwhash(out, KEY_BYTES, 0, pw, password.length, 0, s, params.iterations, 0,
        params.memoryKiB * 1024, raw._crypto_pwhash_alg_argon2id13());
      if (rc !== 0) throw new Error('Argon2id failed (out of memory?)');
      return heap.take(out, KEY_BYTES);
    });
  } finally {
    scrubArgon2idLeftovers(params);
  }
}

/**
 * libsodium leaves two things behind after crypto_pwhash, and either one gives the master key
 * without the password: its Argon2 memory (m KiB of blocks, plus m * 2 bytes of addresses), freed
 * without zeroing, and BLAKE2b's final output buffer on the WebAssembly stack (blake2b_final does
 * not zero it), which holds the pre-hash H0 and the output itself. A throwaway derivation at
 * libsodium's minimum cost runs the same call path and overwrites those stack slots; then one
 * allocation the size of the freed memory, which the allocator hands back from the same place,
 * is zeroed. heap-wipe.test.ts proves both, for the floor and the default parameters.
 */
function scrubArgon2idLeftovers(params: KdfParams): void {
  withHeap((heap, raw) => {
    const out = heap.alloc(KEY_BYTES);
    const pw = heap.alloc(1);
    const salt = heap.alloc(KDF_SALT_BYTES);
    if (raw._crypto_pwhash(out, KEY_BYTES, 0, pw, 0, 0, salt, 1, 0, LIBSODIUM_MIN_MEMLIMIT, raw._crypto_pwhash_alg_argon2id13()) !== 0) {
      throw new Error('Argon2id: the stack could not be scrubbed');
    }
  });
  withHeap((heap) => {
    heap.alloc(params.memoryKiB * 1024 + params.memoryKiB * 2 + SCRUB_SLACK_BYTES); // alloc() zeroes it
  });
}

const SCRUB_SLACK_BYTES = 4096; // the allocator's headers and Argon2's 64-byte alignment
const LIBSODIUM_MIN_MEMLIMIT = 8192; // crypto_pwhash_argon2id_MEMLIMIT_MIN, in bytes

/**
 * Lets the page paint (a spinner, "deriving keys…") before Argon2id blocks the thread for about a
 * second: one animation frame, then a task.
 */
export function yieldToPaint(): Promise<void> {
  return new Promise((resolve) => {
    const later = (): void => void setTimeout(resolve, 0);
    if (typeof globalThis.requestAnimationFrame === 'function') globalThis.requestAnimationFrame(later);
    else later();
  });
}
