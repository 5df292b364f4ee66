// DESIGN.md promise: plaintext secrets never appear in the database, its WAL, any file under the
// vault's home, the CLI's output, or an exported backup; as raw bytes, hex or base64. The same
// for PostgreSQL, searched through pg_dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { postgresTestUrl, skipUnlessPostgres } from '../../packages/keyward/src/testing/index.js';
import { baseEnv, runCli, tempDir, type CliResult } from '../helpers/cli.js';

const CANARY_SECRET = `CANARY-SECRET-${randomBytes(12).toString('hex')}`;
const CANARY_PASSPHRASE = `CANARY-PASS-${randomBytes(12).toString('hex')}`;
const CANARY_PASSWORD = `CANARY-PASSWORD-${randomBytes(12).toString('hex')}`;

/** Every encoding a careless layer might write a secret in. */
function encodings(s: string): Buffer[] {
  const b = Buffer.from(s);
  return [b, Buffer.from(b.toString('hex')), Buffer.from(b.toString('hex').toUpperCase()), Buffer.from(b.toString('base64')),
    Buffer.from(b.toString('base64url')), Buffer.from(s, 'utf16le')];
}

function assertAbsent(haystack: Buffer, where: string): void {
  for (const secret of [CANARY_SECRET, CANARY_PASSPHRASE, CANARY_PASSWORD]) {
    for (const needle of encodings(secret)) {
      assert.equal(haystack.indexOf(needle), -1, `a canary (${needle.toString().slice(0, 20)}…) was found in ${where}`);
    }
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function exercise(work: string, env: Record<string, string>): CliResult[] {
  writeFileSync(join(work, 'pw'), CANARY_PASSWORD);
  writeFileSync(join(work, 'pp'), CANARY_PASSPHRASE);
  const outputs: CliResult[] = [];
  const run = (args: string[], input = ''): void => {
    const r = runCli([...args, '--password-file', 'pw'], { cwd: work, env, input });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    outputs.push(r);
  };
  run(['init']);
  run(['credential', 'add', 'okx', '--exchange', 'okx', '--api-key', 'OKXKEY', '--secret-stdin', '--passphrase-file', 'pp'], CANARY_SECRET);
  run(['credential', 'add', 'bin', '--exchange', 'binance', '--api-key', 'BINKEY', '--secret-stdin'], CANARY_SECRET);
  run(['credential', 'list']);
  run(['credential', 'list', '--json']);
  run(['credential', 'show', 'okx', '--json']);
  run(['credential', 'rotate', 'bin', '--api-key', 'BINKEY2', '--secret-stdin'], `${CANARY_SECRET}-2`);
  run(['backup', 'export', join(work, 'backup.kwb')]);
  return outputs;
}

test('SQLite: no canary in the database, its WAL, any file in the home, the output or the backup', () => {
  const work = tempDir('keyward-canary-');
  const env = baseEnv(work);
  const outputs = exercise(work, env);
  const files = filesUnder(join(work, 'home'));
  assert.ok(files.some((f) => f.endsWith('vault.db')));
  for (const f of files) assertAbsent(readFileSync(f), f);
  assertAbsent(readFileSync(join(work, 'backup.kwb')), 'the backup');
  for (const o of outputs) assertAbsent(Buffer.from(o.stdout + o.stderr), 'CLI output');
  // The check itself can fail: the canary is where we put it.
  assert.ok(readFileSync(join(work, 'pw')).includes(CANARY_PASSWORD));
});

test('SQLite WAL while the writer is still running holds no canary', () => {
  const work = tempDir('keyward-canary-wal-');
  const env = baseEnv(work);
  writeFileSync(join(work, 'pw'), CANARY_PASSWORD);
  assert.equal(runCli(['init', '--password-file', 'pw'], { cwd: work, env }).status, 0);
  const reader = new BetterSqlite3(join(work, 'home', 'vault.db'), { readonly: true });
  reader.prepare('BEGIN').run();
  reader.prepare('SELECT count(*) FROM credential').get();
  // With a read transaction open, the writer cannot checkpoint: its pages stay in the WAL.
  const r = runCli(['credential', 'add', 'b', '--exchange', 'binance', '--api-key', 'K', '--secret-stdin', '--password-file', 'pw'], { cwd: work, env, input: CANARY_SECRET });
  assert.equal(r.status, 0, r.stderr);
  const wal = readFileSync(join(work, 'home', 'vault.db-wal'));
  assert.ok(wal.length > 0, 'the WAL holds the write');
  assertAbsent(wal, 'the WAL');
  reader.prepare('COMMIT').run();
  reader.close();
});

const skip = await skipUnlessPostgres('PostgreSQL canary test');

test('PostgreSQL: no canary in a pg_dump of the database', { skip }, async () => {
  const dbName = `kw_canary_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresTestUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  try {
    const url = new URL(postgresTestUrl());
    url.pathname = `/${dbName}`;
    const work = tempDir('keyward-canary-pg-');
    const outputs = exercise(work, baseEnv(work, { KEYWARD_DB: url.toString() }));
    const dump = execFileSync('pg_dump', ['--no-owner', url.toString()], { maxBuffer: 64 * 1024 * 1024 });
    assert.ok(dump.includes(Buffer.from('CREATE TABLE')), 'the dump holds the schema');
    assert.ok(dump.includes(Buffer.from('OKXKEY')) || dump.length > 1000);
    assertAbsent(dump, 'pg_dump');
    for (const o of outputs) assertAbsent(Buffer.from(o.stdout + o.stderr), 'CLI output');
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
});
