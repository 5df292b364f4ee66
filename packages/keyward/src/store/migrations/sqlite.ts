// SQLite migrations, in order. Never edit a released one: add the next. The PostgreSQL file
// must describe the same tables and columns (migrations.test.ts compares the live schemas).
import type { Migration } from './migration.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE account (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        salt BLOB NOT NULL,
        wrapped_user_key BLOB NOT NULL,
        auth_key_hash TEXT,
        revision INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE credential (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        exchange TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        custody TEXT NOT NULL CHECK (custody IN ('sealed', 'token-bound', 'delegated')),
        ciphertext BLOB NOT NULL,
        wrapped_dek BLOB NOT NULL,
        kek_wrapped_dek BLOB,
        kek_id TEXT,
        revision INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        rotated_at INTEGER,
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
        hash BLOB NOT NULL UNIQUE,
        label TEXT NOT NULL,
        policy TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        uses_left INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX token_parent ON token (parent_accessor);
      CREATE INDEX token_account ON token (account_id);
      CREATE TABLE audit_record (
        account_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL,
        link BLOB NOT NULL,
        PRIMARY KEY (account_id, seq)
      );
    `,
  },
  {
    version: 4,
    name: 'token-generation',
    // A counter that moves with every change to a token, so a process can cache token rows and
    // know, with one cheap read, when another process (the CLI revoking) changed any of them.
    sql: `
      INSERT INTO meta (key, value) VALUES ('token_generation', '0') ON CONFLICT (key) DO NOTHING;
      CREATE TRIGGER token_generation_insert AFTER INSERT ON token BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'token_generation';
      END;
      CREATE TRIGGER token_generation_update AFTER UPDATE ON token BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'token_generation';
      END;
      CREATE TRIGGER token_generation_delete AFTER DELETE ON token BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'token_generation';
      END;
    `,
  },
  {
    version: 5,
    name: 'server-accounts',
    // Server accounts: sign-in address, user-key check and address allowlist on the account;
    // second factors, sessions (stored by a keyed hash of the cookie only), notifications,
    // token-bound key shares, credential permission checks, and server-wide binary values. The
    // binary values get a table of their own (server_meta): the bookkeeping table meta holds
    // text, read before any migration, and a MetaRepo key must never overwrite format_version.
    sql: `
      ALTER TABLE account ADD COLUMN email TEXT;
      ALTER TABLE account ADD COLUMN user_key_check BLOB;
      ALTER TABLE account ADD COLUMN ip_allowlist TEXT;
      CREATE UNIQUE INDEX account_email ON account (email);
      CREATE TABLE second_factor (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('totp', 'recovery', 'passkey')),
        label TEXT NOT NULL,
        secret BLOB NOT NULL,
        credential_id TEXT,
        counter INTEGER,
        last_step INTEGER,
        transports TEXT,
        created_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX second_factor_account ON second_factor (account_id);
      CREATE UNIQUE INDEX second_factor_credential ON second_factor (credential_id);
      CREATE TABLE session (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        reauth_at INTEGER,
        ip TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        device TEXT NOT NULL,
        csrf BLOB NOT NULL,
        ended_at INTEGER,
        end_reason TEXT
      );
      CREATE INDEX session_account ON session (account_id, created_at);
      CREATE TABLE notification (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        read_at INTEGER,
        emailed_at INTEGER
      );
      CREATE INDEX notification_account ON notification (account_id, at);
      CREATE TABLE token_credential_key (
        token_accessor TEXT NOT NULL REFERENCES token (accessor) ON DELETE CASCADE,
        credential_id TEXT NOT NULL REFERENCES credential (id) ON DELETE CASCADE,
        server_share BLOB NOT NULL,
        kek_id TEXT NOT NULL,
        wrapped_dek BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (token_accessor, credential_id)
      );
      CREATE INDEX token_credential_key_credential ON token_credential_key (credential_id);
      CREATE TABLE credential_check (
        credential_id TEXT PRIMARY KEY REFERENCES credential (id) ON DELETE CASCADE,
        checked_at INTEGER NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        result TEXT NOT NULL
      );
      CREATE TABLE server_meta (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
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
        at INTEGER NOT NULL,
        quote TEXT NOT NULL,
        total TEXT NOT NULL,
        PRIMARY KEY (account_id, at)
      );
    `,
  },
];
