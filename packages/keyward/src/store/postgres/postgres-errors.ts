// PostgreSQL driver errors → KeywardErrors, at the store's edge. A server error's `detail` holds row
// values ("Key (name)=(…) already exists", "Failing row contains (…)": bytea columns included), so
// a mapped server error keeps only its SQLSTATE and the constraint's name, and never the original
// error as `cause`. Anything not from the driver (a caller's own throw) passes through untouched.
import pg from 'pg';
import { KeywardError } from '@keyward/protocol/errors';
import type { ErrorMapper, UniqueIndex } from '../repos.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);
// 08: connection exception; 57P01-03: server shutting down or starting; 53300: too many
// connections; 3D000: no such database; 28: authentication. All mean "cannot reach it" to a caller.
const UNREACHABLE_SQLSTATE = /^(08|28|57P0[123]$|53300$|3D000$)/;
// pg's own connection failures carry no code, only a message.
const CLIENT_CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

function isUniqueViolation(e: unknown, index?: UniqueIndex): boolean {
  return e instanceof pg.DatabaseError && e.code === '23505' && (index === undefined || e.constraint === index.name);
}

function unavailable(code: string, cause?: unknown): KeywardError {
  return new KeywardError('KW_STORE_UNAVAILABLE', `The database cannot be reached (${code}).`, cause === undefined ? undefined : { cause });
}

export const postgresErrors: ErrorMapper = {
  isUniqueViolation,
  map(e) {
    if (!(e instanceof pg.DatabaseError)) {
      const code = codeOf(e);
      if (NETWORK_CODES.has(code)) return unavailable(code, e);
      if (e instanceof Error && code === '' && CLIENT_CONNECTION_MESSAGE.test(e.message)) return unavailable('connection error', e);
      return e;
    }
    const code = e.code ?? '';
    const where = e.constraint === undefined ? code : `${code}, ${e.constraint}`;
    if (UNREACHABLE_SQLSTATE.test(code)) return unavailable(code);
    if (code === '40001' || code === '40P01' || code === '55P03') return new KeywardError('KW_VAULT_BUSY', `The database is busy (${code}).`);
    // A unique violation the repository did not expect: another writer got there first.
    if (code === '23505') return new KeywardError('KW_VAULT_CONFLICT', `The database refused a duplicate (${where}).`);
    if (code.startsWith('22') || code.startsWith('23')) return new KeywardError('KW_INPUT_INVALID', `The database refused the row (${where}).`);
    return new KeywardError('KW_INTERNAL_ERROR', `Database error (${where}).`);
  },
};
