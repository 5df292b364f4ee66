// At most one e-mail per account and kind per window: a burst (a bot revoking tokens in a loop, a
// password spray tripping every threshold) fills the inbox, not the mailbox. Memory is bounded:
// keys are kept in the order they were last let through, so the expired ones sit at the front and
// are dropped as new ones come; past the cap the oldest goes, which can only cost an extra e-mail.
export interface BurstGate {
  /** true: e-mail this one, and start the window; false: a mail of this kind went out too recently. */
  allow(accountId: string, kind: string, at: number): boolean;
  readonly size: number;
}

export function createBurstGate(windowMs: number, maxKeys: number): BurstGate {
  if (!Number.isSafeInteger(windowMs) || windowMs < 0) throw new RangeError('burst window must be a non-negative integer');
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('burst gate needs room for at least one key');
  const lastSent = new Map<string, number>();
  return {
    allow(accountId, kind, at) {
      for (const [key, t] of lastSent) {
        if (at - t < windowMs && lastSent.size < maxKeys) break;
        lastSent.delete(key);
      }
      const key = `${kind}\u0000${accountId}`;
      const last = lastSent.get(key);
      if (last !== undefined && at - last < windowMs) return false;
      lastSent.delete(key);
      lastSent.set(key, at);
      return true;
    },
    get size() {
      return lastSent.size;
    },
  };
}
