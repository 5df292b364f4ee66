// SQLite through better-sqlite3 and kysely: WAL (readers never block the writer), synchronous=FULL
// (a committed transaction survives power loss, not just a crash), files 0600 in a 0700 directory,
// and writers that take the lock up front (BEGIN IMMEDIATE) so two writers queue instead of
// deadlocking on a lock upgrade.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { KeywardError } from '@keyward/protocol/errors';
import type { Database } from '../schema.js';
import type { Store, StoreTx } from '../store.js';
import { createRepos, type ErrorMapper } from '../repos.js';
import { BOOKKEEPING_SQL, FORMAT_VERSION, checkNotNewer, pending } from '../migrations/migration.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';

export interface SqliteStoreOptions {
  readonly path: string;
  /** Create the file (and its directory) when missing; otherwise a missing file is an error. */
  readonly create: boolean;
  /** How long a writer waits for another writer before KW_VAULT_BUSY. */
  readonly busyTimeoutMs?: number;
}

function sqliteCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

export const sqliteErrors: ErrorMapper = {
  isUniqueViolation: (e) => sqliteCode(e).startsWith('SQLITE_CONSTRAINT_UNIQUE') || sqliteCode(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  map(e) {
    const code = sqliteCode(e);
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new KeywardError('KW_VAULT_BUSY', undefined, { cause: e });
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return new KeywardError('KW_VAULT_DAMAGED', undefined, { cause: e });
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') {
      return new KeywardError('KW_STORE_UNAVAILABLE', `The vault file cannot be written (${code}).`, { cause: e });
    }
    return e;
  },
};

/** Reads what the file holds before any write, so a damaged or newer vault is never touched. */
function inspect(db: BetterSqlite3.Database): { appliedMax: number; formatVersion: number | null } {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  if (tables.size === 0) return { appliedMax: 0, formatVersion: null };
  if (!tables.has('schema_migrations') || !tables.has('meta')) {
    throw new KeywardError('KW_VAULT_DAMAGED', 'This SQLite file is not a Keyward vault.');
  }
  const max = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  const fmt = db.prepare("SELECT value FROM meta WHERE key = 'format_version'").get() as { value: string } | undefined;
  return { appliedMax: max.v ?? 0, formatVersion: fmt === undefined ? null : Number(fmt.value) };
}

function migrate(db: BetterSqlite3.Database): void {
  const { appliedMax, formatVersion } = inspect(db);
  checkNotNewer(appliedMax, formatVersion, SQLITE_MIGRATIONS);
  const todo = pending(appliedMax, SQLITE_MIGRATIONS);
  if (todo.length === 0 && formatVersion !== null) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(BOOKKEEPING_SQL.sqlite);
    for (const m of todo) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('format_version', ?) ON CONFLICT (key) DO NOTHING").run(String(FORMAT_VERSION));
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

export interface SqliteStore extends Store {
  /** Reads a pragma on the store's own connection, for tests of its settings. */
  testOnlyPragma(name: string): unknown;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { path, create } = options;
  if (!create && !existsSync(path)) throw new KeywardError('KW_VAULT_NOT_FOUND', `There is no vault at ${path}.`);
  let raw: BetterSqlite3.Database;
  const oldMask = process.umask(0o077);
  try {
    if (create) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    raw = new BetterSqlite3(path, { fileMustExist: !create, timeout: options.busyTimeoutMs ?? 5000 });
    try {
      // Read first: a garbage or truncated file fails here, before any pragma that could write.
      inspect(raw);
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = FULL');
      raw.pragma('foreign_keys = ON');
      migrate(raw);
    } catch (e) {
      raw.close();
      throw e;
    }
  } catch (e) {
    throw sqliteErrors.map(e);
  } finally {
    process.umask(oldMask);
  }
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(f)) chmodSync(f, 0o600);
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  const repos = createRepos(db, sqliteErrors);
  return {
    kind: 'sqlite',
    ...repos,
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      try {
        // One connection for the whole transaction; IMMEDIATE takes the write lock at BEGIN.
        return await db.connection().execute(async (conn) => {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          try {
            const result = await fn(createRepos(conn, sqliteErrors));
            await sql`COMMIT`.execute(conn);
            return result;
          } catch (e) {
            await sql`ROLLBACK`.execute(conn);
            throw e;
          }
        });
      } catch (e) {
        throw sqliteErrors.map(e);
      }
    },
    close: () => db.destroy(),
    testOnlyPragma: (name) => raw.pragma(name, { simple: true }),
  };
}
