// The tables as kysely sees them (snake_case columns), shared by both backends.
import type { Custody } from './store.js';

export interface AccountTable {
  id: string;
  name: string;
  kdf_memory_kib: number;
  kdf_iterations: number;
  salt: Uint8Array;
  wrapped_user_key: Uint8Array;
  auth_key_hash: string | null;
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
  meta: MetaTable;
  schema_migrations: SchemaMigrationTable;
}
