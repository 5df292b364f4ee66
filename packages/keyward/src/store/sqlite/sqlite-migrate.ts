// Reading a SQLite file's state, and bringing its schema up to date, on the raw better-sqlite3
// connection (before kysely sees it). Reads come first and write nothing, so a damaged, foreign
// or newer file is refused untouched.
import type BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import { BOOKKEEPING_SQL, FORMAT_VERSION, checkNotNewer, isCurrent, nextMigration, parseFormatVersion, type DbState } from '../migrations/migration.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';

/** null: the file holds no tables at all (a new file, or one emptied by truncation). */
export function readState(db: BetterSqlite3.Database): DbState | null {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  if (tables.size === 0) return null;
  if (!tables.has('schema_migrations') || !tables.has('meta')) {
    throw new KeywardError('KW_VAULT_DAMAGED', 'This SQLite file is not a Keyward vault.');
  }
  const max = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  const fmt = db.prepare("SELECT value FROM meta WHERE key = 'format_version'").get() as { value: unknown } | undefined;
  return { appliedMax: max.v ?? 0, formatVersion: parseFormatVersion(fmt === undefined ? undefined : String(fmt.value)) };
}

/**
 * Applies pending migrations, one transaction each. Each takes the write lock first (BEGIN
 * IMMEDIATE) and reads the state again under it: another process may have migrated while this
 * one waited, and re-running its CREATE TABLEs would fail.
 */
export function migrateSqlite(db: BetterSqlite3.Database, initial: DbState | null): void {
  let state = initial;
  while (state === null || !isCurrent(state, SQLITE_MIGRATIONS)) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const locked = readState(db) ?? { appliedMax: 0, formatVersion: null };
      checkNotNewer(locked, SQLITE_MIGRATIONS);
      const next = nextMigration(locked, SQLITE_MIGRATIONS);
      db.exec(BOOKKEEPING_SQL.sqlite);
      if (next !== undefined) {
        db.exec(next.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(next.version, next.name, Date.now());
      }
      // With the first migration, so no vault ever exists without a format.
      db.prepare("INSERT INTO meta (key, value) VALUES ('format_version', ?) ON CONFLICT (key) DO NOTHING").run(String(FORMAT_VERSION));
      db.exec('COMMIT');
      state = { appliedMax: next?.version ?? locked.appliedMax, formatVersion: locked.formatVersion ?? FORMAT_VERSION };
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }
}
