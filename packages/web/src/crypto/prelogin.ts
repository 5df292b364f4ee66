// The pre-login answer (POST /api/v1/auth/prelogin, docs/server.md) comes from a server this code
// does not trust with the work factor: a malicious or compromised server could hand out weak
// parameters to make the wrapped user key cheap to attack. Every field is checked here, and the
// KDF parameters against protocol's floor and ceiling, before any derivation.
import { KDF_SALT_BYTES, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { assertKdfParams } from './argon2id.js';
import { fromBase64url } from './base64url.js';
import type { PreloginAnswer } from '@keyward/protocol/account-api';

export type { PreloginAnswer } from '@keyward/protocol/account-api';

/** The same, checked and decoded. */
export interface PreloginParams {
  readonly accountId: string;
  readonly salt: Uint8Array;
  readonly kdf: KdfParams;
}

const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/;

function refused(detail: string): KeywardError {
  return new KeywardError('KW_KDF_PARAMS_REFUSED', `The server's pre-login answer was refused: ${detail}.`);
}

export function checkPreloginParams(answer: unknown): PreloginParams {
  const a = answer as Partial<Record<keyof PreloginAnswer, unknown>> | null;
  if (typeof a !== 'object' || a === null) throw refused('not an object');
  if (typeof a.accountId !== 'string' || !ACCOUNT_ID.test(a.accountId)) throw refused('account id');
  if (typeof a.salt !== 'string') throw refused('salt');
  let salt: Uint8Array;
  try {
    salt = fromBase64url(a.salt);
  } catch {
    throw refused('salt encoding');
  }
  if (salt.length !== KDF_SALT_BYTES) throw refused(`salt length (${String(KDF_SALT_BYTES)} bytes expected)`);
  const k = a.kdf as Partial<Record<'memoryKiB' | 'iterations', unknown>> | null;
  if (typeof k !== 'object' || k === null || typeof k.memoryKiB !== 'number' || typeof k.iterations !== 'number') throw refused('kdf');
  const kdf: KdfParams = { algorithm: 'argon2id13', memoryKiB: k.memoryKiB, iterations: k.iterations, parallelism: 1 };
  assertKdfParams(kdf);
  return { accountId: a.accountId, salt, kdf };
}
