import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KDF_DEFAULTS, KDF_FLOOR, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { createLocalVault, LOCAL_ACCOUNT_NAME } from './local-vault.js';
import type { CredentialSecrets } from './credential-secrets.js';

const FLOOR: KdfParams = { algorithm: 'argon2id13', memoryKiB: KDF_FLOOR.memoryKiB, iterations: KDF_FLOOR.iterations, parallelism: 1 };
const pw = (s: string): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });
const text = (b: SecureBuffer | undefined): string | undefined => b?.reveal((x) => x.toString('utf8'));
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

async function fresh(defaults: KdfParams = FLOOR): Promise<{ store: Store; vault: ReturnType<typeof createLocalVault> }> {
  const store = await openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'kw-vault-')), 'vault.db'), create: true });
  const vault = createLocalVault({ store, kdfDefaults: defaults, now: () => 1_700_000_000_000 });
  await vault.init(pw('correct horse'));
  return { store, vault };
}

function secretsOf(s: CredentialSecrets): Record<string, string | undefined> {
  return { apiKey: s.apiKey, secret: text(s.secret), passphrase: text(s.passphrase), privateKey: text(s.privateKey) };
}

test('a credential round-trips through the key hierarchy with every kind of secret part', async () => {
  const { store, vault } = await fresh();
  const { vault: v } = await vault.unlock(pw('correct horse'));
  await v.add('b', 'binance', { apiKey: 'AK', secret: pw('s3cr3t') });
  await v.add('o', 'okx', { apiKey: 'OK', secret: pw('okx-secret'), passphrase: pw('okx-pass') });
  await v.add('c', 'coinbase', { apiKey: 'organizations/o/apiKeys/k', privateKey: pw('-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n') });
  assert.deepEqual(secretsOf(await v.open('b')), { apiKey: 'AK', secret: 's3cr3t', passphrase: undefined, privateKey: undefined });
  assert.deepEqual(secretsOf(await v.open('o')), { apiKey: 'OK', secret: 'okx-secret', passphrase: 'okx-pass', privateKey: undefined });
  assert.match(secretsOf(await v.open('c')).privateKey ?? '', /BEGIN EC PRIVATE KEY[\s\S]*END/);
  assert.equal((await v.openAll()).size, 3);
  assert.deepEqual((await vault.list()).map((c) => c.name), ['b', 'c', 'o']);
  v.lock();
  await assert.rejects(v.open('b'), isCode('KW_VAULT_LOCKED'));
  await store.close();
});

test('a wrong password is KW_VAULT_WRONG_PASSWORD; a missing credential is KW_CREDENTIAL_NOT_FOUND', async () => {
  const { store, vault } = await fresh();
  await assert.rejects(vault.unlock(pw('wrong horse')), isCode('KW_VAULT_WRONG_PASSWORD'));
  const { vault: v } = await vault.unlock(pw('correct horse'));
  await assert.rejects(v.open('nope'), isCode('KW_CREDENTIAL_NOT_FOUND'));
  await assert.rejects(vault.remove('nope'), isCode('KW_CREDENTIAL_NOT_FOUND'));
  await store.close();
});

test('fingerprints tell equal keys apart from different ones and change on rotation', async () => {
  const { store, vault } = await fresh();
  const { vault: v } = await vault.unlock(pw('correct horse'));
  const a = await v.add('a', 'binance', { apiKey: 'AK', secret: pw('one') });
  const b = await v.add('b', 'binance', { apiKey: 'AK', secret: pw('one') });
  const c = await v.add('c', 'binance', { apiKey: 'AK', secret: pw('two') });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, c.fingerprint);
  const r = await v.rotate('a', { apiKey: 'AK2', secret: pw('three') });
  assert.notEqual(r.fingerprint, a.fingerprint);
  assert.equal(r.rotatedAt, 1_700_000_000_000);
  assert.deepEqual(secretsOf(await v.open('a')).secret, 'three');
  await store.close();
});

test('changing the password rewraps only the user key: every credential row is byte-identical', async () => {
  const { store, vault } = await fresh();
  const { vault: v } = await vault.unlock(pw('correct horse'));
  await v.add('b', 'binance', { apiKey: 'AK', secret: pw('s3cr3t') });
  const acct = await store.accounts.findByName(LOCAL_ACCOUNT_NAME);
  const before = await store.credentials.list(acct?.id ?? '');
  await v.changePassword(pw('new password'));
  v.lock();
  assert.deepEqual(await store.credentials.list(acct?.id ?? ''), before);
  const after = await store.accounts.findByName(LOCAL_ACCOUNT_NAME);
  assert.notDeepEqual(after?.wrappedUserKey, acct?.wrappedUserKey);
  assert.notDeepEqual(after?.salt, acct?.salt);
  await assert.rejects(vault.unlock(pw('correct horse')), isCode('KW_VAULT_WRONG_PASSWORD'));
  const { vault: v2 } = await vault.unlock(pw('new password'));
  assert.equal(secretsOf(await v2.open('b')).secret, 's3cr3t');
  await store.close();
});

test('stored KDF parameters below the current defaults are raised at the next unlock', async () => {
  const { store, vault } = await fresh(FLOOR);
  const { vault: v } = await vault.unlock(pw('correct horse'));
  await v.add('b', 'binance', { apiKey: 'AK', secret: pw('s3cr3t') });
  v.lock();
  const grown = createLocalVault({ store, kdfDefaults: KDF_DEFAULTS, now: () => 2 });
  const first = await grown.unlock(pw('correct horse'));
  assert.deepEqual(first.raisedKdf, { from: FLOOR, to: KDF_DEFAULTS });
  assert.deepEqual(await grown.kdfParams(), KDF_DEFAULTS);
  first.vault.lock();
  const second = await grown.unlock(pw('correct horse'));
  assert.equal(second.raisedKdf, null, 'raised once, not at every unlock');
  assert.equal(secretsOf(await second.vault.open('b')).secret, 's3cr3t');
  // Defaults never lower what is stored.
  const shrunk = createLocalVault({ store, kdfDefaults: FLOOR, now: () => 3 });
  assert.equal((await shrunk.unlock(pw('correct horse'))).raisedKdf, null);
  assert.deepEqual(await shrunk.kdfParams(), KDF_DEFAULTS);
  await store.close();
});

test('an account row edited to downgrade its KDF parameters is refused before any derivation', async () => {
  const { store, vault } = await fresh();
  const acct = await store.accounts.findByName(LOCAL_ACCOUNT_NAME);
  assert.ok(acct);
  await store.accounts.updateKeyWrap(acct.id, acct.revision, { ...acct, kdfMemoryKiB: 1024, kdfIterations: 1, updatedAt: 1 });
  await assert.rejects(vault.unlock(pw('correct horse')), isCode('KW_KDF_PARAMS_REFUSED'));
  await store.close();
});

test('a ciphertext or data key moved to another row fails to open', async () => {
  const { store, vault } = await fresh();
  const { vault: v } = await vault.unlock(pw('correct horse'));
  await v.add('a', 'binance', { apiKey: 'A', secret: pw('aaa') });
  await v.add('b', 'binance', { apiKey: 'B', secret: pw('bbb') });
  const acct = await store.accounts.findByName(LOCAL_ACCOUNT_NAME);
  const [a, b] = await store.credentials.list(acct?.id ?? '');
  assert.ok(a && b);
  await store.credentials.update(b.id, b.revision, { ciphertext: a.ciphertext, wrappedDek: a.wrappedDek, fingerprint: b.fingerprint, rotatedAt: 1 });
  await assert.rejects(v.open('b'), isCode('KW_CRYPTO_OPEN_FAILED'));
  assert.equal(secretsOf(await v.open('a')).secret, 'aaa');
  await store.close();
});
