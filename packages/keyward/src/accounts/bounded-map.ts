// A Map with a size cap that evicts the least recently used entry, so the throttle's memory is
// bounded whatever an attacker sends. Eviction forgets state, which favours the attacker, so it
// skips entries the caller calls precious (an account or address under active throttling) among
// the few oldest: a flood of fresh junk keys evicts junk, not the bucket that is slowing an attack.
export class BoundedMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #cap: number;
  readonly #isPrecious: (value: V) => boolean;
  readonly #probe: number;

  constructor(cap: number, isPrecious: (value: V) => boolean, probe = 16) {
    if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError('BoundedMap cap must be a positive integer');
    this.#cap = cap;
    this.#isPrecious = isPrecious;
    this.#probe = probe;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reads and marks the entry as recently used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#cap) this.#evictOne(key);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #evictOne(keep: string): void {
    let oldest: string | undefined;
    let probed = 0;
    for (const [key, value] of this.#entries) {
      if (key === keep) continue;
      oldest ??= key;
      if (!this.#isPrecious(value)) {
        this.#entries.delete(key);
        return;
      }
      if (++probed >= this.#probe) break;
    }
    // Every probed entry is precious: the cap still wins, and the oldest goes.
    if (oldest !== undefined) this.#entries.delete(oldest);
  }
}
