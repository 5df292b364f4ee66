// SQLite through better-sqlite3 and kysely: WAL (readers never block the writer), synchronous=FULL
// (a committed transaction survives power loss, not just a crash), files 0600 in a 0700 directory,
// and writers that take the lock up front (BEGIN IMMEDIATE) so two writers queue instead of
// deadlocking on a lock upgrade. better-sqlite3 is synchronous: a writer waiting for another
// process's lock blocks this thread for up to busyTimeoutMs.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KeywardError } from '@keyward/protocol/errors';
import type { Database } from '../schema.js';
import type { Store, StoreTx } from '../store.js';
import { createRepos, transactionScope } from '../repos.js';
import { createAuditWriter, recoverJournals } from './audit-writer.js';
import { checkNotNewer } from '../migrations/migration.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';
import { migrateSqlite, readState } from './sqlite-migrate.js';
import { sqliteErrors } from './sqlite-errors.js';

export interface SqliteStoreOptions {
  readonly path: string;
  /** Create the file (and its directory) when missing; otherwise a missing file is an error. */
  readonly create: boolean;
  /** How long a writer waits for another writer before KW_VAULT_BUSY. */
  readonly busyTimeoutMs?: number;
}

export interface SqliteStore extends Store {
  /** Reads a pragma on the store's own connection, for tests of its settings. */
  testOnlyPragma(name: string): unknown;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function setPragma(db: BetterSqlite3.Database, name: string, value: string, expected: unknown): void {
  const got = db.pragma(`${name} = ${value}`, { simple: true }) ?? db.pragma(name, { simple: true });
  // journal_mode answers with the mode in force; a file system without shared memory stays 'delete'.
  if (got !== expected) throw new KeywardError('KW_STORE_UNAVAILABLE', `SQLite refused ${name} = ${value} for the vault file.`);
}

/** Group and others lose access to files that existed before (umask covers only new ones). */
function tightenModes(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}

function openFile(options: SqliteStoreOptions): BetterSqlite3.Database {
  const { path, create } = options;
  // Files SQLite creates now (the database, -wal, -shm) are born 0600; SQLite gives -wal and -shm
  // created later the database file's own mode. Nothing awaits in here, so no other code runs
  // under this process-wide umask.
  const oldMask = process.umask(0o077);
  let raw: BetterSqlite3.Database | undefined;
  try {
    if (create) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    raw = new BetterSqlite3(path, { fileMustExist: !create, timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    // Read before any pragma that could write: a garbage, truncated, foreign or newer file fails
    // here, untouched.
    const state = readState(raw);
    if (state === null && !create) throw new KeywardError('KW_VAULT_DAMAGED', 'The vault file is empty.');
    if (state !== null) checkNotNewer(state, SQLITE_MIGRATIONS);
    setPragma(raw, 'journal_mode', 'WAL', 'wal');
    setPragma(raw, 'synchronous', 'FULL', 2);
    setPragma(raw, 'foreign_keys', 'ON', 1);
    migrateSqlite(raw, state);
    tightenModes(path);
    return raw;
  } catch (e) {
    raw?.close();
    throw sqliteErrors.map(e);
  } finally {
    process.umask(oldMask);
  }
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (!options.create && !existsSync(options.path)) throw new KeywardError('KW_VAULT_NOT_FOUND', `There is no vault at ${options.path}.`);
  const raw = openFile(options);
  // kysely prepares every query afresh; on the gateway's hot path (a token lookup per request)
  // preparing costs more than running. Statements are reusable, so cache them by their SQL.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const database = {
    close: () => raw.close(),
    prepare(text: string): BetterSqlite3.Statement {
      let st = statements.get(text);
      if (st === undefined) {
        if (statements.size >= 500) statements.clear();
        st = raw.prepare(text);
        statements.set(text, st);
      }
      return st;
    },
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  // The statements every transaction runs, prepared once.
  const control = {
    begin: raw.prepare('BEGIN IMMEDIATE'),
    commit: raw.prepare('COMMIT'),
    rollback: raw.prepare('ROLLBACK'),
  };
  // Audit rows go to a journal first and into the database in batches (audit-writer.ts); what a
  // writer that is gone left in its journal goes in now, before anyone reads the log.
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  try {
    recoverJournals(options.path, busyTimeoutMs);
  } catch (e) {
    raw.close();
    throw sqliteErrors.map(e);
  }
  const auditWriter = createAuditWriter({ path: options.path, busyTimeoutMs, mapError: (e) => sqliteErrors.map(e) });
  const repos = createRepos(db, sqliteErrors);
  return {
    kind: 'sqlite',
    ...repos,
    // Reads of the log see what waits in the journal too.
    audit: {
      ...repos.audit,
      head: async (accountId) => auditWriter.pendingHead(accountId) ?? repos.audit.head(accountId),
      async list(accountId, fromSeq = 1, limit = 1_000_000) {
        // Taken before the database is read: a row that goes in meanwhile is in one or the other.
        const waiting = auditWriter.pendingRows(accountId, fromSeq);
        const rows = await repos.audit.list(accountId, fromSeq, limit);
        if (rows.length >= limit) return rows;
        const last = rows.at(-1)?.seq ?? fromSeq - 1;
        return [...rows, ...waiting.filter((r) => r.seq > last).slice(0, limit - rows.length)];
      },
    },
    async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      try {
        // One connection for the whole transaction (kysely queues other callers behind it).
        return await db.connection().execute(async (conn) => {
          // kysely's connection lock is held here, so the raw statements run on this transaction.
          control.begin.run();
          const scope = transactionScope();
          try {
            const result = await fn(createRepos(conn, sqliteErrors, scope.assertOpen));
            control.commit.run();
            return result;
          } catch (e) {
            // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has rolled back already; a
            // second ROLLBACK would fail and hide the first error.
            if (raw.inTransaction) control.rollback.run();
            throw e;
          } finally {
            scope.end();
          }
        });
      } catch (e) {
        throw sqliteErrors.map(e);
      }
    },
    close: async () => {
      await auditWriter.close();
      await db.destroy();
    },
    // Read again only when the WAL index shows a commit (audit-writer.ts, wal-index.ts).
    tokenGeneration: () => auditWriter.tokenGeneration(),
    appendAudit: (rows) => auditWriter.append(rows),
    flushAudit: () => auditWriter.flush(),
    testOnlyPragma: (name) => raw.pragma(name, { simple: true }),
  };
}
