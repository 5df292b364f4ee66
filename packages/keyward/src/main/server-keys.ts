// The server's signing keys (docs/server.md "Custody modes"): a credential is opened into a
// KeyHandle in secure memory only when it may be, and each handle is remembered only while that
// stays true. Sealed: while one of the owner's sessions holds the user key. Delegated: while the
// credential stays delegated (the KEK opens it). Token-bound: for the token that presented its
// share, until that token is revoked. Every wipe path (sign-out, session end, revocation,
// break-glass, custody change, removal) ends in `forget`.
import type { SecureBuffer } from '../crypto/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { SigningCredential } from '../gateway/index.js';
import type { KeyEncryptionKey } from '../kms/index.js';
import type { CredentialRow, Store } from '../store/index.js';
import { createKeyHandle, openDelegated, openSealed, openTokenBound, type CredentialSecrets, type KeyHandle } from '../vault/index.js';

interface Cached {
  readonly revision: number;
  readonly custody: CredentialRow['custody'];
  /** For token-bound handles: the token whose share opened it. */
  readonly accessor: string | null;
  readonly credential: SigningCredential;
}

export interface ServerKeysDeps {
  readonly store: Pick<Store, 'credentials' | 'tokenKeys'>;
  readonly kek: KeyEncryptionKey;
  /** A live user key of the account (any unlocked session), or undefined. */
  readonly userKeyOf: (accountId: string) => SecureBuffer | undefined;
}

export function createServerKeys(deps: ServerKeysDeps) {
  // account -> cache key -> handle
  const cache = new Map<string, Map<string, Cached>>();

  const handleOf = (row: CredentialRow, secrets: CredentialSecrets): KeyHandle => {
    const adapter = adapterFor(row.exchange);
    if (adapter === undefined) throw new Error(`no adapter for ${row.exchange}`);
    return createKeyHandle(secrets, { secretEncoding: adapter.secretEncoding });
  };

  function remember(accountId: string, key: string, entry: Cached): SigningCredential {
    let m = cache.get(accountId);
    if (m === undefined) cache.set(accountId, (m = new Map()));
    m.get(key)?.credential.key.release();
    m.set(key, entry);
    return entry.credential;
  }

  /** Opens a credential row now, with whatever this custody mode allows; undefined when it cannot. */
  async function open(row: CredentialRow, token: { accessor: string; value: string } | null): Promise<{ handle: KeyHandle; accessor: string | null } | undefined> {
    if (row.custody === 'delegated' && row.kekWrappedDek !== null) {
      const secrets = await openDelegated(deps.kek, row);
      try {
        return { handle: handleOf(row, secrets), accessor: null };
      } finally {
        secrets.release();
      }
    }
    if (row.custody === 'token-bound' && token !== null) {
      const binding = await deps.store.tokenKeys.find(token.accessor, row.id);
      if (binding !== undefined) {
        const secrets = await openTokenBound(deps.kek, row, binding, token.value);
        try {
          return { handle: handleOf(row, secrets), accessor: token.accessor };
        } finally {
          secrets.release();
        }
      }
    }
    const userKey = deps.userKeyOf(row.accountId);
    if (userKey === undefined) return undefined;
    const secrets = openSealed(userKey, row);
    try {
      return { handle: handleOf(row, secrets), accessor: null };
    } finally {
      secrets.release();
    }
  }

  /**
   * The credential a token's policy names, ready to sign. Sealed credentials sign while the owner is
   * unlocked whatever the token; token-bound ones also for the token bound to them.
   */
  async function forSigning(accountId: string, name: string, token: { accessor: string; value: string } | null): Promise<SigningCredential | undefined> {
    const row = await deps.store.credentials.findByName(accountId, name);
    if (row === undefined) return undefined;
    const cacheKey = row.custody === 'token-bound' && token !== null ? `${row.id}/${token.accessor}` : row.id;
    const hit = cache.get(accountId)?.get(cacheKey);
    const sealedLocked = deps.userKeyOf(accountId) === undefined;
    if (hit !== undefined && hit.revision === row.revision && hit.custody === row.custody && !(hit.accessor === null && row.custody !== 'delegated' && sealedLocked)) {
      return hit.credential;
    }
    if (hit !== undefined) forget(accountId, row.id);
    const opened = await open(row, token);
    if (opened === undefined) return undefined;
    return remember(accountId, cacheKey, {
      revision: row.revision, custody: row.custody, accessor: opened.accessor,
      credential: { id: row.id, name: row.name, exchange: row.exchange, key: opened.handle },
    });
  }

  /** Wipes handles: of one credential, of one token's bindings, or all of an account's. */
  function forget(accountId: string, credentialId?: string, accessors?: readonly string[]): void {
    const m = cache.get(accountId);
    if (m === undefined) return;
    for (const [k, v] of m) {
      const match = (credentialId === undefined && accessors === undefined)
        || (credentialId !== undefined && v.credential.id === credentialId)
        || (accessors !== undefined && v.accessor !== null && accessors.includes(v.accessor));
      if (match) {
        v.credential.key.release();
        m.delete(k);
      }
    }
    if (m.size === 0) cache.delete(accountId);
  }

  /** Sealed handles of an account whose last unlocked session ended. */
  function forgetSealed(accountId: string): void {
    const m = cache.get(accountId);
    if (m === undefined) return;
    for (const [k, v] of m) {
      if (v.custody === 'sealed' || (v.custody === 'token-bound' && v.accessor === null)) {
        v.credential.key.release();
        m.delete(k);
      }
    }
  }

  function close(): void {
    for (const accountId of [...cache.keys()]) forget(accountId);
  }

  return { open, forSigning, forget, forgetSealed, close, size: () => [...cache.values()].reduce((n, m) => n + m.size, 0) };
}

export type ServerKeys = ReturnType<typeof createServerKeys>;
