// The client's check of a server's pre-login answer (docs/server.md "Sign-up and sign-in"): the
// server hands out the Argon2id parameters, so a malicious or broken server could hand out weak
// ones; every client refuses parameters below the floor (or above the ceiling) before deriving.
import { KeywardError } from '@keyward/protocol/errors';
import { KDF_SALT_BYTES, checkKdfParams, type KdfParams } from '@keyward/protocol/key-hierarchy';
import type { PreloginAnswer } from '@keyward/protocol/account-api';

export type { PreloginAnswer } from '@keyward/protocol/account-api';

export interface PreloginParams {
  readonly accountId: string;
  readonly salt: Buffer;
  readonly kdf: KdfParams;
}

const refused = (detail: string): KeywardError =>
  new KeywardError('KW_KDF_PARAMS_REFUSED', `The server's pre-login answer was refused: ${detail}.`);

export function checkPreloginParams(answer: unknown): PreloginParams {
  const a = answer as Partial<Record<keyof PreloginAnswer, unknown>> | null;
  if (typeof a !== 'object' || a === null) throw refused('not an object');
  if (typeof a.accountId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(a.accountId)) throw refused('account id');
  if (typeof a.salt !== 'string' || !/^[A-Za-z0-9_-]+$/.test(a.salt)) throw refused('salt');
  const salt = Buffer.from(a.salt, 'base64url');
  if (salt.length !== KDF_SALT_BYTES) throw refused(`salt length (${String(KDF_SALT_BYTES)} bytes expected)`);
  const k = a.kdf as Partial<Record<'memoryKiB' | 'iterations', unknown>> | null;
  if (typeof k !== 'object' || k === null || typeof k.memoryKiB !== 'number' || typeof k.iterations !== 'number') throw refused('kdf');
  const kdf: KdfParams = { algorithm: 'argon2id13', memoryKiB: k.memoryKiB, iterations: k.iterations, parallelism: 1 };
  const check = checkKdfParams(kdf);
  if (!check.ok) throw refused(`Argon2id parameters m=${String(kdf.memoryKiB)} KiB, t=${String(kdf.iterations)} are ${check.reason}`);
  return { accountId: a.accountId, salt, kdf };
}
