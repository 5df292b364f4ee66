import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import type { AuditRow } from '../store.js';
import { openSqliteStore } from './sqlite-store.js';
import { createAuditWriter } from './audit-writer.js';
import { encodeRows } from './audit-journal.js';
import { sqliteErrors } from './sqlite-errors.js';

// Store.appendAudit on SQLite (audit-writer.ts): journaled at once, moved into the database in
// batches, in order, all or nothing, never blocking the event loop on another writer's lock; the
// journal of a writer that died is recovered by the next open; the WAL is kept small by
// checkpoints that run off the caller's thread.
async function setup(busyTimeoutMs = 5000): Promise<{ path: string; store: Awaited<ReturnType<typeof openSqliteStore>>; rows: (from: number, n: number) => AuditRow[]; seqs: () => number[] }> {
  const path = join(mkdtempSync(join(tmpdir(), 'kw-audit-writer-')), 'vault.db');
  const store = await openSqliteStore({ path, create: true, busyTimeoutMs });
  const body = JSON.stringify({ kind: 'decision', note: 'x'.repeat(300) });
  return {
    path, store,
    rows: (from, n) => Array.from({ length: n }, (_, i) => ({ accountId: 'acct', seq: from + i, at: from + i, body, link: Buffer.alloc(32, (from + i) % 256) })),
    seqs: () => {
      const raw = new BetterSqlite3(path, { readonly: true });
      const r = (raw.prepare('SELECT seq FROM audit_record ORDER BY rowid').pluck().all() as number[]);
      raw.close();
      return r;
    },
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const journals = (path: string): string[] => readdirSync(join(path, '..')).filter((n) => n.endsWith('.journal'));

test('batches of any size go in whole, links intact; a batch with one row out of order writes none of its rows', async () => {
  const { store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 2));
  await store.appendAudit(rows(3, 200)); // more rows than one statement takes
  await store.flushAudit();
  assert.deepEqual(seqs(), range(1, 202));
  const stored = await store.audit.list('acct');
  assert.deepEqual(stored.at(-1)?.link, Buffer.alloc(32, 202 % 256));
  for (const bad of [[...rows(203, 2), ...rows(5, 1)], [...rows(203, 150), ...rows(5, 1)], [...rows(203, 2), ...rows(204, 1)]]) {
    await assert.rejects(store.appendAudit(bad), (e: unknown) => e instanceof KeywardError);
  }
  await store.flushAudit();
  assert.deepEqual(seqs(), range(1, 202), 'nothing of a refused batch');
  await store.appendAudit(rows(203, 1));
  assert.deepEqual((await store.audit.head('acct'))?.seq, 203);
  await store.close();
  assert.deepEqual(seqs(), range(1, 203), 'close moves what waits');
});

test('every field reaches the database as written: accounts interleaved, bodies of any length and script, times with fractions', async () => {
  const { path, store } = await setup();
  // The rows cross to the import thread as flat arrays (audit-import-worker.ts, packRows): each
  // row's slice of them must be its own, whatever comes before it.
  const accounts = ['acct', 'ünïcode-account', 'a'];
  const bodies = ['{}', '{"note":"€ and 𝄞 (a surrogate pair), 中文"}', JSON.stringify({ n: 'x'.repeat(1000) }), '{"q":"\\"\\\\"}'];
  const sent: AuditRow[] = Array.from({ length: 150 }, (_, i) => ({
    accountId: accounts[i % 3] ?? '', seq: Math.floor(i / 3) + 1, at: 1_700_000_000_000 + i + (i % 2) / 4,
    body: bodies[i % 4] ?? '', link: Buffer.alloc(32, i),
  }));
  await store.appendAudit(sent);
  await store.flushAudit();
  await store.close();
  const raw = new BetterSqlite3(path, { readonly: true });
  const stored = raw.prepare('SELECT account_id AS accountId, seq, at, body, link FROM audit_record ORDER BY rowid').all() as AuditRow[];
  raw.close();
  assert.deepEqual(stored.map((r) => ({ ...r, link: Buffer.from(r.link) })), sent);
});

test('rows reach the database by themselves within moments, and the journal is emptied', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 3));
  assert.deepEqual(seqs(), [], 'journaled first');
  assert.equal(journals(path).length, 1);
  // IMPORT_MS is 100; the import thread runs at a lower priority, so on a busy machine it may take
  // longer: waited for (nothing here asks for it), up to 5 s.
  for (const until = Date.now() + 5000; seqs().length < 3 && Date.now() < until;) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual(seqs(), [1, 2, 3]);
  await store.close();
  assert.deepEqual(journals(path), [], 'an empty journal is removed at close');
});

/** The nice value of each thread of this process, by thread id (Linux). */
function niceByThread(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}

test('the import thread runs 10 nice levels below the process, so the thread that forwards wins a contended CPU', { skip: !existsSync('/proc/thread-self') && 'no /proc/thread-self here' }, async () => {
  const before = new Set(niceByThread().keys());
  const { store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 3));
  await store.flushAudit();
  assert.deepEqual(seqs(), [1, 2, 3]);
  const main = niceByThread().get(String(process.pid)) ?? 0;
  const started = [...niceByThread()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
  assert.ok(started.includes(Math.min(19, main + 10)), `threads started by the store: nice ${started.join(', ')}; the process: ${String(main)}`);
  await store.close();
});

test('while another connection holds the write lock, appends return at once and are read back; they go in, in order, once it is free', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 1));
  await store.flushAudit();
  const other = new BetterSqlite3(path);
  other.exec('BEGIN IMMEDIATE');
  let ticks = 0;
  const ticker = setInterval(() => { ticks++; }, 5);
  const started = Date.now();
  await store.appendAudit(rows(2, 3));
  await store.appendAudit(rows(5, 600)); // past the batch size: handed over at once, and waits
  assert.ok(Date.now() - started < 50, 'appendAudit returned at once');
  let flushed = false;
  const flushing = store.flushAudit().then(() => { flushed = true; });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(ticks >= 20, `the event loop kept running (${String(ticks)} ticks in 300 ms)`);
  assert.equal(flushed, false, 'nothing can go in yet');
  assert.deepEqual(seqs(), [1]);
  assert.deepEqual((await store.audit.list('acct')).map((r) => r.seq), range(1, 604), 'the log reads whole meanwhile');
  assert.deepEqual((await store.audit.list('acct', 600, 3)).map((r) => r.seq), [600, 601, 602]);
  assert.equal((await store.audit.head('acct'))?.seq, 604);
  other.exec('COMMIT');
  other.close();
  await flushing;
  clearInterval(ticker);
  assert.deepEqual(seqs(), range(1, 604));
  await store.close();
});

test('past its limit of rows not yet in, an append is refused (KW_VAULT_BUSY) and nothing of it written; a lock held past the busy timeout is waited out', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.close();
  const writer = createAuditWriter({ path, busyTimeoutMs: 50, mapError: (e) => sqliteErrors.map(e), maxPending: 10 });
  const other = new BetterSqlite3(path);
  other.exec('BEGIN IMMEDIATE');
  await writer.append(rows(1, 8));
  await assert.rejects(writer.append(rows(9, 5)), (e: unknown) => e instanceof KeywardError && e.code === 'KW_VAULT_BUSY');
  await new Promise((r) => setTimeout(r, 200)); // several busy timeouts: the worker keeps trying
  other.exec('ROLLBACK');
  other.close();
  await writer.flush();
  await writer.append(rows(9, 5));
  await writer.flush();
  assert.deepEqual(seqs(), range(1, 13));
  await writer.close();
});

test('a writer killed before its rows went in: the next open moves them, and removes its journal', async () => {
  const { path, store, seqs } = await setup();
  await store.close();
  // A process that journals three rows and dies at once (SIGKILL: no close, no timers).
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import { openSqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)};
    const store = await openSqliteStore({ path: ${JSON.stringify(path)}, create: false });
    const row = (seq) => ({ accountId: 'acct', seq, at: seq, body: '{}', link: Buffer.alloc(32, seq) });
    await store.appendAudit([row(1), row(2)]);
    await store.appendAudit([row(3)]);
    process.kill(process.pid, 'SIGKILL');
  `], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  assert.deepEqual(seqs(), [], 'nothing in the database yet');
  assert.equal(journals(path).length, 1);
  const reopened = await openSqliteStore({ path, create: false });
  assert.deepEqual(seqs(), [1, 2, 3]);
  assert.deepEqual(journals(path), []);
  assert.deepEqual((await reopened.audit.head('acct'))?.link, Buffer.alloc(32, 3));
  await reopened.close();
});

test('a leftover journal: rows already in skipped, a torn last line dropped; one that disagrees is KW_VAULT_DAMAGED and kept', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 2));
  await store.close();
  // pid 1 started at tick 0: no such process (init started later than boot's first tick).
  const dead = (n: number): string => join(path, '..', `vault.db-audit-1-0-00000000000${String(n)}.journal`);
  writeFileSync(dead(1), Buffer.concat([encodeRows(rows(1, 4)), Buffer.from('["acct",5,')]));
  const reopened = await openSqliteStore({ path, create: false });
  assert.deepEqual(seqs(), [1, 2, 3, 4]);
  assert.equal(existsSync(dead(1)), false);
  await reopened.close();
  const forged = rows(4, 1).map((r) => ({ ...r, link: Buffer.alloc(32, 0xee) }));
  writeFileSync(dead(2), encodeRows(forged));
  await assert.rejects(openSqliteStore({ path, create: false }), (e: unknown) => e instanceof KeywardError && e.code === 'KW_VAULT_DAMAGED' && e.message.includes('#4'));
  assert.equal(existsSync(dead(2)), true, 'kept for whoever investigates');
  assert.deepEqual(seqs(), [1, 2, 3, 4]);
});

test('one writer per database: a second store leaves a live writer\'s journal alone, and may not write the log until it is gone', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 2));
  const second = await openSqliteStore({ path, create: false });
  assert.deepEqual(seqs(), [], 'not recovered by the second store');
  await assert.rejects(second.appendAudit(rows(3, 1)), (e: unknown) => e instanceof KeywardError && e.code === 'KW_VAULT_BUSY' && e.message.includes(String(process.pid)));
  await store.close();
  assert.deepEqual((await second.audit.list('acct')).map((r) => r.seq), [1, 2]);
  await second.appendAudit(rows(3, 1));
  await second.close();
  assert.deepEqual(seqs(), [1, 2, 3]);
});

test('checkpoints keep the WAL small however many imports come', async () => {
  const { path, store, rows } = await setup();
  let seq = 1;
  for (let i = 0; i < 3000; i++) {
    await store.appendAudit(rows(seq, 2));
    await store.flushAudit(); // the worst case: an import per append
    seq += 2;
  }
  // About 2.5 pages an import: without checkpoints the WAL would pass 30 MB.
  const wal = statSync(`${path}-wal`).size;
  assert.ok(wal < 8 * 1024 * 1024, `the WAL is ${String(wal)} bytes`);
  await store.close();
});
