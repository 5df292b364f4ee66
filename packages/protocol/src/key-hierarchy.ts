// The key hierarchy's constants, shared by every implementation (Node, browser, tests).
// See DESIGN.md "Key hierarchy". Changing any value here changes what old vaults can open:
// add a new version instead.

/** Argon2id parameters as stored with each record. `parallelism` is libsodium's p, always 1. */
export interface KdfParams {
  readonly algorithm: 'argon2id13';
  /** Memory in KiB (RFC 9106 `m`). */
  readonly memoryKiB: number;
  /** Passes (RFC 9106 `t`). */
  readonly iterations: number;
  readonly parallelism: 1;
}

/** The defaults for new records: m = 64 MiB, t = 3, p = 1 (DESIGN.md). */
export const KDF_DEFAULTS: KdfParams = Object.freeze({
  algorithm: 'argon2id13',
  memoryKiB: 64 * 1024,
  iterations: 3,
  parallelism: 1,
});

/**
 * Below this a derivation is refused, so a malicious server or an edited vault cannot downgrade
 * the work factor. The floor is OWASP's smallest recommended Argon2id setting (m = 19 MiB, t = 2).
 */
export const KDF_FLOOR = Object.freeze({ memoryKiB: 19 * 1024, iterations: 2 });

/** Above this a derivation is refused, so an edited record cannot make unlocking a DoS. */
export const KDF_CEILING = Object.freeze({ memoryKiB: 1024 * 1024, iterations: 16 });

export const KDF_SALT_BYTES = 16;
export const KEY_BYTES = 32;

/** HKDF-SHA256 `info` labels. Every derived key has one, versioned (STYLE habit 4). */
export const LABELS = Object.freeze({
  /** master key -> the key sent to a server to sign in (stored there only as an Argon2id hash). */
  authKey: 'keyward/v1/auth-key',
  /** master key -> the key that wraps the user key. */
  encryptionKey: 'keyward/v1/encryption-key',
  /** user key -> the key of the keyed fingerprints shown for credentials. */
  fingerprintKey: 'keyward/v1/fingerprint-key',
  /** user key -> the key that seals a backup file's body. */
  backupKey: 'keyward/v1/backup-key',
  /** user key -> the key of the keyed hashes stored for tokens. */
  tokenKey: 'keyward/v1/token-key',
  /** user key -> the HMAC-SHA256 key of audit links written before 2026-11 (verified, no longer written). */
  auditKey: 'keyward/v1/audit-key',
  /** user key -> the keyed BLAKE2b key of the audit log's MAC chain. */
  auditLinkKey: 'keyward/v2/audit-link-key',
  /** user key -> the seed of the Ed25519 key that signs audit checkpoints. */
  auditCheckpointKey: 'keyward/v1/audit-checkpoint-key',
  /** user key -> HMAC key whose tag of this label lets a server recognise its account's user key. */
  userKeyCheck: 'keyward/v1/user-key-check',
  /** A bot token -> its share of a token-bound credential's wrapping key. */
  tokenShare: 'keyward/v1/token-share',
  /** server share || token share -> the key that wraps a token-bound credential's data key. */
  tokenBinding: 'keyward/v1/token-binding',
  /** The server secret (KEK-wrapped, docs/server.md) -> its keys, one label each. */
  serverTokenKey: 'keyward/v1/server/token-key',
  serverAuditKey: 'keyward/v1/server/audit-key',
  serverAuditLinkKey: 'keyward/v2/server/audit-link-key',
  serverCheckpointKey: 'keyward/v1/server/audit-checkpoint-key',
  serverSessionKey: 'keyward/v1/server/session-key',
  serverPreloginKey: 'keyward/v1/server/prelogin-key',
  serverTotpKey: 'keyward/v1/server/totp-key',
  serverRecoveryKey: 'keyward/v1/server/recovery-key',
});

/** What a ciphertext is for; bound into its associated data so it cannot be reused elsewhere. */
export const PURPOSES = Object.freeze({
  userKey: 'user-key',
  dataKey: 'data-key',
  credential: 'credential',
  backup: 'backup',
  serverSecret: 'server-secret',
  totpSeed: 'totp-seed',
  tokenShare: 'token-share',
});
export type Purpose = (typeof PURPOSES)[keyof typeof PURPOSES];

/** Envelope wire format v1: version (1) || nonce (24) || ciphertext || tag (16). */
export const ENVELOPE_VERSION = 1;
export const ENVELOPE_NONCE_BYTES = 24;
export const ENVELOPE_TAG_BYTES = 16;
export const ENVELOPE_OVERHEAD = 1 + ENVELOPE_NONCE_BYTES + ENVELOPE_TAG_BYTES;
/** A wrapped 32-byte key is exactly this long; any other length is refused before opening. */
export const WRAPPED_KEY_BYTES = ENVELOPE_OVERHEAD + KEY_BYTES;

/**
 * The associated data of an envelope: a fixed label, the envelope version, then owner, record id
 * and purpose, each as a 2-byte big-endian length and its UTF-8 bytes. Lengths make the encoding
 * unambiguous ("ab"+"c" differs from "a"+"bc").
 */
export interface AdFields {
  readonly owner: string;
  readonly record: string;
  readonly purpose: Purpose;
}
export const AD_LABEL = 'keyward/v1/ad';

export function encodeAssociatedData(fields: AdFields): Uint8Array {
  const enc = new TextEncoder();
  const parts = [AD_LABEL, fields.owner, fields.record, fields.purpose].map((s) => enc.encode(s));
  for (const p of parts) {
    if (p.length > 0xffff) throw new RangeError('associated-data field too long');
  }
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + 2 + p.length, 0));
  out[0] = ENVELOPE_VERSION;
  let at = 1;
  for (const p of parts) {
    out[at] = p.length >>> 8;
    out[at + 1] = p.length & 0xff;
    out.set(p, at + 2);
    at += 2 + p.length;
  }
  return out;
}

export type KdfCheck = { ok: true } | { ok: false; reason: 'below-floor' | 'above-ceiling' | 'malformed' };

/** Every client runs this before deriving, whoever handed it the parameters. */
export function checkKdfParams(p: KdfParams): KdfCheck {
  if (p.algorithm !== 'argon2id13' || p.parallelism !== 1) return { ok: false, reason: 'malformed' };
  if (!Number.isSafeInteger(p.memoryKiB) || !Number.isSafeInteger(p.iterations)) return { ok: false, reason: 'malformed' };
  if (p.memoryKiB < KDF_FLOOR.memoryKiB || p.iterations < KDF_FLOOR.iterations) return { ok: false, reason: 'below-floor' };
  if (p.memoryKiB > KDF_CEILING.memoryKiB || p.iterations > KDF_CEILING.iterations) return { ok: false, reason: 'above-ceiling' };
  return { ok: true };
}

/** True when `stored` is weaker than `target` in any dimension: rehash on the next unlock. */
export function isWeakerThan(stored: KdfParams, target: KdfParams): boolean {
  return stored.memoryKiB < target.memoryKiB || stored.iterations < target.iterations;
}

/** The stronger of two parameter sets, dimension by dimension (never lowers a stored value). */
export function strongerOf(a: KdfParams, b: KdfParams): KdfParams {
  return {
    algorithm: 'argon2id13',
    memoryKiB: Math.max(a.memoryKiB, b.memoryKiB),
    iterations: Math.max(a.iterations, b.iterations),
    parallelism: 1,
  };
}
