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
  {
    version: 5,
    name: 'server-accounts',
    // The same tables as SQLite's migration 5 (see there).
    sql: `
      ALTER TABLE account ADD COLUMN email TEXT;
      ALTER TABLE account ADD COLUMN user_key_check BYTEA;
      ALTER TABLE account ADD COLUMN ip_allowlist TEXT;
      CREATE UNIQUE INDEX account_email ON account (email);
      CREATE TABLE second_factor (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('totp', 'recovery', 'passkey')),
        label TEXT NOT NULL,
        secret BYTEA NOT NULL,
        credential_id TEXT,
        counter BIGINT,
        last_step BIGINT,
        transports TEXT,
        created_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX second_factor_account ON second_factor (account_id);
      CREATE UNIQUE INDEX second_factor_credential ON second_factor (credential_id);
      CREATE TABLE session (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        reauth_at BIGINT,
        ip TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        device TEXT NOT NULL,
        csrf BYTEA NOT NULL,
        ended_at BIGINT,
        end_reason TEXT
      );
      CREATE INDEX session_account ON session (account_id, created_at);
      CREATE TABLE notification (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        read_at BIGINT,
        emailed_at BIGINT
      );
      CREATE INDEX notification_account ON notification (account_id, at);
      CREATE TABLE token_credential_key (
        token_accessor TEXT NOT NULL REFERENCES token (accessor) ON DELETE CASCADE,
        credential_id TEXT NOT NULL REFERENCES credential (id) ON DELETE CASCADE,
        server_share BYTEA NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_dek BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (token_accessor, credential_id)
      );
      CREATE INDEX token_credential_key_credential ON token_credential_key (credential_id);
      CREATE TABLE credential_check (
        credential_id TEXT PRIMARY KEY REFERENCES credential (id) ON DELETE CASCADE,
        checked_at BIGINT NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        result TEXT NOT NULL
      );
      CREATE TABLE server_meta (
        key TEXT PRIMARY KEY,
        value BYTEA NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'portfolio-snapshots',
    // The web app's portfolio value over time: one row per account and moment, in the quote it
    // was valued in. The total is a decimal kept as text, exact on both backends.
    sql: `
      CREATE TABLE portfolio_snapshot (
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        at BIGINT NOT NULL,
        quote TEXT NOT NULL,
        total TEXT NOT NULL,
        PRIMARY KEY (account_id, at)
      );
    `,
  },
];
