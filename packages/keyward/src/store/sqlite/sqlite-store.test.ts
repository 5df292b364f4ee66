import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import { runStoreContract, account, credential } from '../store.contract.js';
import { BOOKKEEPING_SQL, FORMAT_VERSION } from '../migrations/migration.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'kw-sqlite-'));
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

runStoreContract('sqlite', () => openSqliteStore({ path: join(dir(), 'vault.db'), create: true }));

test('sqlite: WAL and synchronous=FULL are really set; files are 0600 in a 0700 directory', async () => {
  const home = join(dir(), 'nested', 'home');
  const path = join(home, 'vault.db');
  const umask = process.umask();
  const store = await openSqliteStore({ path, create: true });
  assert.equal(process.umask(), umask, 'the process umask is restored');
  await store.accounts.insert(account());
  const raw = new BetterSqlite3(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
  raw.close();
  // synchronous is per connection, so it is read on the store's own connection: 2 = FULL.
  assert.equal(store.testOnlyPragma('synchronous'), 2);
  assert.equal(store.testOnlyPragma('foreign_keys'), 1);
  assert.equal(store.testOnlyPragma('busy_timeout'), 5000);
  assert.equal(statSync(join(home, '..')).mode & 0o777, 0o700, 'every directory it creates');
  assert.equal(statSync(home).mode & 0o777, 0o700);
  for (const f of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  await store.close();
});

test('sqlite: a vault file readable by others is tightened to 0600 when opened', async () => {
  const path = join(dir(), 'vault.db');
  await (await openSqliteStore({ path, create: true })).close();
  chmodSync(path, 0o644);
  const store = await openSqliteStore({ path, create: false });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await store.close();
});

test('sqlite: an empty file is KW_VAULT_DAMAGED, not a new vault, unless create is set', async () => {
  const path = join(dir(), 'vault.db');
  writeFileSync(path, '');
  await assert.rejects(openSqliteStore({ path, create: false }), isCode('KW_VAULT_DAMAGED'));
  assert.equal(statSync(path).size, 0);
  await (await openSqliteStore({ path, create: true })).close();
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
  // Inside the header, the first page, the schema pages and the data pages.
  for (const size of [50, 100, 4096, 5000, Math.floor(bytes.length / 2) + 100]) {
    const truncated = join(d, `truncated-${String(size)}.db`);
    writeFileSync(truncated, bytes.subarray(0, size));
    await assert.rejects(async () => {
      const t = await openSqliteStore({ path: truncated, create: false });
      try {
        await t.accounts.list();
      } finally {
        await t.close();
      }
    }, isCode('KW_VAULT_DAMAGED'), `truncated to ${String(size)} bytes`);
    assert.deepEqual(readFileSync(truncated), bytes.subarray(0, size));
  }
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

test('sqlite: a vault from a newer Keyward (or with an unreadable format) is refused and left unchanged', async () => {
  for (const [change, code] of [
    ["UPDATE meta SET value = '99' WHERE key = 'format_version'", 'KW_VAULT_TOO_NEW'],
    ["INSERT INTO schema_migrations VALUES (999, 'future', 0)", 'KW_VAULT_TOO_NEW'],
    ["UPDATE meta SET value = 'one' WHERE key = 'format_version'", 'KW_VAULT_DAMAGED'],
  ] as const) {
    const path = join(dir(), 'vault.db');
    const s = await openSqliteStore({ path, create: true });
    await s.close();
    const raw = new BetterSqlite3(path);
    raw.exec(change);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = readFileSync(path);
    await assert.rejects(openSqliteStore({ path, create: false }), isCode(code));
    assert.deepEqual(readFileSync(path), before);
  }
});

test('sqlite: the token generation moves with every token change, whichever process makes it', async () => {
  const path = join(dir(), 'vault.db');
  const a = await openSqliteStore({ path, create: true });
  const b = await openSqliteStore({ path, create: false });
  const acct = account();
  await a.accounts.insert(acct);
  const g0 = a.tokenGeneration();
  const row = { accessor: 'kwa_00000000000000000001', accountId: acct.id, parentAccessor: null, hash: Buffer.alloc(32, 1), label: 't', policy: '{}', createdAt: 1, expiresAt: null, usesLeft: null, revokedAt: null };
  await b.tokens.insert(row);
  const g1 = a.tokenGeneration();
  assert.notEqual(g1, g0, 'an insert by another connection is seen');
  await a.credentials.list(acct.id);
  assert.equal(a.tokenGeneration(), g1, 'unrelated reads and writes leave it alone');
  await b.tokens.revoke([row.accessor], 2);
  assert.notEqual(a.tokenGeneration(), g1, 'a revocation is seen');
  await a.close();
  await b.close();
});

test('sqlite: the token generation is never stale, however commits interleave (it is re-read only when the WAL index moved)', async () => {
  const path = join(dir(), 'vault.db');
  const a = await openSqliteStore({ path, create: true });
  const other = new BetterSqlite3(path);
  const bump = other.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'token_generation'");
  const current = other.prepare("SELECT value FROM meta WHERE key = 'token_generation'").pluck();
  let seq = 0;
  for (let i = 0; i < 300; i++) {
    if (i % 3 === 0) bump.run();
    if (i % 7 === 0) await a.appendAudit([{ accountId: 'acct', seq: ++seq, at: i, body: '{}', link: Buffer.alloc(32, i % 256) }]);
    if (i % 50 === 0) await a.flushAudit(); // commits by the audit worker too
    assert.equal(String(a.tokenGeneration()), String(current.get()), `read ${String(i)}`);
    assert.equal(String(a.tokenGeneration()), String(current.get()), `read ${String(i)} again`);
  }
  other.close();
  await a.close();
});

test('sqlite: a vault written before the server tables opens, migrates, and keeps its rows', async () => {
  const path = join(dir(), 'vault.db');
  const raw = new BetterSqlite3(path);
  raw.exec(BOOKKEEPING_SQL.sqlite);
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 4)) {
    raw.exec(m.sql);
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  raw.prepare("INSERT INTO meta VALUES ('format_version', ?)").run(String(FORMAT_VERSION));
  raw.prepare(`INSERT INTO account (id, name, kdf_memory_kib, kdf_iterations, salt, wrapped_user_key, auth_key_hash, revision, created_at, updated_at)
    VALUES ('a1', 'local', 65536, 3, x'00ff', x'01', NULL, 1, 5, 5)`).run();
  raw.close();
  const store = await openSqliteStore({ path, create: false });
  const got = await store.accounts.findById('a1');
  assert.deepEqual([got?.name, got?.email, got?.userKeyCheck, got?.ipAllowlist], ['local', null, null, null]);
  const c = credential('a1');
  await store.credentials.insert(c);
  assert.deepEqual((await store.credentialChecks.listDue(Number.MAX_SAFE_INTEGER)).map((x) => x.id), [], 'a local account is not checked by a server');
  await store.close();
});
