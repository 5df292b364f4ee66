// TOTP (RFC 6238) over HOTP (RFC 4226), for authenticator apps: HMAC-SHA-1, 6 digits, 30 s steps
// by default, at most one step of clock drift either way, and each step accepted at most once.
//
// Where the seed goes. crypto/ keeps HMAC state in secure memory but has no SHA-1, and every
// authenticator app uses SHA-1. We chose node:crypto's HMAC-SHA-1 over the `otpauth` package:
// node:crypto is already in the process (no new dependency beside the secrets), and it takes the
// seed straight from the SecureBuffer's view, so no copy is made on the JavaScript heap. `otpauth`
// would keep the seed in an ordinary Uint8Array inside its Secret object for as long as that
// object lives. Honestly, then: during createHmac() OpenSSL copies the seed (XORed into its ipad
// and opad hash states) into ordinary, unlocked C heap; Node frees that HMAC context in digest(),
// and OpenSSL clears it as it frees it. The MAC is returned as an ordinary Buffer, which we zero
// after truncation; Node's C++ copies it through a stack array that nobody clears. SHA-256 and
// SHA-512 (only used by RFC 6238's vectors and by seeds that ask for them) go through crypto/'s
// HMAC, whose state stays in secure memory.
import { createHmac } from 'node:crypto';
import { createHmacKey, equal, SecureBuffer } from '../crypto/index.js';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  readonly algorithm: TotpAlgorithm;
  /** RFC 4226 §5.3: at least 6; RFC 6238's vectors use 8. */
  readonly digits: 6 | 7 | 8;
  readonly periodSeconds: number;
}

export const TOTP_DEFAULTS: TotpOptions = Object.freeze({ algorithm: 'sha1', digits: 6, periodSeconds: 30 });

/** 160 bits, the length RFC 4226 §4 (R6) recommends and authenticator apps expect. */
export const TOTP_SEED_BYTES = 20;
/** RFC 4226 §4 (R6): the shared secret is at least 128 bits. */
const MIN_SEED_BYTES = 16;
const MAX_SEED_BYTES = 64;

/** How many steps either side of now a code may come from (RFC 6238 §5.2 advises at most one). */
export const TOTP_DRIFT_STEPS = 1;

export type TotpResult = { readonly ok: true; readonly step: number } | { readonly ok: false };

export function newTotpSeed(): SecureBuffer {
  return SecureBuffer.random(TOTP_SEED_BYTES);
}

/** RFC 6238 §4.2: T = floor((unix time - T0) / X), with T0 = 0. */
export function totpStep(nowMs: number, periodSeconds: number = TOTP_DEFAULTS.periodSeconds): number {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError('TOTP time must be a non-negative number of milliseconds');
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds < 1) throw new RangeError('TOTP period must be a positive whole number of seconds');
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The HOTP value for one counter (a TOTP step), as the digits the user would type. */
export function hotp(seed: SecureBuffer, counter: number, options: Omit<TotpOptions, 'periodSeconds'> = TOTP_DEFAULTS): string {
  assertSeed(seed);
  assertOptions(options);
  const out = Buffer.alloc(options.digits);
  try {
    hotpInto(seed, counter, options, out);
    return out.toString('latin1');
  } finally {
    out.fill(0);
  }
}

/**
 * Accepts `code` if it is the code of the current step or of one step either side, and that step
 * is after `lastUsedStep` (RFC 6238 §5.2: a verifier must not accept the second attempt of the same
 * OTP). The caller stores the returned step as the new lastUsedStep, in the same write that signs
 * the user in, so a code observed over a shoulder or replayed by a proxy is refused.
 */
export function verifyTotp(
  seed: SecureBuffer, code: string, nowMs: number, lastUsedStep: number | null,
  options: TotpOptions = TOTP_DEFAULTS,
): TotpResult {
  assertSeed(seed);
  assertOptions(options);
  if (lastUsedStep !== null && (!Number.isSafeInteger(lastUsedStep) || lastUsedStep < 0)) {
    throw new RangeError('lastUsedStep must be null or a non-negative integer');
  }
  const current = totpStep(nowMs, options.periodSeconds);
  // Only ASCII digits of the exact length: `\d` in a non-unicode JS regex is [0-9].
  if (typeof code !== 'string' || code.length !== options.digits || !/^\d+$/.test(code)) return { ok: false };

  const given = Buffer.from(code, 'latin1');
  const expected = Buffer.alloc(options.digits);
  let matched: number | null = null;
  try {
    // Every candidate is computed and compared, so the time taken does not say which step (if
    // any) matched. If two steps share a code, the later one is recorded: that code can then
    // never be accepted again.
    for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
      if (step < 0 || (lastUsedStep !== null && step <= lastUsedStep)) continue;
      hotpInto(seed, step, options, expected);
      if (equal(expected, given)) matched = step;
    }
  } finally {
    expected.fill(0);
  }
  return matched === null ? { ok: false } : { ok: true, step: matched };
}

function hotpInto(seed: SecureBuffer, counter: number, options: Omit<TotpOptions, 'periodSeconds'>, out: Buffer): void {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('HOTP counter must be a non-negative integer');
  // RFC 4226 §5.2: the counter is 8 bytes, big-endian.
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = macOf(seed, options.algorithm, message);
  try {
    // RFC 4226 §5.3 dynamic truncation: 31 bits from the offset in the last byte's low nibble.
    const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
    let value = (((mac[offset] ?? 0) & 0x7f) << 24) | ((mac[offset + 1] ?? 0) << 16) | ((mac[offset + 2] ?? 0) << 8) | (mac[offset + 3] ?? 0);
    for (let i = options.digits - 1; i >= 0; i--) {
      out[i] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    }
  } finally {
    mac.fill(0);
  }
}

function macOf(seed: SecureBuffer, algorithm: TotpAlgorithm, message: Buffer): Buffer {
  if (algorithm === 'sha1') {
    // The one place the seed leaves secure memory: see the comment at the top of this file.
    return seed.reveal((k) => createHmac('sha1', k).update(message).digest());
  }
  const key = createHmacKey(algorithm, seed);
  try {
    return key.digest(message);
  } finally {
    key.release();
  }
}

function assertSeed(seed: SecureBuffer): void {
  if (!(seed instanceof SecureBuffer)) throw new TypeError('A TOTP seed must be a SecureBuffer');
  if (seed.length < MIN_SEED_BYTES || seed.length > MAX_SEED_BYTES) {
    throw new RangeError(`A TOTP seed must be ${String(MIN_SEED_BYTES)} to ${String(MAX_SEED_BYTES)} bytes`);
  }
}

function assertOptions(options: Omit<TotpOptions, 'periodSeconds'>): void {
  if (options.algorithm !== 'sha1' && options.algorithm !== 'sha256' && options.algorithm !== 'sha512') {
    throw new RangeError('TOTP algorithm must be sha1, sha256 or sha512');
  }
  if (options.digits !== 6 && options.digits !== 7 && options.digits !== 8) throw new RangeError('TOTP codes have 6 to 8 digits');
}
