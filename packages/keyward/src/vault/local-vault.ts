// The single-person vault behind the `keyward` CLI and the desktop agent. It is the only code that
// turns a password into usable credentials: password -> (Argon2id, HKDF) -> encryption key ->
// user key -> one data key per credential -> credential (DESIGN.md "Key hierarchy").
// Every write is one conditional UPDATE or INSERT (optimistic revision check), so a crash at any
// moment leaves either the old or the new state, and a concurrent writer is detected, never
// silently overwritten.
import { randomUUID } from 'node:crypto';
import {
  KDF_SALT_BYTES, LABELS, PURPOSES, isWeakerThan, strongerOf, type AdFields, type KdfParams,
} from '@keyward/protocol/key-hierarchy';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import {
  SecureBuffer, createHmacKey, deriveSubkey, derivePasswordKeys, openEnvelope, randomBytes, sealEnvelope, unwrapKey, wrapKey,
  releaseAll,
} from '../crypto/index.js';
import type { AccountRow, CredentialRow, Store } from '../store/index.js';
import { decodeCredential, encodeCredential, type CredentialInput, type CredentialSecrets } from './credential-secrets.js';

/** The local vault's one account. A server keeps many accounts in the same tables. */
export const LOCAL_ACCOUNT_NAME = 'local';

export interface LocalVaultDeps {
  readonly store: Store;
  /** Parameters for new wraps; stored parameters weaker than these are raised at unlock. */
  readonly kdfDefaults: KdfParams;
  readonly now: () => number;
}

export interface CredentialSummary {
  readonly id: string;
  readonly name: string;
  readonly exchange: string;
  readonly fingerprint: string;
  readonly custody: CredentialRow['custody'];
  readonly createdAt: number;
  readonly rotatedAt: number | null;
}

export interface UnlockResult {
  readonly vault: UnlockedVault;
  /** Set when the stored KDF parameters were below the defaults and have been raised. */
  readonly raisedKdf: { from: KdfParams; to: KdfParams } | null;
}

export const userKeyAd = (accountId: string): AdFields => ({ owner: accountId, record: accountId, purpose: PURPOSES.userKey });
export const dataKeyAd = (accountId: string, credentialId: string): AdFields => ({ owner: accountId, record: credentialId, purpose: PURPOSES.dataKey });
export const credentialAd = (accountId: string, credentialId: string): AdFields => ({ owner: accountId, record: credentialId, purpose: PURPOSES.credential });

export function kdfOf(row: Pick<AccountRow, 'kdfMemoryKiB' | 'kdfIterations'>): KdfParams {
  return { algorithm: 'argon2id13', memoryKiB: row.kdfMemoryKiB, iterations: row.kdfIterations, parallelism: 1 };
}

export function summarize(row: CredentialRow): CredentialSummary {
  return {
    id: row.id, name: row.name, exchange: row.exchange, fingerprint: row.fingerprint,
    custody: row.custody, createdAt: row.createdAt, rotatedAt: row.rotatedAt,
  };
}

/** Wraps a user key under a password with fresh salt: the fields an account row stores. */
export function wrapUserKeyWithPassword(password: SecureBuffer, userKey: SecureBuffer, accountId: string, params: KdfParams): {
  salt: Buffer; wrappedUserKey: Buffer; kdfMemoryKiB: number; kdfIterations: number;
} {
  const salt = randomBytes(KDF_SALT_BYTES);
  const keys = derivePasswordKeys(password, salt, params);
  try {
    return {
      salt, wrappedUserKey: wrapKey(keys.encryptionKey, userKey, userKeyAd(accountId)),
      kdfMemoryKiB: params.memoryKiB, kdfIterations: params.iterations,
    };
  } finally {
    keys.release();
  }
}

/** Opens the user key of an account row, or fails with KW_VAULT_WRONG_PASSWORD. */
export function unwrapUserKeyWithPassword(password: SecureBuffer, account: AccountRow): SecureBuffer {
  if (account.salt.length !== KDF_SALT_BYTES) throw new KeywardError('KW_VAULT_DAMAGED', 'The vault key record is malformed (salt length).');
  const keys = derivePasswordKeys(password, account.salt, kdfOf(account));
  try {
    return unwrapKey(keys.encryptionKey, account.wrappedUserKey, userKeyAd(account.id));
  } catch (e) {
    if (isKeywardError(e) && e.code === 'KW_CRYPTO_OPEN_FAILED') throw new KeywardError('KW_VAULT_WRONG_PASSWORD');
    throw e;
  } finally {
    keys.release();
  }
}

/** A keyed fingerprint: shows whether two credentials hold the same key, and nothing else. */
function fingerprintOf(userKey: SecureBuffer, encoded: SecureBuffer): string {
  const fpKey = deriveSubkey(userKey, LABELS.fingerprintKey);
  const mac = createHmacKey('sha256', fpKey);
  fpKey.release();
  try {
    const hex = encoded.reveal((e) => mac.digest(e)).subarray(0, 6).toString('hex');
    return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
  } finally {
    mac.release();
  }
}

/** Seals a credential under a fresh data key: the fields a credential row stores. */
export function sealCredential(userKey: SecureBuffer, accountId: string, credentialId: string, input: CredentialInput): {
  ciphertext: Buffer; wrappedDek: Buffer; fingerprint: string;
} {
  const encoded = encodeCredential(input);
  const dek = SecureBuffer.random(32);
  try {
    return {
      ciphertext: sealEnvelope(dek, encoded, credentialAd(accountId, credentialId)),
      wrappedDek: wrapKey(userKey, dek, dataKeyAd(accountId, credentialId)),
      fingerprint: fingerprintOf(userKey, encoded),
    };
  } finally {
    releaseAll(encoded, dek);
  }
}

/** Opens a credential row; any failure is KW_CRYPTO_OPEN_FAILED (altered or moved ciphertext). */
export function openCredential(userKey: SecureBuffer, row: Pick<CredentialRow, 'id' | 'accountId' | 'ciphertext' | 'wrappedDek'>): CredentialSecrets {
  const dek = unwrapKey(userKey, row.wrappedDek, dataKeyAd(row.accountId, row.id));
  try {
    return openCredentialWithDek(dek, row);
  } finally {
    dek.release();
  }
}

/** Opens a credential's ciphertext with its data key, however that key was unwrapped (custody.ts). */
export function openCredentialWithDek(dek: SecureBuffer, row: Pick<CredentialRow, 'id' | 'accountId' | 'ciphertext'>): CredentialSecrets {
  let plain: SecureBuffer | null = null;
  try {
    plain = openEnvelope(dek, row.ciphertext, credentialAd(row.accountId, row.id));
    return decodeCredential(plain);
  } finally {
    releaseAll(plain);
  }
}

export function createLocalVault(deps: LocalVaultDeps) {
  const { store, kdfDefaults, now } = deps;

  async function account(): Promise<AccountRow> {
    const row = await store.accounts.findByName(LOCAL_ACCOUNT_NAME);
    if (row === undefined) throw new KeywardError('KW_VAULT_NOT_FOUND');
    return row;
  }

  async function credentialRow(accountId: string, name: string): Promise<CredentialRow> {
    const row = await store.credentials.findByName(accountId, name);
    if (row === undefined) throw new KeywardError('KW_CREDENTIAL_NOT_FOUND', `No credential named "${name}".`);
    return row;
  }

  function unlocked(initial: AccountRow, userKey: SecureBuffer): UnlockedVault {
    let acct = initial;
    const live = (): SecureBuffer => {
      if (userKey.isReleased) throw new KeywardError('KW_VAULT_LOCKED');
      return userKey;
    };
    return {
      accountId: acct.id,
      async add(name, exchange, input) {
        const id = randomUUID();
        const sealed = sealCredential(live(), acct.id, id, input);
        const t = now();
        await store.credentials.insert({
          id, accountId: acct.id, name, exchange, custody: 'sealed', kekWrappedDek: null, kekId: null,
          revision: 1, createdAt: t, rotatedAt: null, ...sealed,
        });
        return { id, name, exchange, fingerprint: sealed.fingerprint, custody: 'sealed', createdAt: t, rotatedAt: null };
      },
      async rotate(name, input) {
        const row = await credentialRow(acct.id, name);
        const sealed = sealCredential(live(), acct.id, row.id, input);
        const t = now();
        const ok = await store.credentials.update(row.id, row.revision, { ...sealed, kekWrappedDek: null, rotatedAt: t });
        if (!ok) throw new KeywardError('KW_VAULT_CONFLICT');
        return { ...summarize(row), fingerprint: sealed.fingerprint, rotatedAt: t };
      },
      async open(name) {
        return openCredential(live(), await credentialRow(acct.id, name));
      },
      async openAll() {
        const rows = await store.credentials.list(acct.id);
        const out = new Map<string, CredentialSecrets>();
        try {
          for (const row of rows) out.set(row.name, openCredential(live(), row));
        } catch (e) {
          for (const s of out.values()) s.release();
          throw e;
        }
        return out;
      },
      async changePassword(newPassword) {
        const params = strongerOf(kdfOf(acct), kdfDefaults);
        const wrap = wrapUserKeyWithPassword(newPassword, live(), acct.id, params);
        const ok = await store.accounts.updateKeyWrap(acct.id, acct.revision, { ...wrap, updatedAt: now() });
        if (!ok) throw new KeywardError('KW_VAULT_CONFLICT');
        acct = { ...acct, ...wrap, revision: acct.revision + 1 };
      },
      withUserKey(fn) {
        return fn(live(), acct);
      },
      deriveKey(label) {
        return deriveSubkey(live(), label);
      },
      lock() {
        userKey.release();
      },
    };
  }

  return {
    async exists(): Promise<boolean> {
      return (await store.accounts.findByName(LOCAL_ACCOUNT_NAME)) !== undefined;
    },

    async init(password: SecureBuffer): Promise<void> {
      if (await this.exists()) throw new KeywardError('KW_VAULT_EXISTS');
      const id = randomUUID();
      const userKey = SecureBuffer.random(32);
      try {
        const wrap = wrapUserKeyWithPassword(password, userKey, id, kdfDefaults);
        const t = now();
        await store.accounts.insert({ id, name: LOCAL_ACCOUNT_NAME, authKeyHash: null, email: null, userKeyCheck: null, ipAllowlist: null, revision: 1, createdAt: t, updatedAt: t, ...wrap });
      } finally {
        userKey.release();
      }
    },

    async list(): Promise<CredentialSummary[]> {
      const acct = await account();
      return (await store.credentials.list(acct.id)).map(summarize);
    },

    async show(name: string): Promise<CredentialSummary> {
      const acct = await account();
      return summarize(await credentialRow(acct.id, name));
    },

    async kdfParams(): Promise<KdfParams> {
      return kdfOf(await account());
    },

    /** Removing needs no password: it destroys, it does not reveal. */
    async remove(name: string): Promise<void> {
      const acct = await account();
      const row = await credentialRow(acct.id, name);
      if (!(await store.credentials.remove(row.id))) throw new KeywardError('KW_VAULT_CONFLICT');
    },

    async unlock(password: SecureBuffer): Promise<UnlockResult> {
      let acct = await account();
      const userKey = unwrapUserKeyWithPassword(password, acct);
      let raisedKdf: UnlockResult['raisedKdf'] = null;
      const stored = kdfOf(acct);
      if (isWeakerThan(stored, kdfDefaults)) {
        // DESIGN.md: stored parameters are raised on the next unlock when the defaults have grown.
        const target = strongerOf(stored, kdfDefaults);
        const wrap = wrapUserKeyWithPassword(password, userKey, acct.id, target);
        if (await store.accounts.updateKeyWrap(acct.id, acct.revision, { ...wrap, updatedAt: now() })) {
          acct = { ...acct, ...wrap, revision: acct.revision + 1 };
          raisedKdf = { from: stored, to: target };
        }
      }
      return { vault: unlocked(acct, userKey), raisedKdf };
    },
  };
}

export type LocalVault = ReturnType<typeof createLocalVault>;

export interface UnlockedVault {
  readonly accountId: string;
  add(name: string, exchange: string, input: CredentialInput): Promise<CredentialSummary>;
  rotate(name: string, input: CredentialInput): Promise<CredentialSummary>;
  open(name: string): Promise<CredentialSecrets>;
  openAll(): Promise<Map<string, CredentialSecrets>>;
  changePassword(newPassword: SecureBuffer): Promise<void>;
  /** For backup export/import inside vault/: the user key and the current account row. */
  withUserKey<T>(fn: (userKey: SecureBuffer, account: AccountRow) => T): T;
  /** A 32-byte subkey of the user key for one labelled purpose (LABELS in protocol). */
  deriveKey(label: string): SecureBuffer;
  /** Wipes the user key; every later call fails with KW_VAULT_LOCKED. */
  lock(): void;
}
