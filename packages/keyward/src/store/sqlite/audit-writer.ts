// Audit commits (Store.appendAudit), on two connections of their own, both synchronous=NORMAL,
// so a commit writes the WAL into the page cache and never waits for the disk:
// - in place, on this thread: batches are committed at once. Handing a batch to another thread
//   and back costs more than the commit itself (bench/gateway.bench.ts, at 2 and 32 connections
//   alike), and the batches grow with the load. The busy timeout is zero: when any other
//   connection holds the write lock, nothing blocks the event loop, the batch goes to the worker.
// - a worker thread: for the batches that must wait (the lock is taken elsewhere, or a batch
//   or a checkpoint is already there, so order is kept), and for the WAL checkpoints: the audit
//   connections do not checkpoint on commit, so the copy into the database and its fsyncs happen
//   off the gateway's thread.
// The in-place connection also answers Store.tokenGeneration: the gateway reads it on every request,
// and a connection that did not write the last commit must drop its page cache and read the
// pages again (20 µs a request at 2 connections, when the audit commits on another connection).
// The worker sees only audit rows: records carry no secrets, and the MAC chain is computed on the
// main thread, where the key lives.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { AuditRow } from '../store.js';

const INSERT = 'INSERT INTO audit_record (account_id, seq, at, body, link) VALUES (?, ?, ?, ?, ?)';
/** Rows per multi-row INSERT: a batch up to this size is one statement (atomic on its own). */
const ROWS_PER_STATEMENT = 64;
/**
 * A checkpoint after this many audit commits or rows, whichever comes first: about the WAL size
 * (1,000 pages) at which SQLite's own automatic checkpoint would have run.
 */
const CHECKPOINT_COMMITS = 300;
const CHECKPOINT_ROWS = 2000;

// Runs as CommonJS in the worker (eval), so it needs no file of its own beside the compiled code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma('journal_mode = WAL');
// NORMAL in WAL mode: a commit survives a crash of the process at once, a power failure once the
// WAL is next flushed (see audit/audit-log.ts).
db.pragma('synchronous = NORMAL');
// Checkpoints run when the main thread asks (below), not inside a commit.
db.pragma('wal_autocheckpoint = 0');
const insert = db.prepare(${JSON.stringify(INSERT)});
const write = db.transaction((rows) => {
  for (const r of rows) insert.run(r.accountId, r.seq, r.at, r.body, Buffer.from(r.link));
});
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  if (m.checkpoint) {
    // PASSIVE: never waits for readers or writers; what it cannot copy now, the next one will.
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    parentPort.postMessage({ id: m.id });
    return;
  }
  try {
    write.immediate(m.rows);
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, code: typeof e.code === 'string' ? e.code : 'ERROR' });
  }
});
`;

export interface AuditWriter {
  append(rows: readonly AuditRow[]): Promise<void>;
  /** Store.tokenGeneration, read on the in-place connection; null when it cannot be read. */
  tokenGeneration(): unknown;
  close(): Promise<void>;
}

const linkBytes = (link: Uint8Array): Buffer => Buffer.from(link.buffer, link.byteOffset, link.byteLength);

/** `mapError` turns a driver error into the store's KeywardError. */
export function createAuditWriter(path: string, busyTimeoutMs: number, mapError: (e: unknown) => unknown): AuditWriter {
  // The worker reports only a code: rebuilt as the driver's own error, it maps like any other.
  const driverError = (code: string): unknown => mapError(new BetterSqlite3.SqliteError(`audit write failed (${code})`, code));
  let worker: Worker | null = null;
  let nextId = 0;
  let inFlight = 0;
  // While a checkpoint runs, batches queue behind it on the worker instead of being committed in
  // place: a WAL that gains no frames while it is copied is rewound by the next commit, and stays
  // small; one that keeps growing under the checkpoint never is.
  let checkpointing = false;
  let commitsSinceCheckpoint = 0;
  let rowsSinceCheckpoint = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();

  let inPlace: { db: BetterSqlite3.Database; write: (rows: readonly AuditRow[]) => void; generation: BetterSqlite3.Statement } | null = null;
  const openInPlace = (): NonNullable<typeof inPlace> => {
    const db = new BetterSqlite3(path, { fileMustExist: true, timeout: 0 });
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    // One statement per up to ROWS_PER_STATEMENT rows (fewer calls into SQLite than a row each).
    const statements: BetterSqlite3.Statement[] = [];
    const insertRows = (rows: readonly AuditRow[]): void => {
      const n = rows.length;
      let st = statements[n];
      if (st === undefined) {
        st = db.prepare(`${INSERT}${', (?, ?, ?, ?, ?)'.repeat(n - 1)}`);
        statements[n] = st;
      }
      const params: unknown[] = [];
      for (const r of rows) params.push(r.accountId, r.seq, r.at, r.body, linkBytes(r.link));
      st.run(params);
    };
    const inChunks = db.transaction((rows: readonly AuditRow[]) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) insertRows(rows.slice(i, i + ROWS_PER_STATEMENT));
    });
    return {
      db,
      generation: db.prepare("SELECT value FROM meta WHERE key = 'token_generation'").pluck(),
      write(rows) {
        if (rows.length <= ROWS_PER_STATEMENT) insertRows(rows);
        else inChunks.immediate(rows);
      },
    };
  };

  const failAll = (e: unknown): void => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, busyTimeoutMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    w.on('message', (m: { id: number; code?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (p === undefined) return;
      if (m.code === undefined) p.resolve();
      else p.reject(driverError(m.code));
    });
    w.on('error', (e) => failAll(driverError((e as { code?: string }).code ?? 'ERROR')));
    w.on('exit', () => failAll(driverError('SQLITE_CANTOPEN')));
    return w;
  };

  const committed = (rows: number): void => {
    commitsSinceCheckpoint++;
    rowsSinceCheckpoint += rows;
    if (commitsSinceCheckpoint < CHECKPOINT_COMMITS && rowsSinceCheckpoint < CHECKPOINT_ROWS) return;
    commitsSinceCheckpoint = 0;
    rowsSinceCheckpoint = 0;
    worker ??= start();
    const id = nextId++;
    checkpointing = true;
    const done = (): void => { checkpointing = false; };
    pending.set(id, { resolve: done, reject: done });
    worker.postMessage({ id, checkpoint: true });
  };

  /** true when committed here; false when the write lock is held elsewhere (then the worker waits for it). */
  const commitInPlace = (rows: readonly AuditRow[]): boolean => {
    try {
      inPlace ??= openInPlace();
      inPlace.write(rows);
      return true;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return false;
      throw mapError(e);
    }
  };

  const viaWorker = (rows: readonly AuditRow[]): Promise<void> => {
    worker ??= start();
    const id = nextId++;
    inFlight++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, {
        resolve: () => {
          inFlight--;
          committed(rows.length);
          resolve();
        },
        reject: (e) => {
          inFlight--;
          reject(e);
        },
      });
      worker?.postMessage({ id, rows });
    });
  };

  return {
    append(rows) {
      if (rows.length === 0) return Promise.resolve();
      if (inFlight === 0 && !checkpointing) {
        try {
          if (commitInPlace(rows)) {
            committed(rows.length);
            return Promise.resolve();
          }
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return viaWorker(rows);
    },
    tokenGeneration() {
      try {
        inPlace ??= openInPlace();
        return inPlace.generation.get() ?? null;
      } catch {
        // Unknown: the caller then caches nothing.
        return null;
      }
    },
    async close() {
      inPlace?.db.close();
      inPlace = null;
      const w = worker;
      worker = null;
      if (w === null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.postMessage({ close: true });
      await exited;
    },
  };
}
