// A damaged, tampered or too-new vault: each gets a clear one-line error from the CLI, and the
// CLI never writes to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../packages/keyward/src/store/migrations/sqlite.js';
import { baseEnv, runCli, tempDir } from '../helpers/cli.js';

function vaultWithCredential(): { work: string; env: Record<string, string>; db: string } {
  const work = tempDir('keyward-damage-');
  const env = baseEnv(work, { KEYWARD_PASSWORD_FILE: join(work, 'pw'), PATH: '/nonexistent' });
  writeFileSync(join(work, 'pw'), 'correct horse battery staple');
  assert.equal(runCli(['init'], { cwd: work, env }).status, 0);
  assert.equal(runCli(['credential', 'add', 'b', '--exchange', 'bybit', '--api-key', 'K', '--secret-stdin'], { cwd: work, env, input: 'bybit-secret' }).status, 0);
  return { work, env, db: join(work, 'home', 'vault.db') };
}

function edit(db: string, statement: string): void {
  const raw = new BetterSqlite3(db);
  raw.exec(statement);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
}

test('a truncated vault file: KW_VAULT_DAMAGED for every command, and the file is not touched', () => {
  const { work, env, db } = vaultWithCredential();
  const bytes = readFileSync(db);
  writeFileSync(db, bytes.subarray(0, 5000));
  for (const args of [['credential', 'list'], ['credential', 'rotate', 'b', '--api-key', 'K2', '--secret-stdin'], ['passwd', '--new-password-file', 'pw']]) {
    const r = runCli(args, { cwd: work, env, input: 'x' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'keyward: error: The vault file is damaged or is not a Keyward vault.\nkeyward: hint: restore it from a backup made with `keyward backup export`\n');
    assert.deepEqual(readFileSync(db), bytes.subarray(0, 5000));
  }
});

test('an altered wrapped user key reads as a wrong password, and nothing is written', () => {
  const { work, env, db } = vaultWithCredential();
  edit(db, 'UPDATE account SET wrapped_user_key = zeroblob(length(wrapped_user_key))');
  const before = readFileSync(db);
  const r = runCli(['credential', 'rotate', 'b', '--api-key', 'K2', '--secret-stdin'], { cwd: work, env, input: 'x' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'keyward: error: Wrong password, or the vault key record was altered.\n');
  assert.deepEqual(readFileSync(db), before);
});

test('a credential whose ciphertext was altered fails to open with its own error; the others still open', () => {
  const { work, env, db } = vaultWithCredential();
  assert.equal(runCli(['credential', 'add', 'ok', '--exchange', 'bybit', '--api-key', 'K', '--secret-stdin'], { cwd: work, env, input: 's' }).status, 0);
  edit(db, "UPDATE credential SET ciphertext = zeroblob(length(ciphertext)) WHERE name = 'b'");
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xclip'), '#!/bin/sh\ncat > /dev/null\n', { mode: 0o755 });
  const clipEnv = { ...env, PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':0' };
  const bad = runCli(['copy', 'b', '--clear-after', '0'], { cwd: work, env: clipEnv });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'keyward: error: Encrypted data failed to open: it was altered or belongs elsewhere.\n');
  assert.equal(runCli(['copy', 'ok', '--clear-after', '0'], { cwd: work, env: clipEnv }).status, 0);
  // A backup of the damaged vault is refused on import, whole.
  assert.equal(runCli(['backup', 'export', join(work, 'x.kwb')], { cwd: work, env }).status, 0);
  const imported = runCli(['backup', 'import', join(work, 'x.kwb'), '--home', join(work, 'elsewhere')], { cwd: work, env });
  assert.equal(imported.status, 1);
  assert.equal(imported.stderr, 'keyward: error: The backup file is not valid (it was altered or is incomplete); nothing was imported.\n');
});

test('a vault from a newer Keyward: a clear message, and the file is unchanged', () => {
  const { work, env, db } = vaultWithCredential();
  edit(db, "UPDATE meta SET value = '7' WHERE key = 'format_version'");
  const before = readFileSync(db);
  const r = runCli(['credential', 'list'], { cwd: work, env });
  assert.equal(r.status, 1);
  const schema = String(SQLITE_MIGRATIONS.length);
  assert.equal(r.stderr, `keyward: error: The vault was written by a newer Keyward (format 7, schema ${schema}); this version reads format 1, schema ${schema}.\nkeyward: hint: upgrade Keyward; this version did not change the vault\n`);
  assert.deepEqual(readFileSync(db), before);
});
