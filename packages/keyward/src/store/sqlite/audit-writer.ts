// Audit records are committed on a worker thread with its own SQLite connection, so the gateway's
// event loop never waits for the write (a commit blocks for as long as its system calls take, and
// every other request in flight would wait with it). The worker sees only audit rows: records
// carry no secrets, and the MAC chain is computed on the main thread, where the key lives.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AuditRow } from '../store.js';

// Runs as CommonJS in the worker (eval), so it needs no file of its own beside the compiled code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma('journal_mode = WAL');
// NORMAL in WAL mode: a commit survives a crash of the process at once, a power failure once the
// WAL is next flushed (see audit/audit-log.ts).
db.pragma('synchronous = NORMAL');
const insert = db.prepare('INSERT INTO audit_record (account_id, seq, at, body, link) VALUES (?, ?, ?, ?, ?)');
const write = db.transaction((rows) => {
  for (const r of rows) insert.run(r.accountId, r.seq, r.at, r.body, Buffer.from(r.link));
});
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
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
  close(): Promise<void>;
}

/** `mapError` turns a driver error code into the store's KeywardError. */
export function createAuditWriter(path: string, busyTimeoutMs: number, mapError: (e: { code: string }) => unknown): AuditWriter {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();

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
      else p.reject(mapError({ code: m.code }));
    });
    w.on('error', (e) => failAll(mapError({ code: (e as { code?: string }).code ?? 'ERROR' })));
    w.on('exit', () => failAll(mapError({ code: 'SQLITE_CANTOPEN' })));
    return w;
  };

  return {
    append(rows) {
      if (rows.length === 0) return Promise.resolve();
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker?.postMessage({ id, rows });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w === null) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.postMessage({ close: true });
      await exited;
    },
  };
}
