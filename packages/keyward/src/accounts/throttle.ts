// Sign-in throttling, never lockout: failures buy growing delays (after 5 failures 1 s, doubling,
// capped at 15 min), and a delay is asked for before any Argon2id work is done.
//
// Three kinds of bucket, so that an attacker cannot lock the owner out:
// - per account, for attempts from unknown devices: 200 wrong passwords from 200 addresses all
//   land here and slow down, however many addresses the attacker has;
// - per account, for attempts from the owner's known devices (a device cookie, or an address that
//   signed in recently; the caller decides): the attacker's failures never reach it, so the owner
//   signs in at once during an attack. It has its own delays, so a stolen device cookie does not
//   buy unlimited guesses;
// - per source address (IPv6 per /64), for unknown devices: one address spraying many accounts
//   slows down. Known devices skip it, so an attacker behind the owner's NAT cannot delay them.
// The cost: during an attack the owner on a new device waits like the attacker does (at most the
// cap), and is told about the attack by the burst notification.
//
// check() counts the attempt before the caller runs Argon2id, so a hundred parallel requests cannot
// all pass before the first failure is recorded; succeed() gives that count back. An attempt whose
// outcome is never reported stays counted, which fails safe.
//
// State is in memory, per process, and bounded (see bounded-map.ts). Several server nodes each
// keep their own counts, so an attacker spreading requests over N nodes gets up to N times the
// budget; sharing counts belongs to the store-backed service, not to this pure part.
import { hash } from '../crypto/index.js';
import { BoundedMap } from './bounded-map.js';
import { sourceAddressKey } from './source-address.js';

export interface ThrottleLimits {
  /** Failures that cost nothing; the next attempt after this many waits baseDelayMs. */
  readonly freeFailures: number;
  readonly baseDelayMs: number;
  /** The longest delay ever asked for: a delay, never a lockout. */
  readonly maxDelayMs: number;
  /** Each whole interval without a failure in a bucket forgives one failure. */
  readonly forgiveEveryMs: number;
  readonly maxAccounts: number;
  readonly maxAddresses: number;
  /** Failed or refused attempts on one account within burstWindowMs at which onBurst is called. */
  readonly burstThresholds: readonly number[];
  readonly burstWindowMs: number;
}

export const THROTTLE_DEFAULTS: ThrottleLimits = Object.freeze({
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  forgiveEveryMs: 10 * 60 * 1000,
  maxAccounts: 100_000,
  maxAddresses: 100_000,
  burstThresholds: Object.freeze([10, 50, 200]),
  burstWindowMs: 24 * 60 * 60 * 1000,
});

export interface AttemptKey {
  readonly account: string;
  /** The client's address as the server saw it (after trusted-proxy handling). */
  readonly address: string;
  /** The attempt comes from a device or address the account recently signed in from. */
  readonly knownDevice: boolean;
}

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** For the "failed-attempt bursts" notification: each threshold is reported once per window. */
export interface Burst {
  readonly account: string;
  readonly attempts: number;
  readonly threshold: number;
  readonly windowStartedAt: number;
}

export interface ThrottleOptions extends Partial<ThrottleLimits> {
  /** Milliseconds since the Unix epoch. */
  readonly now: () => number;
  readonly onBurst?: (burst: Burst) => void;
}

/** One sign-in attempt is check(), then, only if allowed, fail() or succeed() with the same key. */
export interface Throttle {
  /** Before any password or code work. An allowed attempt is counted as a failure already. */
  check(key: AttemptKey): ThrottleDecision;
  /** The attempt failed: its count stays, and it counts toward the account's burst. */
  fail(key: AttemptKey): void;
  /** The attempt succeeded: its own count is given back; on a known device, the owner's typos too. */
  succeed(key: AttemptKey): void;
  stats(): { readonly accounts: number; readonly addresses: number };
}

interface Bucket {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

interface AccountState {
  readonly unknown: Bucket;
  readonly known: Bucket;
  burstStart: number;
  burstCount: number;
  burstLevel: number;
}

/** Keys longer than this are hashed, so an attacker's megabyte user name costs 64 bytes here. */
const MAX_KEY_CHARS = 128;

export function createThrottle(options: ThrottleOptions): Throttle {
  const { now, onBurst, ...overrides } = options;
  const limits: ThrottleLimits = { ...THROTTLE_DEFAULTS, ...overrides };
  checkLimits(limits);

  const emptyBucket = (): Bucket => ({ count: 0, lastAt: 0, blockedUntil: 0 });
  const decayed = (b: Bucket, t: number): number => Math.max(0, b.count - Math.floor((t - b.lastAt) / limits.forgiveEveryMs));
  const delayFor = (failures: number): number => (failures < limits.freeFailures
    ? 0
    : Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (failures - limits.freeFailures)));
  const isThrottling = (b: Bucket): boolean => {
    const t = now();
    return b.blockedUntil > t || decayed(b, t) >= limits.freeFailures;
  };

  const accounts = new BoundedMap<AccountState>(limits.maxAccounts, (a) => isThrottling(a.unknown) || isThrottling(a.known));
  const addresses = new BoundedMap<Bucket>(limits.maxAddresses, isThrottling);

  const accountId = (key: AttemptKey): string => boundedKey(key.account);
  const addressId = (key: AttemptKey): string => boundedKey(sourceAddressKey(key.address));

  /** The buckets that decide this attempt, creating them only when asked to. */
  function bucketsOf(key: AttemptKey, create: boolean): { account: AccountState | undefined; buckets: Bucket[] } {
    let account = accounts.get(accountId(key));
    if (account === undefined && create) {
      account = { unknown: emptyBucket(), known: emptyBucket(), burstStart: Number.NEGATIVE_INFINITY, burstCount: 0, burstLevel: 0 };
      accounts.set(accountId(key), account);
    }
    const buckets: Bucket[] = [];
    if (account !== undefined) buckets.push(key.knownDevice ? account.known : account.unknown);
    if (!key.knownDevice) {
      let address = addresses.get(addressId(key));
      if (address === undefined && create) {
        address = emptyBucket();
        addresses.set(addressId(key), address);
      }
      if (address !== undefined) buckets.push(address);
    }
    return { account, buckets };
  }

  function countBurst(name: string, account: AccountState, t: number): void {
    if (t - account.burstStart >= limits.burstWindowMs) {
      account.burstStart = t;
      account.burstCount = 0;
      account.burstLevel = 0;
    }
    account.burstCount++;
    const threshold = limits.burstThresholds[account.burstLevel];
    if (threshold !== undefined && account.burstCount >= threshold) {
      account.burstLevel++;
      onBurst?.({ account: name, attempts: account.burstCount, threshold, windowStartedAt: account.burstStart });
    }
  }

  return {
    check(key) {
      const t = now();
      const { account, buckets } = bucketsOf(key, false);
      const blockedUntil = Math.max(0, ...buckets.map((b) => b.blockedUntil));
      if (blockedUntil > t) {
        // A refused attempt is part of the burst too, but only on an account already being
        // counted: refusals are free to send and must not create state.
        if (account !== undefined) countBurst(key.account, account, t);
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - t) / 1000)) };
      }
      for (const b of bucketsOf(key, true).buckets) {
        b.count = decayed(b, t) + 1;
        b.lastAt = t;
        b.blockedUntil = t + delayFor(b.count);
      }
      return { allowed: true };
    },

    fail(key) {
      const { account } = bucketsOf(key, true);
      if (account !== undefined) countBurst(key.account, account, now());
    },

    succeed(key) {
      const t = now();
      const { account, buckets } = bucketsOf(key, false);
      if (key.knownDevice) {
        // The owner proved themselves on their own device: their typos are forgotten. No one
        // else's failures are in this bucket.
        if (account !== undefined) Object.assign(account.known, emptyBucket());
        return;
      }
      // The unknown-device and address buckets are shared with whoever else tries this account or
      // uses this address: a success gives back only its own count, never anyone else's.
      for (const b of buckets) {
        b.count = Math.max(0, decayed(b, t) - 1);
        b.lastAt = t;
        b.blockedUntil = Math.min(b.blockedUntil, t + delayFor(b.count));
      }
    },

    stats() {
      return { accounts: accounts.size, addresses: addresses.size };
    },
  };
}

function boundedKey(value: string): string {
  return value.length <= MAX_KEY_CHARS ? `=${value}` : `#${hash('sha256', Buffer.from(value, 'utf8')).toString('base64url')}`;
}

function checkLimits(l: ThrottleLimits): void {
  const problems: string[] = [];
  const whole = (name: keyof ThrottleLimits, min: number, max: number): void => {
    const v = l[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) problems.push(`${name} must be an integer from ${String(min)} to ${String(max)}`);
  };
  whole('freeFailures', 1, 1000);
  whole('baseDelayMs', 1, 24 * 60 * 60 * 1000);
  whole('maxDelayMs', l.baseDelayMs, 24 * 60 * 60 * 1000);
  whole('forgiveEveryMs', 1000, 7 * 24 * 60 * 60 * 1000);
  whole('maxAccounts', 1, 10_000_000);
  whole('maxAddresses', 1, 10_000_000);
  whole('burstWindowMs', 1000, 30 * 24 * 60 * 60 * 1000);
  const t = l.burstThresholds;
  if (!Array.isArray(t) || !t.every((v, i) => Number.isSafeInteger(v) && v > 0 && (i === 0 || v > (t[i - 1] ?? 0)))) {
    problems.push('burstThresholds must be increasing positive integers');
  }
  if (problems.length > 0) throw new RangeError(`throttle limits: ${problems.join('; ')}`);
}
