// The three custody modes of a server credential (DESIGN.md "Custody modes", docs/server.md):
// who can unwrap its data key, and the functions that do it. The ciphertext never changes between
// modes; only the set of wrappings of its data key does.
//   sealed       the user key wraps the DEK: only while the owner has handed the user key to a session.
//   token-bound  a key made of a server share (KEK-wrapped) and a share derived from one bot token
//                wraps the DEK: the database with the KEK, or the token alone, opens nothing.
//   delegated    the KEK also wraps the DEK: the server can sign while the owner is away.
import { LABELS, PURPOSES, type AdFields } from '@keyward/protocol/key-hierarchy';
import { SecureBuffer, deriveSubkey, hmac, releaseAll, unwrapKey, wrapKey } from '../crypto/index.js';
import type { KeyEncryptionKey } from '../kms/index.js';
import type { CredentialRow, Custody, TokenKeyRow } from '../store/index.js';
import type { CredentialSecrets } from './credential-secrets.js';
import { dataKeyAd, openCredential, openCredentialWithDek } from './local-vault.js';

/** What the API and the docs say, per mode, about who can open a key and when. */
export function whoCanOpen(custody: Custody): string {
  switch (custody) {
    case 'sealed':
      return 'Only you: the server can use this key only while one of your sessions is signed in and unlocked, and forgets it when the session ends.';
    case 'token-bound':
      return 'A bot token bound to it, together with the server: each token issued for this key carries half of what opens it; neither the server nor the token alone can. Also usable while you are signed in.';
    case 'delegated':
      return "The server, at any time: its key-encryption key also wraps this key, so automation runs while you are away. Someone with both the database and the server's key-encryption key could open it.";
  }
}

/** HMAC-SHA256(user key, LABELS.userKeyCheck): stored at sign-up so a server recognises its account's user key. */
export function userKeyCheckOf(userKey: SecureBuffer): Buffer {
  return hmac('sha256', userKey, Buffer.from(LABELS.userKeyCheck));
}

type Sealed = Pick<CredentialRow, 'id' | 'accountId' | 'ciphertext' | 'wrappedDek'>;

/** Sealed custody (and the owner's own access in every mode): the user key opens it. */
export function openSealed(userKey: SecureBuffer, row: Sealed): CredentialSecrets {
  return openCredential(userKey, row);
}

/** Delegated custody: the DEK, unwrapped with the user key, wrapped again by the KEK. */
export async function delegateCredential(userKey: SecureBuffer, kek: KeyEncryptionKey, row: Sealed): Promise<{ kekWrappedDek: Uint8Array; kekId: string }> {
  const dek = unwrapKey(userKey, row.wrappedDek, dataKeyAd(row.accountId, row.id));
  try {
    return { kekWrappedDek: await kek.wrap(dek, dataKeyAd(row.accountId, row.id)), kekId: kek.id };
  } finally {
    dek.release();
  }
}

export async function openDelegated(kek: KeyEncryptionKey, row: Sealed & Pick<CredentialRow, 'kekWrappedDek'>): Promise<CredentialSecrets> {
  if (row.kekWrappedDek === null) throw new TypeError('credential is not delegated');
  const dek = await kek.unwrap(row.kekWrappedDek, dataKeyAd(row.accountId, row.id));
  try {
    return openCredentialWithDek(dek, row);
  } finally {
    dek.release();
  }
}

export const bindingAd = (accountId: string, credentialId: string, accessor: string, purpose: AdFields['purpose']): AdFields =>
  ({ owner: accountId, record: `${credentialId}/${accessor}`, purpose });

/** The wrapping key of one token binding: HKDF over the server share and the token's share. */
function bindingKey(serverShare: SecureBuffer, token: SecureBuffer): SecureBuffer {
  const tokenShare = deriveSubkey(token, LABELS.tokenShare);
  const both = SecureBuffer.alloc(64);
  try {
    both.reveal((b) => serverShare.reveal((s) => tokenShare.reveal((t) => { b.set(s, 0); b.set(t, 32); })));
    return deriveSubkey(both, LABELS.tokenBinding);
  } finally {
    releaseAll(tokenShare, both);
  }
}

export interface TokenBinding {
  readonly serverShare: Uint8Array;
  readonly kekId: string;
  readonly wrappedDek: Uint8Array;
}

/** Token-bound custody: binds a credential to one token (whose value the caller has only at issue). */
export async function bindCredentialToToken(userKey: SecureBuffer, kek: KeyEncryptionKey, row: Sealed, accessor: string, token: SecureBuffer): Promise<TokenBinding> {
  const dek = unwrapKey(userKey, row.wrappedDek, dataKeyAd(row.accountId, row.id));
  const share = SecureBuffer.random(32);
  const key = bindingKey(share, token);
  try {
    return {
      serverShare: await kek.wrap(share, bindingAd(row.accountId, row.id, accessor, PURPOSES.tokenShare)),
      kekId: kek.id,
      wrappedDek: wrapKey(key, dek, bindingAd(row.accountId, row.id, accessor, PURPOSES.dataKey)),
    };
  } finally {
    releaseAll(dek, share, key);
  }
}

/** Opens a token-bound credential with the token that was presented; KW_CRYPTO_OPEN_FAILED for any other. */
export async function openTokenBound(kek: KeyEncryptionKey, row: Sealed, binding: Pick<TokenKeyRow, 'tokenAccessor' | 'serverShare' | 'wrappedDek'>, token: string): Promise<CredentialSecrets> {
  const share = await kek.unwrap(binding.serverShare, bindingAd(row.accountId, row.id, binding.tokenAccessor, PURPOSES.tokenShare));
  const tokenBytes = SecureBuffer.from(Buffer.from(token, 'utf8'), { wipeSource: true });
  const key = bindingKey(share, tokenBytes);
  let dek: SecureBuffer | null = null;
  try {
    dek = unwrapKey(key, binding.wrappedDek, bindingAd(row.accountId, row.id, binding.tokenAccessor, PURPOSES.dataKey));
    return openCredentialWithDek(dek, row);
  } finally {
    releaseAll(share, tokenBytes, key, dek);
  }
}
