// Slots of libsodium secure memory for SecureBuffer.
// Why an arena: under Node, sodium-native's sodium_free only detaches the ArrayBuffer; the pages
// (three mappings each, with guard pages) are unmapped when V8 later collects the object. A burst
// of short-lived secrets (a sign-in derives and frees dozens) can exhaust vm.max_map_count before
// any GC runs, and sodium_malloc then aborts the process. So secrets live in slots carved from
// 64 KiB sodium_malloc arenas (mlock'd, MADV_DONTDUMP, guard pages around each arena), sized in
// powers of two, zeroed when freed and reused. Larger secrets get a dedicated sodium_malloc.
// The cost: no guard page between two slots of one arena. JavaScript cannot overrun a typed
// array, so the guard pages that matter (against native overruns into the heap) remain.
import { sodium } from './sodium.js';

export const ARENA_BYTES = 64 * 1024;
const MIN_SLOT = 32;

export interface Slot {
  /** The whole slot; SecureBuffer exposes a prefix of it. */
  readonly bytes: Buffer;
  readonly size: number;
  readonly dedicated: boolean;
}

const freeSlots = new Map<number, Slot[]>();
let arenaBytes = 0;
let slotBytesInUse = 0;

function slotSize(length: number): number {
  let size = MIN_SLOT;
  while (size < length) size *= 2;
  return size;
}

export function allocSlot(length: number): Slot {
  const size = slotSize(Math.max(length, 1));
  slotBytesInUse += size;
  if (size > ARENA_BYTES) {
    const bytes = sodium.sodium_malloc(size);
    sodium.sodium_memzero(bytes);
    return { bytes, size, dedicated: true };
  }
  let list = freeSlots.get(size);
  if (list === undefined) {
    list = [];
    freeSlots.set(size, list);
  }
  const reused = list.pop();
  if (reused !== undefined) return reused;
  const arena = sodium.sodium_malloc(ARENA_BYTES);
  sodium.sodium_memzero(arena);
  arenaBytes += ARENA_BYTES;
  for (let at = size; at < ARENA_BYTES; at += size) list.push({ bytes: arena.subarray(at, at + size), size, dedicated: false });
  return { bytes: arena.subarray(0, size), size, dedicated: false };
}

/** Zeroes the slot and returns it for reuse (or frees a dedicated allocation). */
export function freeSlot(slot: Slot): void {
  sodium.sodium_memzero(slot.bytes);
  slotBytesInUse -= slot.size;
  if (slot.dedicated) sodium.sodium_free(slot.bytes);
  else freeSlots.get(slot.size)?.push(slot);
}

export function arenaStats(): { arenaBytes: number; slotBytesInUse: number } {
  return { arenaBytes, slotBytesInUse };
}
