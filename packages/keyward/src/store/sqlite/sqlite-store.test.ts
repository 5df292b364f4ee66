import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import { runStoreContract, account } from '../store.contract.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'kw-sqlite-'));
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

runStoreContract('sqlite', () => openSqliteStore({ path: join(dir(), 'vault.db'), create: true }));

test('sqlite: WAL and synchronous=FULL are really set; files are 0600 in a 0700 directory', async () => {
  const home = join(dir(), 'nested', 'home');
  const path = join(home, 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  await store.accounts.insert(account());
  const raw = new BetterSqlite3(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
  raw.close();
  // synchronous is per connection, so it is read on the store's own connection: 2 = FULL.
  assert.equal(store.testOnlyPragma('synchronous'), 2);
  assert.equal(store.testOnlyPragma('foreign_keys'), 1);
  assert.equal(statSync(home).mode & 0o777, 0o700);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
  await store.close();
});

test('sqlite: a missing file is KW_VAULT_NOT_FOUND unless create is set', async () => {
  await assert.rejects(openSqliteStore({ path: join(dir(), 'none.db'), create: false }), isCode('KW_VAULT_NOT_FOUND'));
});

test('sqlite: garbage and truncated files are KW_VAULT_DAMAGED and are not modified', async () => {
  const d = dir();
  const garbage = join(d, 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(8192, 0x41));
  await assert.rejects(openSqliteStore({ path: garbage, create: false }), isCode('KW_VAULT_DAMAGED'));
  assert.deepEqual(readFileSync(garbage), Buffer.alloc(8192, 0x41));

  const good = join(d, 'good.db');
  const s = await openSqliteStore({ path: good, create: true });
  for (let i = 0; i < 50; i++) await s.accounts.insert(account());
  await s.close();
  const bytes = readFileSync(good);
  const truncated = join(d, 'truncated.db');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
  const before = readFileSync(truncated);
  await assert.rejects(async () => {
    const t = await openSqliteStore({ path: truncated, create: false });
    try {
      await t.accounts.list();
    } finally {
      await t.close();
    }
  }, isCode('KW_VAULT_DAMAGED'));
  assert.deepEqual(readFileSync(truncated), before);
});

test('sqlite: another SQLite database is not mistaken for a vault', async () => {
  const path = join(dir(), 'other.db');
  const raw = new BetterSqlite3(path);
  raw.exec('CREATE TABLE notes (t TEXT)');
  raw.close();
  const before = readFileSync(path);
  await assert.rejects(openSqliteStore({ path, create: false }), isCode('KW_VAULT_DAMAGED'));
  assert.deepEqual(readFileSync(path), before);
});

test('sqlite: a vault from a newer Keyward is refused and left unchanged', async () => {
  for (const change of ["UPDATE meta SET value = '99' WHERE key = 'format_version'", "INSERT INTO schema_migrations VALUES (999, 'future', 0)"]) {
    const path = join(dir(), 'vault.db');
    const s = await openSqliteStore({ path, create: true });
    await s.close();
    const raw = new BetterSqlite3(path);
    raw.exec(change);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = readFileSync(path);
    await assert.rejects(openSqliteStore({ path, create: false }), isCode('KW_VAULT_TOO_NEW'));
    assert.deepEqual(readFileSync(path), before);
  }
});

test('sqlite: a second writer that cannot get the lock in time gets KW_VAULT_BUSY, and nothing is lost', async () => {
  const path = join(dir(), 'vault.db');
  const a = await openSqliteStore({ path, create: true, busyTimeoutMs: 50 });
  const b = await openSqliteStore({ path, create: false, busyTimeoutMs: 50 });
  const first = account();
  let release: () => void = () => undefined;
  const held = a.transaction(async (tx) => {
    await tx.accounts.insert(first);
    await new Promise<void>((r) => { release = r; });
  });
  await new Promise((r) => setTimeout(r, 20));
  await assert.rejects(b.transaction(async (tx) => tx.accounts.insert(account())), isCode('KW_VAULT_BUSY'));
  await assert.rejects(b.accounts.insert(account()), isCode('KW_VAULT_BUSY'));
  release();
  await held;
  assert.ok(await b.accounts.findById(first.id));
  await a.close();
  await b.close();
});
