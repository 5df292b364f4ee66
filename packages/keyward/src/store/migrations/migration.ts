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

/** What a database says about itself; read before any write. */
export interface DbState {
  readonly appliedMax: number;
  /** null: no format recorded yet (a new database, or one whose first migration never committed). */
  readonly formatVersion: number | null;
}

export const EMPTY_STATE: DbState = { appliedMax: 0, formatVersion: null };

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

/** A stored format_version that is not a positive integer was not written by any Keyward. */
export function parseFormatVersion(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new KeywardError('KW_VAULT_DAMAGED', 'The vault format version is unreadable.');
  return Number(value);
}

/** Throws KW_VAULT_TOO_NEW when the database is ahead of this code. */
export function checkNotNewer(state: DbState, known: readonly Migration[]): void {
  const knownMax = Math.max(0, ...known.map((m) => m.version));
  const { appliedMax, formatVersion } = state;
  if (appliedMax > knownMax || (formatVersion !== null && formatVersion > FORMAT_VERSION)) {
    throw new KeywardError('KW_VAULT_TOO_NEW', `The vault was written by a newer Keyward (format ${String(formatVersion ?? '?')}, schema ${String(appliedMax)}); this version reads format ${String(FORMAT_VERSION)}, schema ${String(knownMax)}.`);
  }
}

/** The next migration to apply, one transaction each; undefined when the schema is current. */
export function nextMigration(state: DbState, known: readonly Migration[]): Migration | undefined {
  return known.filter((m) => m.version > state.appliedMax).sort((a, b) => a.version - b.version)[0];
}

/** True when opening needs no write at all (so a read-only open never takes the write lock). */
export function isCurrent(state: DbState, known: readonly Migration[]): boolean {
  return state.formatVersion !== null && nextMigration(state, known) === undefined;
}
