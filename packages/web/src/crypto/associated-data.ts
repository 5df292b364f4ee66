// The associated data of each ciphertext the browser makes or opens: the same fields as
// packages/keyward/src/vault/local-vault.ts, so the server and the CLI open what the browser seals.
import { PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';

export const userKeyAd = (accountId: string): AdFields => ({ owner: accountId, record: accountId, purpose: PURPOSES.userKey });
export const dataKeyAd = (accountId: string, credentialId: string): AdFields => ({ owner: accountId, record: credentialId, purpose: PURPOSES.dataKey });
export const credentialAd = (accountId: string, credentialId: string): AdFields => ({ owner: accountId, record: credentialId, purpose: PURPOSES.credential });
