// Recovery codes: ten one-time codes shown once at 2FA enrolment, for the day the authenticator
// is lost. Each is 10 characters of Crockford's base32 (50 random bits), shown as xxxxx-xxxxx.
//
// Stored as HMAC-SHA-256 under a server key that is not in the database, not as Argon2id: a code
// has 50 bits of entropy, so unlike a password it needs no slow hash to resist guessing, and a
// stolen database without the key cannot test a single guess. (With the key as well, 2^50 HMACs
// per code is a large but finite GPU budget; rotate the codes if the key is ever exposed.)
// Argon2id would also cost ten 64 MiB derivations per attempt, one per stored code, which is a
// denial of service waiting to happen. The MAC input binds the account, so a hash copied to
// another user's row does not verify there.
//
// Crockford's alphabet (no I, L, O, U) because people type these from paper: input is read
// without regard to case, spaces or dashes, and O is read as 0, I and L as 1.
import { equal, randomBytes, type HmacKey } from '../crypto/index.js';

export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_CHARS = 10;
export const RECOVERY_CODE_HASH_BYTES = 32;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Domain separation for the MAC input; versioned like every key label (STYLE habit 4). */
const LABEL = 'keyward/v1/recovery-code';
/** Longer input than this is not a code with some spaces in it. */
const MAX_INPUT_CHARS = 64;

export interface RecoveryCodes {
  /** For display, once. Never stored, logged or sent again. */
  readonly codes: readonly string[];
  /** What the database keeps, in the same order. */
  readonly hashes: readonly Buffer[];
}

export function generateRecoveryCodes(key: HmacKey, account: string): RecoveryCodes {
  assertKey(key);
  const canonical = new Set<string>();
  while (canonical.size < RECOVERY_CODE_COUNT) canonical.add(randomCode());
  const codes = [...canonical];
  return {
    codes: codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`),
    hashes: codes.map((c) => hashCanonical(key, account, c)),
  };
}

/**
 * The index of the stored hash that `input` matches, or null. Used codes are null in
 * `storedHashes` (keep the positions): the caller nulls the returned index in the same write that
 * signs the user in, conditionally on it still being unused, so each code works once.
 */
export function verifyRecoveryCode(key: HmacKey, account: string, input: string, storedHashes: readonly (Uint8Array | null)[]): number | null {
  assertKey(key);
  const canonical = canonicalise(input);
  if (canonical === null) return null;
  const candidate = hashCanonical(key, account, canonical);
  let found: number | null = null;
  try {
    // No early exit: every unused hash is compared, in constant time each.
    for (const [i, stored] of storedHashes.entries()) {
      if (stored !== null && equal(candidate, stored) && found === null) found = i;
    }
  } finally {
    candidate.fill(0);
  }
  return found;
}

/** The code in canonical form (10 lower-case alphabet characters), or null if it cannot be one. */
export function canonicalise(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_CHARS) return null;
  let out = '';
  for (const ch of input.toLowerCase()) {
    // Spaces and every dash a keyboard or a word processor may produce.
    if (/[\s\u002d\u2010-\u2015\u2212]/u.test(ch)) continue;
    const mapped = ch === 'o' ? '0' : ch === 'i' || ch === 'l' ? '1' : ch;
    if (!ALPHABET.includes(mapped)) return null;
    out += mapped;
  }
  return out.length === RECOVERY_CODE_CHARS ? out : null;
}

function randomCode(): string {
  // 7 random bytes give 56 bits; the first 50 make ten 5-bit characters, so each is uniform.
  const bytes = randomBytes(7);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  bytes.fill(0);
  let out = '';
  for (let i = 0; i < RECOVERY_CODE_CHARS; i++) out += ALPHABET[Number((bits >> BigInt(51 - 5 * i)) & 31n)] ?? '';
  return out;
}

function hashCanonical(key: HmacKey, account: string, canonical: string): Buffer {
  const accountBytes = Buffer.from(account, 'utf8');
  const accountLength = Buffer.alloc(4);
  accountLength.writeUInt32BE(accountBytes.length);
  // label || 0x00 || len(account) || account || code: unambiguous whatever the account contains.
  return key.digest([Buffer.from(LABEL, 'utf8'), Buffer.of(0), accountLength, accountBytes, Buffer.from(canonical, 'latin1')]);
}

function assertKey(key: HmacKey): void {
  if (key.hash !== 'sha256') throw new RangeError('Recovery codes are hashed with an HMAC-SHA-256 key');
}
