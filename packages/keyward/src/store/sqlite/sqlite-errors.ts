// SQLite driver errors → KeywardErrors, at the store's edge. Only errors that come from the driver
// or the file system are mapped; anything else (a caller's own throw inside a transaction) passes
// through untouched. SQLite's messages name tables and constraints, never bound values, so the
// original error may ride along as `cause` without carrying row contents.
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import type { ErrorMapper, UniqueIndex } from '../repos.js';

const FS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EIO']);

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

function isUniqueViolation(e: unknown, index?: UniqueIndex): boolean {
  if (!(e instanceof BetterSqlite3.SqliteError) || (e.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY')) return false;
  // SQLite names the index by its columns: "UNIQUE constraint failed: account.email".
  return index === undefined || e.message.endsWith(`: ${index.columns.map((c) => `${index.table}.${c}`).join(', ')}`);
}

export const sqliteErrors: ErrorMapper = {
  isUniqueViolation,
  map(e) {
    const code = codeOf(e);
    if (!(e instanceof BetterSqlite3.SqliteError)) {
      return FS_CODES.has(code) ? new KeywardError('KW_STORE_UNAVAILABLE', `The vault file cannot be opened or written (${code}).`, { cause: e }) : e;
    }
    const opts = { cause: e };
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new KeywardError('KW_VAULT_BUSY', undefined, opts);
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return new KeywardError('KW_VAULT_DAMAGED', undefined, opts);
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')
      || code === 'SQLITE_FULL' || code.startsWith('SQLITE_PERM')) {
      return new KeywardError('KW_STORE_UNAVAILABLE', `The vault file cannot be opened or written (${code}).`, opts);
    }
    // A unique violation the repository did not expect: another writer got there first.
    if (isUniqueViolation(e)) return new KeywardError('KW_VAULT_CONFLICT', `The database refused a duplicate (${code}).`, opts);
    if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG') {
      return new KeywardError('KW_INPUT_INVALID', `The database refused the row (${code}).`, opts);
    }
    return new KeywardError('KW_INTERNAL_ERROR', `Database error (${code || 'unknown'}).`, opts);
  },
};
