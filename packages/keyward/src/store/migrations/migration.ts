// Migration bookkeeping shared by both backends. Every database records the migrations applied
// (schema_migrations) and the vault format (meta.format_version). A database from a newer Keyward
// (a higher version of either) is refused before anything is written.
import { KeywardError } from '@keyward/protocol/errors';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The vault format this code reads and writes. */
export const FORMAT_VERSION = 1;

export const BOOKKEEPING_SQL = {
  sqlite: `
    CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  postgres: `
    CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
};

/** Throws KW_VAULT_TOO_NEW when the database is ahead of this code. */
export function checkNotNewer(appliedMax: number, formatVersion: number | null, known: readonly Migration[]): void {
  const knownMax = Math.max(0, ...known.map((m) => m.version));
  if (appliedMax > knownMax || (formatVersion !== null && formatVersion > FORMAT_VERSION)) {
    throw new KeywardError('KW_VAULT_TOO_NEW', `The vault was written by a newer Keyward (format ${String(formatVersion ?? '?')}, schema ${String(appliedMax)}); this version reads format ${String(FORMAT_VERSION)}, schema ${String(knownMax)}.`);
  }
}

export function pending(appliedMax: number, known: readonly Migration[]): Migration[] {
  return known.filter((m) => m.version > appliedMax).sort((a, b) => a.version - b.version);
}
