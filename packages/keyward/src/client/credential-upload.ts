// A new exchange credential is sealed by the client (fresh data key, wrapped by the user key)
// before upload: the server receives ciphertext, the wrapped data key and a keyed fingerprint.
import { randomBytes } from 'node:crypto';
import type { SecureBuffer } from '../crypto/index.js';
import { sealCredential, type CredentialInput } from '../vault/index.js';
import type { SealedCredential } from '@keyward/protocol/account-api';

export type { SealedCredential } from '@keyward/protocol/account-api';

/** The input's secret buffers are read, not released: their owner releases them. */
export function sealCredentialForUpload(userKey: SecureBuffer, accountId: string, input: CredentialInput & { name: string; exchange: string }): SealedCredential {
  const id = randomBytes(16).toString('hex');
  const sealed = sealCredential(userKey, accountId, id, input);
  return {
    id, name: input.name, exchange: input.exchange,
    ciphertext: sealed.ciphertext.toString('base64url'), wrappedDek: sealed.wrappedDek.toString('base64url'),
    fingerprint: sealed.fingerprint.replaceAll('-', ''),
  };
}
