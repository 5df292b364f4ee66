// The sandbox never reads Date.now() directly: tests inject a clock to make timestamps, nonces,
// JWT lifetimes, the price walk and resting-order fills reproducible.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock that moves only when told to. */
export function createManualClock(startMs: number): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    set(ms) { t = ms; },
    advance(ms) { t += ms; },
  };
}
