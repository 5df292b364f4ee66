// One storage interface (DESIGN.md, STYLE habit 2); SQLite and PostgreSQL implement it and run the
// same contract suite (store.contract.ts). The store sees ciphertext and metadata only: nothing
// that reaches it can open a credential without a key held elsewhere.

export type Custody = 'sealed' | 'token-bound' | 'delegated';

export interface AccountRow {
  readonly id: string;
  readonly name: string;
  readonly kdfMemoryKiB: number;
  readonly kdfIterations: number;
  readonly salt: Uint8Array;
  readonly wrappedUserKey: Uint8Array;
  /** A server's Argon2id hash of the client's auth key; null for the local vault. */
  readonly authKeyHash: string | null;
  /** Optimistic-concurrency counter: every update names the revision it read. */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CredentialRow {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly exchange: string;
  readonly fingerprint: string;
  readonly custody: Custody;
  readonly ciphertext: Uint8Array;
  readonly wrappedDek: Uint8Array;
  readonly kekWrappedDek: Uint8Array | null;
  readonly kekId: string | null;
  readonly revision: number;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
}

export interface KeyWrapUpdate {
  readonly kdfMemoryKiB: number;
  readonly kdfIterations: number;
  readonly salt: Uint8Array;
  readonly wrappedUserKey: Uint8Array;
  readonly authKeyHash?: string | null;
  readonly updatedAt: number;
}

export interface CredentialUpdate {
  readonly ciphertext: Uint8Array;
  readonly wrappedDek: Uint8Array;
  readonly kekWrappedDek?: Uint8Array | null;
  readonly fingerprint: string;
  readonly rotatedAt: number;
}

export interface AccountRepo {
  insert(row: AccountRow): Promise<void>;
  findById(id: string): Promise<AccountRow | undefined>;
  findByName(name: string): Promise<AccountRow | undefined>;
  list(): Promise<AccountRow[]>;
  /** False (and nothing written) when the stored revision is no longer `expectedRevision`. */
  updateKeyWrap(id: string, expectedRevision: number, update: KeyWrapUpdate): Promise<boolean>;
}

export interface CredentialRepo {
  insert(row: CredentialRow): Promise<void>;
  findById(id: string): Promise<CredentialRow | undefined>;
  findByName(accountId: string, name: string): Promise<CredentialRow | undefined>;
  /** Ordered by name. */
  list(accountId: string): Promise<CredentialRow[]>;
  update(id: string, expectedRevision: number, update: CredentialUpdate): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

/** Per-credential nonce high-water marks, for exchanges whose nonces must only grow. */
export interface NonceRepo {
  get(credentialId: string): Promise<bigint | undefined>;
  /** Sets the mark to `next` only if it is still `expected` (undefined: no mark yet). */
  advance(credentialId: string, expected: bigint | undefined, next: bigint): Promise<boolean>;
}

export interface TokenRow {
  readonly accessor: string;
  readonly accountId: string;
  /** null for an account's root token. */
  readonly parentAccessor: string | null;
  /** A keyed hash of the token; the key is not in the database. */
  readonly hash: Uint8Array;
  readonly label: string;
  /** The policy as JSON text. */
  readonly policy: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  /** Uses remaining, or null for unlimited. */
  readonly usesLeft: number | null;
  readonly revokedAt: number | null;
}

export interface TokenRepo {
  insert(row: TokenRow): Promise<void>;
  findByHash(hash: Uint8Array): Promise<TokenRow | undefined>;
  findByAccessor(accessor: string): Promise<TokenRow | undefined>;
  list(accountId: string): Promise<TokenRow[]>;
  /** Marks the given tokens revoked (those not revoked already); returns how many changed. */
  revoke(accessors: readonly string[], at: number): Promise<number>;
  /** Takes one use of a use-limited token; false when none is left. Unlimited tokens: true. */
  consumeUse(accessor: string): Promise<boolean>;
}

export interface AuditRow {
  readonly accountId: string;
  readonly seq: number;
  readonly at: number;
  /** The record's canonical JSON. */
  readonly body: string;
  readonly link: Uint8Array;
}

export interface AuditRepo {
  append(rows: readonly AuditRow[]): Promise<void>;
  head(accountId: string): Promise<Pick<AuditRow, 'seq' | 'link'> | undefined>;
  /** Records in seq order from `fromSeq` (inclusive). */
  list(accountId: string, fromSeq?: number, limit?: number): Promise<AuditRow[]>;
}

export interface StoreTx {
  readonly accounts: AccountRepo;
  readonly credentials: CredentialRepo;
  readonly nonces: NonceRepo;
  readonly tokens: TokenRepo;
  readonly audit: AuditRepo;
}

export interface Store extends StoreTx {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * All or nothing: a throw inside `fn` rolls everything back. Inside `fn` use only `tx`: the
   * store's own methods wait for the connection the transaction holds (with SQLite, forever).
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Commits audit rows in a transaction of their own; rejects, writing nothing, when they cannot
   * be. The commit survives a crash of this process at once and reaches the disk with the next
   * WAL flush (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=off): a power failure can
   * lose the last milliseconds. SQLite does it on a worker thread, so the caller's event loop
   * never waits on the disk.
   */
  appendAudit(rows: readonly AuditRow[]): Promise<void>;
  /**
   * A counter that moves whenever any process inserts, changes or deletes a token row (a trigger
   * keeps it), read synchronously; for caches of token rows. null when the backend cannot answer
   * synchronously (then nothing may be cached).
   */
  tokenGeneration(): unknown;
}
