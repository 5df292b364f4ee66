// The audit rows' SQL, a main-thread connection for reads, and the recovery of journals whose
// writers are gone (audit-writer.ts runs it at every open of the store, before anyone reads the log).
import { readFileSync, unlinkSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import type { AuditRow } from '../store.js';
import { decodeRows, leftoverJournals } from './audit-journal.js';

export const INSERT = 'INSERT INTO audit_record (account_id, seq, at, body, link) VALUES (?, ?, ?, ?, ?)';
/** Rows per multi-row INSERT. */
export const ROWS_PER_STATEMENT = 64;

export const linkBytes = (link: Uint8Array): Buffer => Buffer.from(link.buffer, link.byteOffset, link.byteLength);

export interface AuditConnection {
  readonly db: BetterSqlite3.Database;
  insert(row: AuditRow): void;
  /** Store.tokenGeneration's row. */
  readonly generation: BetterSqlite3.Statement;
  /** An account's newest sequence number in the database. */
  readonly maxSeq: BetterSqlite3.Statement;
  /** The link stored for an account's sequence number. */
  readonly linkAt: BetterSqlite3.Statement;
}

/** A connection on the main thread: reads, and the recovery's writes at open. */
export function openConnection(path: string, busyTimeoutMs: number): AuditConnection {
  const db = new BetterSqlite3(path, { fileMustExist: true, timeout: busyTimeoutMs });
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  const insert = db.prepare(INSERT);
  return {
    db,
    insert: (r) => { insert.run(r.accountId, r.seq, r.at, r.body, linkBytes(r.link)); },
    generation: db.prepare("SELECT value FROM meta WHERE key = 'token_generation'").pluck(),
    maxSeq: db.prepare('SELECT max(seq) FROM audit_record WHERE account_id = ?').pluck(),
    linkAt: db.prepare('SELECT link FROM audit_record WHERE account_id = ? AND seq = ?').pluck(),
  };
}

/**
 * Moves the rows of journals whose writers are gone (a crash, a kill) into the database, skipping
 * those already there (a crash after an import, before the journal was removed). A row that is
 * there with another link means the journal and the database disagree: KW_VAULT_DAMAGED, and the
 * journal is left where it is for whoever investigates.
 */
export function recoverJournals(path: string, busyTimeoutMs: number): void {
  const files = leftoverJournals(path);
  if (files.length === 0) return;
  const conn = openConnection(path, busyTimeoutMs);
  try {
    for (const file of files) {
      let rows: AuditRow[];
      try {
        rows = decodeRows(readFileSync(file, 'utf8'));
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') continue; // another process recovered it first
        throw new KeywardError('KW_VAULT_DAMAGED', `The audit journal ${file} cannot be read.`, { cause: e });
      }
      conn.db.transaction(() => {
        for (const r of rows) {
          const there = conn.linkAt.get(r.accountId, r.seq) as Buffer | undefined;
          if (there === undefined) conn.insert(r);
          else if (!linkBytes(r.link).equals(there)) {
            throw new KeywardError('KW_VAULT_DAMAGED', `The audit journal ${file} disagrees with the database at ${r.accountId} #${String(r.seq)}.`);
          }
        }
      }).immediate();
      unlinkSync(file);
    }
  } finally {
    conn.db.close();
  }
}
