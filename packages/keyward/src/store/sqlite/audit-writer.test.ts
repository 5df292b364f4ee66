import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import type { AuditRow } from '../store.js';
import { openSqliteStore } from './sqlite-store.js';

// Store.appendAudit on SQLite (audit-writer.ts): committed in place when nothing waits, through
// the worker when the write lock is held elsewhere, in order, all or nothing, with the WAL kept
// small by checkpoints that run off the caller's thread.
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

test('batches of any size commit whole, links intact; a batch with one bad row writes none of its rows', async () => {
  const { store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 2));
  await store.appendAudit(rows(3, 200)); // more rows than one statement takes
  assert.deepEqual(seqs(), range(1, 202));
  const stored = await store.audit.list('acct');
  assert.deepEqual(stored.at(-1)?.link, Buffer.alloc(32, 202 % 256));
  for (const bad of [[...rows(203, 2), ...rows(5, 1)], [...rows(203, 150), ...rows(5, 1)]]) {
    await assert.rejects(store.appendAudit(bad), (e: unknown) => e instanceof KeywardError);
  }
  assert.deepEqual(seqs(), range(1, 202), 'nothing of a refused batch');
  await store.close();
});

test('while another connection holds the write lock, appends never block the event loop; they commit in order once it is free', async () => {
  const { path, store, rows, seqs } = await setup();
  await store.appendAudit(rows(1, 1));
  const other = new BetterSqlite3(path);
  other.exec('BEGIN IMMEDIATE');
  let ticks = 0;
  const ticker = setInterval(() => { ticks++; }, 5);
  const started = Date.now();
  const first = store.appendAudit(rows(2, 3));
  const second = store.appendAudit(rows(5, 1)); // must not overtake the first
  assert.ok(Date.now() - started < 50, 'appendAudit returned at once');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(ticks >= 20, `the event loop kept running (${String(ticks)} ticks in 300 ms)`);
  other.exec('COMMIT');
  other.close();
  await Promise.all([first, second]);
  clearInterval(ticker);
  assert.deepEqual(seqs(), range(1, 5));
  await store.appendAudit(rows(6, 1));
  assert.deepEqual(seqs(), range(1, 6));
  await store.close();
});

test('a lock held for longer than the busy timeout: the append is refused (KW_VAULT_BUSY), nothing written', async () => {
  const { path, store, rows, seqs } = await setup(200);
  const other = new BetterSqlite3(path);
  other.exec('BEGIN IMMEDIATE');
  await assert.rejects(store.appendAudit(rows(1, 2)), (e: unknown) => e instanceof KeywardError && e.code === 'KW_VAULT_BUSY');
  other.exec('ROLLBACK');
  other.close();
  assert.deepEqual(seqs(), []);
  await store.appendAudit(rows(1, 1));
  assert.deepEqual(seqs(), [1]);
  await store.close();
});

test('checkpoints keep the WAL small however many commits come', async () => {
  const { path, store, rows } = await setup();
  let seq = 1;
  for (let i = 0; i < 3000; i++) {
    await store.appendAudit(rows(seq, 2));
    seq += 2;
  }
  // About 2.5 pages a commit: without checkpoints the WAL would pass 30 MB.
  const wal = statSync(`${path}-wal`).size;
  assert.ok(wal < 8 * 1024 * 1024, `the WAL is ${String(wal)} bytes`);
  await store.close();
});
