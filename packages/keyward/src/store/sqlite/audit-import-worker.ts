// The audit import worker (audit-writer.ts): inserts the batches of rows it is sent, each in one
// transaction, and runs a WAL checkpoint after one when asked. It sees only audit rows, which carry
// no secrets.
import type { AuditRow } from '../store.js';
import { INSERT, ROWS_PER_STATEMENT } from './audit-recovery.js';

/**
 * A batch of rows as a few flat arrays, the form it crosses to the worker in. Posted as an array
 * of row objects, it cost more than the inserts themselves: the structured clone walks every
 * object, writing each key and each Buffer view, on the gateway's thread, and reads them back on
 * the worker's (callgrind, on the agent under load: 10,000 instructions a row to serialise and
 * 24,000 to deserialise, against 20,000 for the insert). Flat arrays are copied whole.
 */
export interface PackedRows {
  /** Each account once; `accountOf` indexes it. */
  readonly accounts: readonly string[];
  readonly accountOf: Uint32Array<ArrayBuffer>;
  readonly seqs: Float64Array<ArrayBuffer>;
  readonly ats: Float64Array<ArrayBuffer>;
  /** The bodies one after another; row i's ends at bodyEnds[i] (UTF-16 units, as slice counts). */
  readonly bodies: string;
  readonly bodyEnds: Uint32Array<ArrayBuffer>;
  /** The links one after another; row i's ends at linkEnds[i]. */
  readonly links: Uint8Array<ArrayBuffer>;
  readonly linkEnds: Uint32Array<ArrayBuffer>;
}

/** The batch packed, and the buffers to move to the worker rather than copy (all new). */
export function packRows(rows: readonly AuditRow[]): { readonly packed: PackedRows; readonly transfer: ArrayBuffer[] } {
  const n = rows.length;
  const accounts: string[] = [];
  const accountIndex = new Map<string, number>();
  const accountOf = new Uint32Array(n);
  const seqs = new Float64Array(n);
  const ats = new Float64Array(n);
  const bodyEnds = new Uint32Array(n);
  const linkEnds = new Uint32Array(n);
  let bodyEnd = 0;
  let linkEnd = 0;
  rows.forEach((r, i) => {
    let a = accountIndex.get(r.accountId);
    if (a === undefined) {
      a = accounts.push(r.accountId) - 1;
      accountIndex.set(r.accountId, a);
    }
    accountOf[i] = a;
    seqs[i] = r.seq;
    ats[i] = r.at;
    bodyEnds[i] = bodyEnd += r.body.length;
    linkEnds[i] = linkEnd += r.link.length;
  });
  const links = new Uint8Array(linkEnd);
  rows.forEach((r, i) => { links.set(r.link, (linkEnds[i] ?? 0) - r.link.length); });
  const packed = { accounts, accountOf, seqs, ats, bodies: rows.map((r) => r.body).join(''), bodyEnds, links, linkEnds };
  return { packed, transfer: [accountOf.buffer, seqs.buffer, ats.buffer, bodyEnds.buffer, links.buffer, linkEnds.buffer] };
}

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
/** Rows [from, to) of a PackedRows (audit-import-worker.ts), in one statement. */
const insertRows = (p, from, to) => {
  let st = statements[to - from];
  if (st === undefined) {
    st = db.prepare(${JSON.stringify(INSERT)} + ', (?, ?, ?, ?, ?)'.repeat(to - from - 1));
    statements[to - from] = st;
  }
  const params = [];
  for (let i = from; i < to; i++) {
    const bodyStart = i === 0 ? 0 : p.bodyEnds[i - 1];
    const linkStart = i === 0 ? 0 : p.linkEnds[i - 1];
    params.push(p.accounts[p.accountOf[i]], p.seqs[i], p.ats[i], p.bodies.slice(bodyStart, p.bodyEnds[i]),
      Buffer.from(p.links.buffer, p.links.byteOffset + linkStart, p.linkEnds[i] - linkStart));
  }
  st.run(params);
};
const write = db.transaction((p) => {
  const n = p.seqs.length;
  for (let i = 0; i < n; i += ${String(ROWS_PER_STATEMENT)}) insertRows(p, i, Math.min(n, i + ${String(ROWS_PER_STATEMENT)}));
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
