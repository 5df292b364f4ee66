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
];
