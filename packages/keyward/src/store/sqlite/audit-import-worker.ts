// The audit import worker (audit-writer.ts): inserts the batches of rows it is sent, each in one
// transaction, and runs a WAL checkpoint after one when asked. It sees only audit rows, which carry
// no secrets.
import { INSERT, ROWS_PER_STATEMENT } from './audit-recovery.js';

// Runs as CommonJS in the worker (eval), so it needs no file of its own beside the compiled code.
export const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Background work: the thread that forwards requests should win a contended CPU, so this one runs
// 10 nice levels below the process (Linux sets a thread's nice value by its thread id, which
// /proc/thread-self names); where that cannot be done it runs as it is.
try {
  const os = require('node:os');
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isSafeInteger(tid) && tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10));
} catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma('journal_mode = WAL');
// NORMAL in WAL mode: a commit survives a crash of the process at once, a power failure once the
// WAL is next flushed; the rows are in a journal file until then anyway.
db.pragma('synchronous = NORMAL');
// Checkpoints run when the main thread asks (below), not inside a commit.
db.pragma('wal_autocheckpoint = 0');
const statements = [];
const insertRows = (rows) => {
  let st = statements[rows.length];
  if (st === undefined) {
    st = db.prepare(${JSON.stringify(INSERT)} + ', (?, ?, ?, ?, ?)'.repeat(rows.length - 1));
    statements[rows.length] = st;
  }
  const params = [];
  for (const r of rows) params.push(r.accountId, r.seq, r.at, r.body, Buffer.from(r.link));
  st.run(params);
};
const write = db.transaction((rows) => {
  for (let i = 0; i < rows.length; i += ${String(ROWS_PER_STATEMENT)}) insertRows(rows.slice(i, i + ${String(ROWS_PER_STATEMENT)}));
});
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    write.immediate(m.rows);
  } catch (e) {
    parentPort.postMessage({ id: m.id, code: typeof e.code === 'string' ? e.code : 'ERROR' });
    return;
  }
  // PASSIVE: never waits for readers or writers; what it cannot copy now, the next one will.
  if (m.checkpoint) try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  parentPort.postMessage({ id: m.id });
});
`;
