// The server's own secret (docs/server.md "Server keys"): 32 random bytes made once, stored in the
// database only wrapped by the key-encryption key, so a copy of the database without the KEK opens
// nothing. Every server key is derived from it with its own label; the secret itself is wiped as
// soon as they are. Several server processes on one PostgreSQL database share it: the first to
// start writes it, the others read what it wrote.
import { LABELS, PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import {
  SecureBuffer, createBlake2bMac, createEd25519Key, createHmacKey, deriveSubkey, openEnvelope, releaseAll, sealEnvelope,
  type Ed25519Key, type HmacKey, type MacKey,
} from '../crypto/index.js';
import type { KeyEncryptionKey } from '../kms/index.js';
import type { MetaRepo } from '../store/index.js';

export const SERVER_SECRET_META_KEY = 'server-secret';
export const SERVER_SECRET_AD: AdFields = { owner: 'server', record: SERVER_SECRET_META_KEY, purpose: PURPOSES.serverSecret };
const totpAd = (accountId: string, factorId: string): AdFields => ({ owner: accountId, record: factorId, purpose: PURPOSES.totpSeed });

export interface ServerSecrets {
  /** Keyed hashes of bot tokens (tokens/). */
  readonly tokenKey: HmacKey;
  /** The MAC chain of every account's audit log (audit/chain.ts): HMAC-SHA256 for links written before 2026-11, keyed BLAKE2b now. */
  readonly auditKey: { readonly v1: HmacKey; readonly v2: MacKey };
  readonly checkpointSigner: Ed25519Key;
  /** Keyed hashes of recovery codes. */
  readonly recoveryKey: HmacKey;
  /** Keyed hash (hex) of a session cookie, CSRF token or device id. */
  sessionHash(value: Uint8Array): string;
  /** The pre-login salt answered for an address with no account: the same for the same address. */
  fakeSalt(email: string): Uint8Array;
  fakeAccountId(email: string): string;
  sealTotpSeed(seed: SecureBuffer, accountId: string, factorId: string): Uint8Array;
  openTotpSeed(sealed: Uint8Array, accountId: string, factorId: string): SecureBuffer;
  release(): void;
}

/** Stored form: the KEK's id (for rotation), then the wrapped secret. */
export function encodeServerSecret(kekId: string, wrapped: Uint8Array): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, kekId, wrapped: Buffer.from(wrapped).toString('base64') }));
}

export function decodeServerSecret(stored: Uint8Array): { kekId: string; wrapped: Buffer } {
  try {
    const o = JSON.parse(Buffer.from(stored).toString('utf8')) as { v?: unknown; kekId?: unknown; wrapped?: unknown };
    if (o.v === 1 && typeof o.kekId === 'string' && typeof o.wrapped === 'string') return { kekId: o.kekId, wrapped: Buffer.from(o.wrapped, 'base64') };
  } catch {
    // fall through
  }
  throw new KeywardError('KW_VAULT_DAMAGED', 'The stored server secret is malformed.');
}

export async function loadServerSecrets(deps: { kek: KeyEncryptionKey; meta: MetaRepo }): Promise<ServerSecrets> {
  let stored = await deps.meta.get(SERVER_SECRET_META_KEY);
  if (stored === undefined) {
    const fresh = SecureBuffer.random(32);
    try {
      stored = await deps.meta.putIfAbsent(SERVER_SECRET_META_KEY, encodeServerSecret(deps.kek.id, await deps.kek.wrap(fresh, SERVER_SECRET_AD)));
    } finally {
      fresh.release();
    }
  }
  const { kekId, wrapped } = decodeServerSecret(stored);
  if (kekId !== deps.kek.id) {
    throw new KeywardError('KW_CONFIG_INVALID', `The server secret is wrapped by key-encryption key ${kekId}, not by the configured ${deps.kek.id}.`);
  }
  const secret = await deps.kek.unwrap(wrapped, SERVER_SECRET_AD);
  const seeds: SecureBuffer[] = [];
  const sub = (label: string): SecureBuffer => {
    const k = deriveSubkey(secret, label);
    seeds.push(k);
    return k;
  };
  try {
    const tokenKey = createHmacKey('sha256', sub(LABELS.serverTokenKey));
    const auditKey = { v1: createHmacKey('sha256', sub(LABELS.serverAuditKey)), v2: createBlake2bMac(sub(LABELS.serverAuditLinkKey)) };
    const checkpointSigner = createEd25519Key(sub(LABELS.serverCheckpointKey));
    const recoveryKey = createHmacKey('sha256', sub(LABELS.serverRecoveryKey));
    const sessionKey = createHmacKey('sha256', sub(LABELS.serverSessionKey));
    const preloginKey = createHmacKey('sha256', sub(LABELS.serverPreloginKey));
    const totpKey = sub(LABELS.serverTotpKey).clone();
    const norm = (email: string): Buffer => Buffer.from(email.trim().toLowerCase(), 'utf8');
    return {
      tokenKey, auditKey, checkpointSigner, recoveryKey,
      sessionHash: (value) => sessionKey.digest(value).toString('hex'),
      fakeSalt: (email) => preloginKey.digest([Buffer.from('salt\0'), norm(email)]).subarray(0, 16),
      fakeAccountId: (email) => preloginKey.digest([Buffer.from('account\0'), norm(email)]).subarray(0, 16).toString('hex'),
      sealTotpSeed: (seed, accountId, factorId) => sealEnvelope(totpKey, seed, totpAd(accountId, factorId)),
      openTotpSeed: (sealed, accountId, factorId) => openEnvelope(totpKey, sealed, totpAd(accountId, factorId)),
      release: () => {
        for (const k of [tokenKey, auditKey.v1, auditKey.v2, checkpointSigner, recoveryKey, sessionKey, preloginKey]) k.release();
        totpKey.release();
      },
    };
  } finally {
    releaseAll(secret, ...seeds);
  }
}
