// PostgreSQL migrations: the same tables and columns as sqlite.ts, in PostgreSQL's types.
import type { Migration } from './migration.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE account (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        salt BYTEA NOT NULL,
        wrapped_user_key BYTEA NOT NULL,
        auth_key_hash TEXT,
        revision INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE credential (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        exchange TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        custody TEXT NOT NULL CHECK (custody IN ('sealed', 'token-bound', 'delegated')),
        ciphertext BYTEA NOT NULL,
        wrapped_dek BYTEA NOT NULL,
        kek_wrapped_dek BYTEA,
        kek_id TEXT,
        revision INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        rotated_at BIGINT,
        UNIQUE (account_id, name)
      );
    `,
  },
  {
    version: 2,
    name: 'credential-nonce',
    sql: `
      CREATE TABLE credential_nonce (
        credential_id TEXT PRIMARY KEY REFERENCES credential (id) ON DELETE CASCADE,
        high_water TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'tokens-and-audit',
    sql: `
      CREATE TABLE token (
        accessor TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        parent_accessor TEXT,
        hash BYTEA NOT NULL UNIQUE,
        label TEXT NOT NULL,
        policy TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        uses_left INTEGER,
        revoked_at BIGINT
      );
      CREATE INDEX token_parent ON token (parent_accessor);
      CREATE INDEX token_account ON token (account_id);
      CREATE TABLE audit_record (
        account_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at BIGINT NOT NULL,
        body TEXT NOT NULL,
        link BYTEA NOT NULL,
        PRIMARY KEY (account_id, seq)
      );
    `,
  },
  {
    version: 4,
    name: 'token-generation',
    // The same counter as SQLite's migration 4 (see there).
    sql: `
      INSERT INTO meta (key, value) VALUES ('token_generation', '0') ON CONFLICT (key) DO NOTHING;
      CREATE FUNCTION keyward_token_generation() RETURNS trigger AS $$
      BEGIN
        UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'token_generation';
        RETURN NULL;
      END;
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER token_generation AFTER INSERT OR UPDATE OR DELETE ON token
        FOR EACH STATEMENT EXECUTE FUNCTION keyward_token_generation();
    `,
  },
];
