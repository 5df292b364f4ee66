import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openSqliteStore, type Store } from '../store/index.js';
import { createNonceKeeper } from './nonce-keeper.js';

async function storeWithCredential(): Promise<{ store: Store; path: string; id: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'kw-nonce-')), 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  const accountId = randomUUID();
  await store.accounts.insert({ id: accountId, name: 'n', kdfMemoryKiB: 65536, kdfIterations: 3, salt: Buffer.alloc(16), wrappedUserKey: Buffer.alloc(73), authKeyHash: null,
    email: null, userKeyCheck: null, ipAllowlist: null, revision: 1, createdAt: 0, updatedAt: 0 });
  const id = randomUUID();
  await store.credentials.insert({ id, accountId, name: 'k', exchange: 'kraken', fingerprint: 'f', custody: 'sealed', ciphertext: Buffer.alloc(1), wrappedDek: Buffer.alloc(73), kekWrappedDek: null, kekId: null, revision: 1, createdAt: 0, rotatedAt: null });
  return { store, path, id };
}

test('nonces only grow, respect the floor, and never repeat under concurrency', async () => {
  const { store, id } = await storeWithCredential();
  const keeper = createNonceKeeper({ nonces: store.nonces, leaseSize: 10n });
  const got = await Promise.all(Array.from({ length: 100 }, () => keeper.next(id, 5n)));
  assert.equal(new Set(got).size, 100);
  assert.deepEqual([...got].sort((a, b) => (a < b ? -1 : 1)), got, 'handed out in order');
  assert.ok((got[0] ?? 0n) >= 5n);
  const jump = await keeper.next(id, 1_700_000_000_000n);
  assert.equal(jump, 1_700_000_000_000n, 'a time floor above the lease wins');
  assert.ok((await keeper.next(id, 0n)) > jump);
  await store.close();
});

test('a restart (or a crash) never reuses a nonce: the mark is persisted before use', async () => {
  const { store, path, id } = await storeWithCredential();
  const first = createNonceKeeper({ nonces: store.nonces, leaseSize: 1000n });
  let last = 0n;
  for (let i = 0; i < 3; i++) last = await first.next(id, 0n);
  await store.close();
  const reopened = await openSqliteStore({ path, create: false });
  const second = createNonceKeeper({ nonces: reopened.nonces, leaseSize: 1000n });
  const after = await second.next(id, 0n);
  assert.ok(after > last, `${String(after)} > ${String(last)}`);
  await reopened.close();
});

test('two keepers on one database never hand out the same nonce', async () => {
  const { store, path, id } = await storeWithCredential();
  const other = await openSqliteStore({ path, create: false });
  const a = createNonceKeeper({ nonces: store.nonces, leaseSize: 3n });
  const b = createNonceKeeper({ nonces: other.nonces, leaseSize: 3n });
  const all: bigint[] = [];
  for (let i = 0; i < 30; i++) all.push(await (i % 2 === 0 ? a : b).next(id, 0n));
  assert.equal(new Set(all).size, all.length);
  await store.close();
  await other.close();
});
