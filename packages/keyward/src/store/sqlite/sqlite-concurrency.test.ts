// Two writers on one SQLite file. better-sqlite3 blocks its thread while it waits for a lock, so
// the other writer runs in a worker thread (its own connection, as another process would have).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import { account } from '../store.contract.js';
import { BOOKKEEPING_SQL } from '../migrations/migration.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'kw-sqlite-conc-'));
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Step = ['exec', string] | ['post', string] | ['sleep', number] | ['await-signal'];

// Runs the steps on its own connection; Atomics.wait sleeps without an event loop.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const shared = new Int32Array(workerData.shared);
const db = new Database(workerData.path, { timeout: 5000 });
const t0 = Date.now();
try {
  for (const [op, arg] of workerData.steps) {
    if (op === 'exec') db.exec(arg);
    else if (op === 'post') parentPort.postMessage({ event: arg, at: Date.now() - t0 });
    else if (op === 'sleep') Atomics.wait(shared, 1, 0, arg);
    else if (op === 'await-signal') Atomics.wait(shared, 0, 0);
  }
  parentPort.postMessage({ event: 'done', at: Date.now() - t0 });
} catch (e) {
  parentPort.postMessage({ event: 'error', at: Date.now() - t0, code: e.code });
} finally {
  db.close();
}`;

interface WorkerEvent { event: string; at: number; code?: string }

function otherWriter(path: string, steps: Step[]): { next(event: string): Promise<WorkerEvent>; signal(): void } {
  const shared = new SharedArrayBuffer(8);
  const seen: WorkerEvent[] = [];
  const waiting: { event: string; resolve: (e: WorkerEvent) => void }[] = [];
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, path, steps, shared } });
  worker.on('message', (m: WorkerEvent) => {
    seen.push(m);
    for (const w of waiting.filter((x) => x.event === m.event)) w.resolve(m);
  });
  return {
    next: (event) => {
      const found = seen.find((m) => m.event === event);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ event, resolve }));
    },
    signal: () => {
      Atomics.store(new Int32Array(shared), 0, 1);
      Atomics.notify(new Int32Array(shared), 0);
    },
  };
}

const INSERT_ACCOUNT = (id: string): string =>
  `INSERT INTO account (id, name, kdf_memory_kib, kdf_iterations, salt, wrapped_user_key, auth_key_hash, revision, created_at, updated_at)
   VALUES ('${id}', '${id}', 1, 1, x'00', x'00', NULL, 1, 0, 0)`;

test('sqlite: two stores on one file: a writer kept waiting beyond busy_timeout gets KW_VAULT_BUSY, and nothing is lost', async () => {
  const path = join(dir(), 'vault.db');
  const a = await openSqliteStore({ path, create: true, busyTimeoutMs: 50 });
  const b = await openSqliteStore({ path, create: false, busyTimeoutMs: 50 });
  const first = account();
  let release: () => void = () => undefined;
  const held = a.transaction(async (tx) => {
    await tx.accounts.insert(first);
    await new Promise<void>((r) => { release = r; });
  });
  await sleep(20);
  const t0 = Date.now();
  await assert.rejects(b.transaction(async (tx) => tx.accounts.insert(account())), isCode('KW_VAULT_BUSY'));
  assert.ok(Date.now() - t0 >= 40, 'it waited for the busy timeout first');
  await assert.rejects(b.accounts.insert(account()), isCode('KW_VAULT_BUSY'));
  release();
  await held;
  assert.ok(await b.accounts.findById(first.id));
  await b.accounts.insert(account());
  await a.close();
  await b.close();
});

test('sqlite: a writer that waits less than busy_timeout queues, then succeeds', async () => {
  const path = join(dir(), 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  const other = otherWriter(path, [['exec', 'BEGIN IMMEDIATE'], ['exec', INSERT_ACCOUNT('w')], ['post', 'locked'], ['sleep', 200], ['exec', 'COMMIT']]);
  await other.next('locked');
  const t0 = Date.now();
  await store.accounts.insert(account());
  assert.ok(Date.now() - t0 >= 100, 'it waited for the other writer');
  assert.equal((await other.next('done')).event, 'done');
  assert.equal((await store.accounts.list()).length, 2);
  await store.close();
});

test('sqlite: a transaction that reads and then writes is never beaten by a writer that came between (BEGIN IMMEDIATE)', async () => {
  const path = join(dir(), 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  const mine = account();
  const other = otherWriter(path, [['await-signal'], ['post', 'trying'], ['exec', 'BEGIN IMMEDIATE'], ['exec', INSERT_ACCOUNT('w')], ['exec', 'COMMIT']]);
  await store.transaction(async (tx) => {
    assert.equal(await tx.accounts.findByName(mine.name), undefined);
    other.signal();
    await other.next('trying');
    await sleep(150);
    // With a deferred BEGIN the other writer would have committed by now, and this write would
    // fail with SQLITE_BUSY_SNAPSHOT: a lock upgrade that can never succeed.
    await tx.accounts.insert(mine);
  });
  const trying = await other.next('trying');
  const done = await other.next('done');
  assert.ok(done.at - trying.at >= 100, 'the other writer waited for this transaction');
  assert.equal((await store.accounts.list()).length, 2);
  await store.close();
});

test('sqlite: a store that waits while another process migrates re-reads the schema and does not migrate twice', async () => {
  const path = join(dir(), 'vault.db');
  const m1 = SQLITE_MIGRATIONS[0];
  assert.ok(m1 !== undefined);
  const other = otherWriter(path, [
    ['exec', 'PRAGMA journal_mode = WAL'], ['exec', 'BEGIN IMMEDIATE'], ['exec', BOOKKEEPING_SQL.sqlite], ['exec', m1.sql],
    ['exec', `INSERT INTO schema_migrations VALUES (${String(m1.version)}, '${m1.name}', 0)`],
    ['exec', "INSERT INTO meta VALUES ('format_version', '1')"], ['post', 'locked'], ['sleep', 200], ['exec', 'COMMIT'],
  ]);
  await other.next('locked');
  const store = await openSqliteStore({ path, create: true });
  assert.equal((await other.next('done')).event, 'done');
  await store.close();
  const raw = new BetterSqlite3(path, { readonly: true });
  const versions = (raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
  raw.close();
  assert.deepEqual(versions, SQLITE_MIGRATIONS.map((m) => m.version));
});
