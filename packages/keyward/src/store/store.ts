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
  /** Server accounts: the sign-in address, stored lower-cased and unique; null for the local vault. */
  readonly email: string | null;
  /** HMAC of the user key (LABELS.userKeyCheck), so the server can tell a handed-over user key is this account's. */
  readonly userKeyCheck: Uint8Array | null;
  /** CIDRs allowed to sign in and use the app API; null: any address. */
  readonly ipAllowlist: readonly string[] | null;
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
  /** Case-insensitive (addresses are stored lower-cased). */
  findByEmail(email: string): Promise<AccountRow | undefined>;
  /** False when there is no such account; throws KW_ACCOUNT_EXISTS when another account has the address. */
  setEmail(id: string, email: string): Promise<boolean>;
  setIpAllowlist(id: string, cidrs: readonly string[] | null): Promise<boolean>;
}

export interface CredentialRepo {
  insert(row: CredentialRow): Promise<void>;
  findById(id: string): Promise<CredentialRow | undefined>;
  findByName(accountId: string, name: string): Promise<CredentialRow | undefined>;
  /** Ordered by name. */
  list(accountId: string): Promise<CredentialRow[]>;
  update(id: string, expectedRevision: number, update: CredentialUpdate): Promise<boolean>;
  /**
   * Changes custody (and the KEK-wrapped data key that delegated custody needs; null otherwise),
   * bumping the revision; false when the stored revision is no longer `expectedRevision`.
   */
  setCustody(id: string, expectedRevision: number, custody: Custody, kekWrappedDek: Uint8Array | null, kekId: string | null): Promise<boolean>;
  /** Every credential in this custody mode, across accounts (e.g. delegated ones for KEK rotation). */
  listByCustody(custody: Custody): Promise<CredentialRow[]>;
  /** Removing a credential also removes its checks and token bindings. */
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
  /** Replaces a live token's policy JSON; false when the token is unknown or revoked. */
  setPolicy(accessor: string, policy: string): Promise<boolean>;
  /** Break-glass: revokes every live token of the account, root included, in one statement; returns how many. */
  revokeAll(accountId: string, at: number): Promise<number>;
}

export type SecondFactorKind = 'totp' | 'recovery' | 'passkey';

export interface SecondFactorRow {
  readonly id: string;
  readonly accountId: string;
  readonly kind: SecondFactorKind;
  readonly label: string;
  /** totp: the sealed seed; recovery: the code's keyed hash; passkey: the COSE public key. */
  readonly secret: Uint8Array;
  /** passkey: the credential id (base64url); null otherwise. */
  readonly credentialId: string | null;
  /** passkey: the signature counter; null otherwise. */
  readonly counter: number | null;
  /** totp: the last accepted time step (a code is accepted once); null otherwise. */
  readonly lastStep: number | null;
  /** passkey: transports as JSON text; null otherwise. */
  readonly transports: string | null;
  readonly createdAt: number;
  /** recovery: when it was used (then it is spent); others: last use. */
  readonly usedAt: number | null;
}

export interface SecondFactorRepo {
  insert(row: SecondFactorRow): Promise<void>;
  /** Ordered by creation time, then id. */
  list(accountId: string): Promise<SecondFactorRow[]>;
  findByCredentialId(credentialId: string): Promise<SecondFactorRow | undefined>;
  /** Records step `step` as used only if it is later than the last one (atomic); false: replay. */
  advanceTotpStep(id: string, step: number): Promise<boolean>;
  /** Spends an unused recovery code (atomic); false when it was already used. */
  consumeRecovery(id: string, at: number): Promise<boolean>;
  /** Raises a passkey's counter and use time; false when the counter did not grow (unless both are 0). */
  updatePasskeyCounter(id: string, counter: number, at: number): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  removeKind(accountId: string, kind: SecondFactorKind): Promise<number>;
}

export interface SessionRow {
  /** Keyed hash (hex) of the cookie value; the cookie itself is never stored. */
  readonly id: string;
  readonly accountId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  /** When the password was last confirmed in this session. */
  readonly reauthAt: number | null;
  readonly ip: string;
  readonly userAgent: string;
  /** Keyed hash (hex) of the device cookie. */
  readonly device: string;
  /** Keyed hash of the session's CSRF token. */
  readonly csrf: Uint8Array;
  readonly endedAt: number | null;
  readonly endReason: string | null;
}

export interface SessionRepo {
  insert(row: SessionRow): Promise<void>;
  findById(id: string): Promise<SessionRow | undefined>;
  /** Newest first, ended ones included (the last 100). */
  list(accountId: string): Promise<SessionRow[]>;
  touch(id: string, at: number): Promise<void>;
  setReauth(id: string, at: number): Promise<void>;
  setCsrf(id: string, csrf: Uint8Array): Promise<void>;
  /** Ends a live session; false when it was already ended or unknown. */
  end(id: string, at: number, reason: string): Promise<boolean>;
  /** Ends every live session of the account except `exceptId`; returns how many. */
  endAll(accountId: string, at: number, reason: string, exceptId?: string): Promise<number>;
  /** Has this device (hash) ever had a session on the account? */
  knownDevice(accountId: string, device: string): Promise<boolean>;
  knownAddress(accountId: string, ip: string): Promise<boolean>;
}

export interface NotificationRow {
  readonly id: string;
  readonly accountId: string;
  readonly at: number;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly readAt: number | null;
  readonly emailedAt: number | null;
}

export interface NotificationRepo {
  insert(row: NotificationRow): Promise<void>;
  /** Newest first; at most `limit` (default 50). */
  list(accountId: string, options?: { limit?: number; unreadOnly?: boolean }): Promise<NotificationRow[]>;
  /** Marks the account's notifications read (only its own); returns how many changed. */
  markRead(accountId: string, ids: readonly string[], at: number): Promise<number>;
  markEmailed(id: string, at: number): Promise<void>;
  unreadCount(accountId: string): Promise<number>;
}

/** Token-bound custody: the server's half of a key split between a token and the server. */
export interface TokenKeyRow {
  readonly tokenAccessor: string;
  readonly credentialId: string;
  /** The server's share, wrapped by the KEK. */
  readonly serverShare: Uint8Array;
  readonly kekId: string;
  /** The credential's data key wrapped by the key the two shares make together. */
  readonly wrappedDek: Uint8Array;
  readonly createdAt: number;
}

export interface TokenKeyRepo {
  insert(row: TokenKeyRow): Promise<void>;
  find(tokenAccessor: string, credentialId: string): Promise<TokenKeyRow | undefined>;
  listForCredential(credentialId: string): Promise<TokenKeyRow[]>;
  /** Removes the bindings of these tokens (revocation); returns how many. */
  removeForTokens(accessors: readonly string[]): Promise<number>;
  removeForCredential(credentialId: string): Promise<number>;
}

/** The latest permission check of a credential (one row per credential, replaced each time). */
export interface CredentialCheckRow {
  readonly credentialId: string;
  readonly checkedAt: number;
  readonly ok: boolean;
  /** JSON: permissions, warnings, refusal. */
  readonly result: string;
}

export interface CredentialCheckRepo {
  put(row: CredentialCheckRow): Promise<void>;
  get(credentialId: string): Promise<CredentialCheckRow | undefined>;
  /** Credentials whose last check is older than `before`, or never checked; server accounts only. */
  listDue(before: number): Promise<CredentialRow[]>;
}

/** Small server-wide values (e.g. the KEK-wrapped server secret). */
export interface MetaRepo {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Writes only when the key is absent; returns the value now stored (first writer wins). */
  putIfAbsent(key: string, value: Uint8Array): Promise<Uint8Array>;
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

/** An account's portfolio value at one moment, in one quote (migration 6). */
export interface PortfolioSnapshotRow {
  readonly accountId: string;
  /** Epoch ms; with the account, the key: one snapshot per account and moment. */
  readonly at: number;
  readonly quote: string;
  /** A plain decimal string ("123456.78"): exact, whatever the backend. */
  readonly total: string;
}

export interface PortfolioSnapshotRepo {
  /** Idempotent per account and `at`: a second row for the same moment changes nothing (false). */
  record(row: PortfolioSnapshotRow): Promise<boolean>;
  /** Oldest first; `since` inclusive; `quote` filters; at most `limit` (default 1000), the oldest of the range. */
  list(accountId: string, options?: { since?: number; limit?: number; quote?: string }): Promise<PortfolioSnapshotRow[]>;
  /** The newest snapshot of the account (in `quote` when given); undefined when there is none. */
  latest(accountId: string, quote?: string): Promise<PortfolioSnapshotRow | undefined>;
}

export interface StoreTx {
  readonly accounts: AccountRepo;
  readonly credentials: CredentialRepo;
  readonly nonces: NonceRepo;
  readonly tokens: TokenRepo;
  readonly audit: AuditRepo;
  readonly secondFactors: SecondFactorRepo;
  readonly sessions: SessionRepo;
  readonly notifications: NotificationRepo;
  readonly tokenKeys: TokenKeyRepo;
  readonly credentialChecks: CredentialCheckRepo;
  readonly meta: MetaRepo;
  readonly portfolioSnapshots: PortfolioSnapshotRepo;
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
   * Records audit rows durably, all or nothing, and rejects, writing nothing, when they cannot be
   * or a row's sequence number is not past its account's newest. Durable means: surviving a crash
   * of this process at once, and a power failure once the kernel or the database next flushes (a
   * power failure can lose the last milliseconds). SQLite appends them to a journal file first and
   * a worker thread moves them into the database in batches (sqlite/audit-writer.ts);
   * PostgreSQL commits them with synchronous_commit=off.
   */
  appendAudit(rows: readonly AuditRow[]): Promise<void>;
  /**
   * Resolves once every audit row appended before the call is in the database, so that another
   * process reading it sees them (await it before writing a checkpoint that names them).
   */
  flushAudit(): Promise<void>;
  /**
   * A counter that moves whenever any process inserts, changes or deletes a token row (a trigger
   * keeps it), read synchronously; for caches of token rows. null when the backend cannot answer
   * synchronously (then nothing may be cached).
   */
  tokenGeneration(): unknown;
}
