// Buffers in libsodium's WebAssembly heap that are zeroed before they are freed. Each operation
// copies its inputs in, runs, copies its output out, and zeroes every region it used, even when it
// throws, so no key or password outlives the call in the heap (see sodium.ts for why the wrappers
// are not used). The heap view is read afresh at each access: it is replaced when memory grows,
// which Argon2id's 64 MiB does.
import { sodiumNow, type RawSodium } from './sodium.js';

export class HeapScope {
  readonly #raw: RawSodium;
  readonly #regions: { ptr: number; length: number }[] = [];

  constructor(raw: RawSodium) {
    this.#raw = raw;
  }

  /** A zeroed region of `length` bytes; its address. */
  alloc(length: number): number {
    const ptr = this.#raw._malloc(Math.max(1, length));
    if (ptr === 0) throw new Error('libsodium: out of memory');
    this.#regions.push({ ptr, length });
    this.#raw.HEAPU8.fill(0, ptr, ptr + length);
    return ptr;
  }

  /** Copies `bytes` into a new region; its address. */
  put(bytes: Uint8Array): number {
    const ptr = this.alloc(bytes.length);
    this.#raw.HEAPU8.set(bytes, ptr);
    return ptr;
  }

  /** A copy of `length` bytes at `ptr`, in ordinary memory the caller owns (and wipes). */
  take(ptr: number, length: number): Uint8Array {
    return this.#raw.HEAPU8.slice(ptr, ptr + length);
  }

  /** The addresses and lengths used so far: for the test that proves they are zeroed. */
  testOnlyRegions(): readonly { ptr: number; length: number }[] {
    return [...this.#regions];
  }

  wipeAndFree(): void {
    for (const { ptr, length } of this.#regions.splice(0)) {
      this.#raw.HEAPU8.fill(0, ptr, ptr + length);
      this.#raw._free(ptr);
    }
  }
}

/** Runs `fn` with a scope whose regions are zeroed and freed afterwards, whatever happens. */
export function withHeap<T>(fn: (heap: HeapScope, raw: RawSodium) => T): T {
  const raw = sodiumNow();
  const heap = new HeapScope(raw);
  try {
    return fn(heap, raw);
  } finally {
    heap.wipeAndFree();
  }
}
