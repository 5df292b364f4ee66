// WebAuthn challenges between the options a server hands out and the response it checks. A
// challenge is what makes a passkey response fresh (WebAuthn L3 §13.4.3): each one is taken at
// most once, and only within its time to live, so a recorded response cannot be played again.
// Memory is bounded with the throttle's BoundedMap: a flood of ceremonies that are never finished
// evicts the oldest challenges (expired ones first) and never grows the map past its cap.
import { BoundedMap } from './bounded-map.js';

/** How long a challenge stays good: the ceremony timeout we ask browsers for, and no longer. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
const DEFAULT_MAX_ENTRIES = 100_000;
const MAX_KEY_CHARS = 256;

export interface ChallengeStoreOptions {
  /** Milliseconds since the Unix epoch. */
  readonly now: () => number;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

export interface ChallengeStore {
  /** Remembers the challenge of the options just sent, under a key naming the ceremony (e.g. a sign-in ticket). */
  put(key: string, challenge: string): void;
  /** The challenge, once: the entry is gone after this call. null when absent, taken or expired. */
  take(key: string): string | null;
  readonly size: number;
}

interface Entry {
  readonly challenge: string;
  readonly expiresAt: number;
}

export function createChallengeStore(options: ChallengeStoreOptions): ChallengeStore {
  const { now, ttlMs = PASSKEY_CHALLENGE_TTL_MS, maxEntries = DEFAULT_MAX_ENTRIES } = options;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new RangeError('challenge ttlMs must be a positive integer');
  const entries = new BoundedMap<Entry>(maxEntries, (e) => e.expiresAt > now());

  const checkKey = (key: string): void => {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
      throw new RangeError(`a challenge key is 1 to ${String(MAX_KEY_CHARS)} characters`);
    }
  };

  return {
    put(key, challenge) {
      checkKey(key);
      if (typeof challenge !== 'string' || challenge.length === 0) throw new TypeError('a challenge is a non-empty base64url string');
      // A second put under one key replaces the first: only the newest options can be answered.
      entries.set(key, { challenge, expiresAt: now() + ttlMs });
    },
    take(key) {
      checkKey(key);
      const entry = entries.get(key);
      if (entry === undefined) return null;
      entries.delete(key);
      return entry.expiresAt > now() ? entry.challenge : null;
    },
    get size() {
      return entries.size;
    },
  };
}
