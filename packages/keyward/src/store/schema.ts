// The tables as kysely sees them (snake_case columns), shared by both backends.
import type { Custody, SecondFactorKind } from './store.js';

export interface AccountTable {
  id: string;
  name: string;
  kdf_memory_kib: number;
  kdf_iterations: number;
  salt: Uint8Array;
  wrapped_user_key: Uint8Array;
  auth_key_hash: string | null;
  /** Lower-cased; unique. */
  email: string | null;
  user_key_check: Uint8Array | null;
  /** JSON array of CIDRs. */
  ip_allowlist: string | null;
  revision: number;
  created_at: number;
  updated_at: number;
}

export interface CredentialTable {
  id: string;
  account_id: string;
  name: string;
  exchange: string;
  fingerprint: string;
  custody: Custody;
  ciphertext: Uint8Array;
  wrapped_dek: Uint8Array;
  kek_wrapped_dek: Uint8Array | null;
  kek_id: string | null;
  revision: number;
  created_at: number;
  rotated_at: number | null;
}

/** The highest nonce a credential may have used (a decimal string: nonces exceed 2^53). */
export interface CredentialNonceTable {
  credential_id: string;
  high_water: string;
}

export interface TokenTable {
  accessor: string;
  account_id: string;
  parent_accessor: string | null;
  hash: Uint8Array;
  label: string;
  policy: string;
  created_at: number;
  expires_at: number | null;
  uses_left: number | null;
  revoked_at: number | null;
}

export interface AuditRecordTable {
  account_id: string;
  seq: number;
  at: number;
  body: string;
  link: Uint8Array;
}

export interface SecondFactorTable {
  id: string;
  account_id: string;
  kind: SecondFactorKind;
  label: string;
  secret: Uint8Array;
  credential_id: string | null;
  counter: number | null;
  last_step: number | null;
  transports: string | null;
  created_at: number;
  used_at: number | null;
}

export interface SessionTable {
  id: string;
  account_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  reauth_at: number | null;
  ip: string;
  user_agent: string;
  device: string;
  csrf: Uint8Array;
  ended_at: number | null;
  end_reason: string | null;
}

export interface NotificationTable {
  id: string;
  account_id: string;
  at: number;
  kind: string;
  title: string;
  body: string;
  read_at: number | null;
  emailed_at: number | null;
}

export interface TokenCredentialKeyTable {
  token_accessor: string;
  credential_id: string;
  server_share: Uint8Array;
  kek_id: string;
  wrapped_dek: Uint8Array;
  created_at: number;
}

export interface CredentialCheckTable {
  credential_id: string;
  checked_at: number;
  /** 0 or 1 (SQLite has no boolean, and the two schemas are the same). */
  ok: number;
  result: string;
}

/** MetaRepo's values; `meta` below is the migrations' own bookkeeping (text). */
export interface ServerMetaTable {
  key: string;
  value: Uint8Array;
}

export interface PortfolioSnapshotTable {
  account_id: string;
  at: number;
  quote: string;
  /** A plain decimal as text: both backends keep it exactly. */
  total: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  account: AccountTable;
  credential: CredentialTable;
  credential_nonce: CredentialNonceTable;
  token: TokenTable;
  audit_record: AuditRecordTable;
  second_factor: SecondFactorTable;
  session: SessionTable;
  notification: NotificationTable;
  token_credential_key: TokenCredentialKeyTable;
  credential_check: CredentialCheckTable;
  server_meta: ServerMetaTable;
  portfolio_snapshot: PortfolioSnapshotTable;
  meta: MetaTable;
  schema_migrations: SchemaMigrationTable;
}
