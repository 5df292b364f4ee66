// SecureBuffer: bytes in libsodium secure memory (sodium_malloc: mlock'd so never swapped,
// excluded from core dumps with MADV_DONTDUMP, guard pages around each arena; see
// secure-arena.ts), zeroed on release.
// A secret is never a JavaScript string: V8 cannot wipe strings, so every way of turning this
// object into one throws, and its bytes are reachable only through reveal() for the length of
// a callback.
import { inspect } from 'node:util';
import { sodium } from './sodium.js';
import { allocSlot, freeSlot, type Slot } from './secure-arena.js';

const REFUSE = 'SecureBuffer holds a secret and cannot be turned into a string or JSON';

export class SecureBuffer {
  #slot: Slot | null;
  #bytes: Buffer | null;
  readonly length: number;

  private constructor(slot: Slot, length: number) {
    this.#slot = slot;
    this.#bytes = slot.bytes.subarray(0, length);
    this.length = length;
  }

  /** Zero-filled secure memory (slots are zeroed when freed, arenas when mapped). */
  static alloc(length: number): SecureBuffer {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('SecureBuffer length');
    return new SecureBuffer(allocSlot(length), length);
  }

  /**
   * Copies `source` into secure memory. With `wipeSource`, the source is zeroed afterwards: use
   * it for transient buffers (a read from a file or a pipe) so only the secure copy remains.
   */
  static from(source: Uint8Array, options: { wipeSource: boolean }): SecureBuffer {
    const out = SecureBuffer.alloc(source.length);
    out.#live().set(source);
    if (options.wipeSource) sodium.sodium_memzero(source);
    return out;
  }

  /** Fresh random bytes straight into secure memory. */
  static random(length: number): SecureBuffer {
    const out = SecureBuffer.alloc(length);
    sodium.randombytes_buf(out.#live());
    return out;
  }

  get isReleased(): boolean {
    return this.#bytes === null;
  }

  /**
   * Runs `fn` with the raw bytes. The view must not outlive the callback: do not store it, copy
   * it into ordinary memory, or decode it to a string.
   */
  reveal<T>(fn: (bytes: Buffer) => T): T {
    return fn(this.#live());
  }

  /** A copy in new secure memory, independent of this one's lifetime. */
  clone(): SecureBuffer {
    return SecureBuffer.from(this.#live(), { wipeSource: false });
  }

  /** A copy of bytes [start, end) in new secure memory. */
  slice(start: number, end: number): SecureBuffer {
    return SecureBuffer.from(this.#live().subarray(start, end), { wipeSource: false });
  }

  /** Zeroes the memory and returns it to the arena. Idempotent; any later use throws. */
  release(): void {
    const slot = this.#slot;
    if (slot === null) return;
    this.#slot = null;
    this.#bytes = null;
    freeSlot(slot);
  }

  #live(): Buffer {
    if (this.#bytes === null) throw new Error('SecureBuffer used after release');
    return this.#bytes;
  }

  toString(): never {
    throw new TypeError(REFUSE);
  }

  toJSON(): never {
    throw new TypeError(REFUSE);
  }

  [inspect.custom](): never {
    throw new TypeError(REFUSE);
  }

  [Symbol.toPrimitive](): never {
    throw new TypeError(REFUSE);
  }
}

/** Releases every buffer given, ignoring nulls: for `finally` blocks. */
export function releaseAll(...buffers: (SecureBuffer | null | undefined)[]): void {
  for (const b of buffers) b?.release();
}
