// Audit commits (Store.appendAudit). A batch is first appended to a journal file (audit-journal.ts:
// one write of a few hundred bytes, about a microsecond, and the promise the gateway needs: written
// before the request is forwarded, surviving a crash of the process). Every IMPORT_MS, or at once
// past IMPORT_ROWS, the journal's rows are handed to a worker thread, which moves them into the
// database in one transaction, while a second journal takes the appends; once they are in, the
// first is emptied and waits to take its turn again.
// So the gateway's thread spends no time in SQLite for the audit: a commit per request cost 15-20
// µs there, plus 2-3 WAL pages (bench/gateway.bench.ts prices the whole audit against the gateway
// without it).
// The worker also runs the WAL checkpoints (the audit connection does not checkpoint on commit),
// between its imports, so the copy into the database and its fsyncs happen off the gateway's
// thread and never under a growing WAL. It waits for another writer's lock as long as a
// transaction would; the gateway's thread never does.
// The worker sees only audit rows: records carry no secrets, and the MAC chain is computed on the
// main thread, where the key lives. It runs 10 nice levels below the process (Linux): its work is
// never on a request's path, so the thread that forwards should win a contended CPU.
// A connection of the main thread answers Store.tokenGeneration (the gateway reads it on every
// request; it is read again only when wal-index.ts says the database may have changed) and the
// order checks.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import type { AuditRow } from '../store.js';
import { watchWalIndex } from './wal-index.js';
import { disownJournal, openJournal, otherWriter, removeJournal, type AuditJournal } from './audit-journal.js';
import { packRows, WORKER_SOURCE } from './audit-import-worker.js';
import { openConnection, type AuditConnection } from './audit-recovery.js';

export { recoverJournals } from './audit-recovery.js';

/** Journaled rows wait at most this long for the database... */
const IMPORT_MS = 100;
/** ...or until there are this many. */
const IMPORT_ROWS = 2048;
/**
 * Past this many rows not yet in the database (it is locked for a long time by another process),
 * appends are refused: the gateway then refuses requests rather than let the journal grow without end.
 */
const DEFAULT_MAX_PENDING = 100_000;
/**
 * A checkpoint after this many imports or rows, whichever comes first: about the WAL size (1,000
 * pages) at which SQLite's own automatic checkpoint would have run.
 */
const CHECKPOINT_COMMITS = 300;
const CHECKPOINT_ROWS = 8000;

export interface AuditWriter {
  append(rows: readonly AuditRow[]): Promise<void>;
  /** Resolves once every row appended before the call is in the database. */
  flush(): Promise<void>;
  /** The newest row of an account not yet in the database; undefined when there is none. */
  pendingHead(accountId: string): { seq: number; link: Buffer } | undefined;
  /** An account's rows not yet in the database, from `fromSeq` on, oldest first. */
  pendingRows(accountId: string, fromSeq: number): AuditRow[];
  /** Store.tokenGeneration; null when it cannot be read. */
  tokenGeneration(): unknown;
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  readonly path: string;
  /** How long the worker (and a recovery at open) waits for another writer's lock. */
  readonly busyTimeoutMs: number;
  /** Turns a driver or file error into the store's KeywardError. */
  readonly mapError: (e: unknown) => unknown;
  readonly maxPending?: number;
}

/** Rows handed to the worker, and the journal that holds them until they are in. */
interface Batch { readonly id: number; readonly journal: AuditJournal; readonly rows: readonly AuditRow[] }

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const { path, busyTimeoutMs, mapError } = options;
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const driverError = (code: string): unknown => mapError(new BetterSqlite3.SqliteError(`audit write failed (${code})`, code));
  let reader: AuditConnection | null = null;
  const walIndex = watchWalIndex(`${path}-shm`);
  /** The generation read when the WAL index looked as walIndex remembers it; undefined: read again. */
  let generation: unknown;
  const read = (): AuditConnection => (reader ??= openConnection(path, 0));

  let journal: AuditJournal | null = null;
  /** An empty journal, for the next hand-over. */
  let spare: AuditJournal | null = null;
  /** Rows in `journal`, not yet handed over. */
  let pending: AuditRow[] = [];
  /** The one batch the worker has (one at a time keeps the rows in order). */
  let inFlight: Batch | null = null;
  let appended = 0;
  let imported = 0;
  const waiters: { upTo: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** Per account, the newest sequence number written (in the database or a journal). */
  const newest = new Map<string, number>();
  /** Set when rows can never go into the database (another writer took their numbers). */
  let broken: unknown = null;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let nextId = 0;
  let importsSinceCheckpoint = 0;
  let rowsSinceCheckpoint = 0;

  let worker: Worker | null = null;
  const startWorker = (): Worker => {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, busyTimeoutMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    w.on('message', (m: { id: number; code?: string }) => { answered(m); });
    // A worker that died takes no batch with it: the batch is sent again to a new one.
    const died = (): void => {
      if (worker !== w) return;
      worker = null;
      if (inFlight !== null) answered({ id: inFlight.id, code: 'SQLITE_CANTOPEN' });
    };
    w.on('error', died);
    w.on('exit', died);
    return w;
  };

  const settle = (): void => {
    const done = waiters.filter((w) => w.upTo <= imported);
    if (done.length === 0) return;
    waiters.splice(0, waiters.length, ...waiters.filter((w) => w.upTo > imported));
    for (const w of done) w.resolve(); // in the order they came
  };
  const failWaiters = (e: unknown): void => {
    for (const w of waiters.splice(0)) w.reject(e);
  };

  const send = (batch: Batch): void => {
    importsSinceCheckpoint++;
    rowsSinceCheckpoint += batch.rows.length;
    const checkpoint = importsSinceCheckpoint >= CHECKPOINT_COMMITS || rowsSinceCheckpoint >= CHECKPOINT_ROWS;
    if (checkpoint) {
      importsSinceCheckpoint = 0;
      rowsSinceCheckpoint = 0;
    }
    worker ??= startWorker();
    // Keeps the process alive while a batch is out, retries included (unref'd once it is in: an
    // idle worker never holds a process open; rows a process leaves behind are recovered at the
    // next open).
    worker.ref();
    // Moved, not copied: a retry packs the batch again.
    const { packed, transfer } = packRows(batch.rows);
    worker.postMessage({ id: batch.id, rows: packed, checkpoint }, transfer);
  };

  /** Hands the journal's rows to the worker, unless it has a batch already; the spare takes the appends. */
  function handOver(): void {
    clearTimeout(timer);
    timer = undefined;
    if (inFlight !== null || pending.length === 0 || journal === null || broken !== null) return;
    inFlight = { id: nextId++, journal, rows: pending };
    journal = spare;
    spare = null;
    pending = [];
    send(inFlight);
  }

  function answered(m: { id: number; code?: string }): void {
    const batch = inFlight;
    if (batch === null || m.id !== batch.id) return;
    if (m.code === undefined) {
      inFlight = null;
      worker?.unref();
      imported += batch.rows.length;
      try {
        batch.journal.clear();
        if (spare === null) spare = batch.journal;
        else retire(batch.journal);
      } catch {
        // Its rows are in; a journal that cannot be emptied is left for recovery, which skips them.
        batch.journal.seal();
        disownJournal(batch.journal.path);
      }
      settle();
      if (pending.length >= IMPORT_ROWS || waiters.length > 0 || closing) handOver();
      else if (pending.length > 0) timer ??= setTimeout(handOver, IMPORT_MS).unref();
      return;
    }
    if (m.code.startsWith('SQLITE_CONSTRAINT')) {
      // Their sequence numbers are taken: these rows can never be linked in. Stop writing; the
      // journals stay on disk, and the next open of the store reports them (KW_VAULT_DAMAGED).
      broken = driverError(m.code);
      failWaiters(broken);
      worker?.unref();
      return;
    }
    // The lock held past the busy timeout, a full disk: the same batch again in a while; at close,
    // what is left stays in its journals for the next open.
    if (closing) {
      failWaiters(driverError(m.code));
      return;
    }
    setTimeout(() => { if (inFlight === batch) send(batch); }, IMPORT_MS).unref();
  }

  /** The rows' accounts' newest numbers after them; throws when a row does not come after what is there. */
  const checkOrder = (rows: readonly AuditRow[]): Map<string, number> => {
    const after = new Map<string, number>();
    for (const r of rows) {
      let last = after.get(r.accountId) ?? newest.get(r.accountId);
      if (last === undefined) {
        last = Number(read().maxSeq.get(r.accountId) ?? 0);
        newest.set(r.accountId, last);
      }
      if (!(r.seq > last)) throw driverError('SQLITE_CONSTRAINT_PRIMARYKEY');
      after.set(r.accountId, r.seq);
    }
    return after;
  };

  let claimed = false;
  /**
   * A journal to append to. The first one also claims the log: this writer keeps the heads of the
   * chains it writes, so a second process writing the same database would fork them (two rows
   * with one number, found only when the second goes in). Its journal shows it is there.
   */
  const claimJournal = (): AuditJournal => {
    const j = openJournal(path);
    if (claimed) return j;
    const other = otherWriter(path, [j.path]);
    if (other !== undefined) {
      retire(j);
      throw new KeywardError('KW_VAULT_BUSY', `Another Keyward process (pid ${String(other)}) is writing this vault's audit log; stop it first.`);
    }
    claimed = true;
    return j;
  };

  /** An empty journal no longer needed. */
  const retire = (j: AuditJournal): void => {
    j.seal();
    removeJournal(j.path);
  };

  const waiting = (): number => pending.length + (inFlight?.rows.length ?? 0);

  const flush = (): Promise<void> => {
    if (broken !== null) return Promise.reject(broken);
    if (imported >= appended) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiters.push({ upTo: appended, resolve, reject });
      handOver();
    });
  };

  return {
    append(rows) {
      if (rows.length === 0) return Promise.resolve();
      if (broken !== null) return Promise.reject(broken);
      if (closing) return Promise.reject(driverError('SQLITE_MISUSE'));
      if (waiting() + rows.length > maxPending) return Promise.reject(driverError('SQLITE_BUSY'));
      try {
        journal ??= claimJournal();
        const after = checkOrder(rows);
        journal.append(rows);
        for (const [accountId, seq] of after) newest.set(accountId, seq);
      } catch (e) {
        return Promise.reject(mapError(e));
      }
      for (const r of rows) pending.push(r);
      appended += rows.length;
      if (inFlight === null) {
        if (pending.length >= IMPORT_ROWS) setImmediate(handOver);
        else timer ??= setTimeout(handOver, IMPORT_MS).unref();
      }
      return Promise.resolve();
    },
    flush,
    pendingHead(accountId) {
      for (const rows of [pending, inFlight?.rows ?? []]) {
        for (let i = rows.length - 1; i >= 0; i--) {
          const r = rows[i];
          if (r?.accountId === accountId) return { seq: r.seq, link: Buffer.from(r.link) };
        }
      }
      return undefined;
    },
    pendingRows: (accountId, fromSeq) => [...(inFlight?.rows ?? []), ...pending].filter((r) => r.accountId === accountId && r.seq >= fromSeq),
    tokenGeneration() {
      const unchanged = walIndex.unchanged();
      if (unchanged && generation !== undefined) return generation;
      try {
        generation = read().generation.get() ?? null;
      } catch {
        // Unknown: the caller then caches nothing.
        generation = undefined;
        return null;
      }
      if (!unchanged) walIndex.remember();
      return generation;
    },
    async close() {
      closing = true;
      clearTimeout(timer);
      try {
        await flush();
      } catch { /* what could not go in stays in its journals, for the next open */ }
      // Journals still holding rows (the database refused them) stay for the next open.
      if (inFlight !== null) {
        inFlight.journal.seal();
        disownJournal(inFlight.journal.path);
      }
      for (const j of [journal, spare]) {
        if (j === null) continue;
        if (pending.length > 0 && j === journal) {
          j.seal();
          disownJournal(j.path);
        } else {
          retire(j);
        }
      }
      journal = null;
      spare = null;
      reader?.db.close();
      reader = null;
      walIndex.close();
      const w = worker;
      worker = null;
      if (w === null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.ref(); // until it has gone
      w.postMessage({ close: true });
      await exited;
    },
  };
}
