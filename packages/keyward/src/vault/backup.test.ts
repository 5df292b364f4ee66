import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KDF_FLOOR, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';
import { openSqliteStore } from '../store/index.js';
import { createLocalVault, LOCAL_ACCOUNT_NAME } from './local-vault.js';
import { exportBackup, mergeBackup, openBackup, parseBackup, restoreBackup } from './backup.js';

const FLOOR: KdfParams = { algorithm: 'argon2id13', memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations, parallelism: 1 };
const pw = (s: string): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });
const newStore = () => openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'kw-backup-')), 'vault.db'), create: true });

async function makeBackup(): Promise<Buffer> {
  const store = await newStore();
  const vault = createLocalVault({ store, kdfDefaults: FLOOR, now: () => 1 });
  await vault.init(pw('backup password'));
  const { vault: v } = await vault.unlock(pw('backup password'));
  await v.add('b', 'binance', { apiKey: 'AK', secret: pw('s3cr3t') });
  await v.add('o', 'okx', { apiKey: 'OK', secret: pw('okx'), passphrase: pw('pass') });
  const file = await exportBackup(v, store, 5);
  v.lock();
  await store.close();
  return file;
}

test('a backup restores into an empty store with the same password and the same secrets', async () => {
  const file = await makeBackup();
  const parsed = parseBackup(file);
  const opened = openBackup(parsed, pw('backup password'));
  const store = await newStore();
  assert.equal(await restoreBackup(store, parsed, opened, LOCAL_ACCOUNT_NAME, 9), 2);
  const vault = createLocalVault({ store, kdfDefaults: FLOOR, now: () => 1 });
  const { vault: v } = await vault.unlock(pw('backup password'));
  const o = await v.open('o');
  assert.equal(o.passphrase?.reveal((b) => b.toString()), 'pass');
  await store.close();
});

test('a backup merges into another vault, resealed under that vault\'s keys; name clashes refuse all', async () => {
  const file = await makeBackup();
  const store = await newStore();
  const vault = createLocalVault({ store, kdfDefaults: FLOOR, now: () => 1 });
  await vault.init(pw('other password'));
  const { vault: v } = await vault.unlock(pw('other password'));
  await v.add('keep', 'kraken', { apiKey: 'K', secret: pw('a2V5') });
  const parsed = parseBackup(file);
  assert.equal(await mergeBackup(store, v, openBackup(parsed, pw('backup password')), parsed.account.id, 7), 2);
  assert.equal((await v.open('b')).secret?.reveal((x) => x.toString()), 's3cr3t');
  const names = (await vault.list()).map((c) => c.name);
  await assert.rejects(mergeBackup(store, v, openBackup(parsed, pw('backup password')), parsed.account.id, 7),
    (e: unknown) => e instanceof KeywardError && e.code === 'KW_CREDENTIAL_EXISTS');
  assert.deepEqual((await vault.list()).map((c) => c.name), names, 'nothing written');
  await store.close();
});

test('every single-byte change and every truncation of a backup is refused', async () => {
  const file = await makeBackup();
  const refused = new Set(['KW_BACKUP_INVALID', 'KW_BACKUP_TOO_NEW', 'KW_VAULT_WRONG_PASSWORD', 'KW_KDF_PARAMS_REFUSED']);
  const attempt = (bytes: Buffer): string => {
    try {
      const parsed = parseBackup(bytes);
      openBackup(parsed, pw('backup password')).userKey.release();
      return 'opened';
    } catch (e) {
      return e instanceof KeywardError ? e.code : `not a KeywardError: ${String(e)}`;
    }
  };
  assert.equal(attempt(file), 'opened');
  // Every byte is flipped; Argon2id runs each time the header still parses, so keep the floor params.
  for (let i = 0; i < file.length; i++) {
    const t = Buffer.from(file);
    t[i] = (t[i] ?? 0) ^ 0x04;
    const code = attempt(t);
    assert.ok(refused.has(code), `byte ${String(i)}: ${code}`);
  }
  for (let len = 0; len < file.length; len += 7) {
    const code = attempt(file.subarray(0, len));
    assert.ok(refused.has(code), `truncated to ${String(len)}: ${code}`);
  }
  assert.ok(refused.has(attempt(Buffer.concat([file, Buffer.of(0)]))));
});

test('a backup from a newer format says so', () => {
  const t = Buffer.concat([Buffer.from('KEYWARD-BACKUP\n'), Buffer.of(2, 0, 0, 0, 2), Buffer.from('{}')]);
  assert.throws(() => parseBackup(t), (e: unknown) => e instanceof KeywardError && e.code === 'KW_BACKUP_TOO_NEW');
});
