// One suite that every Store implementation runs (Vault's ExerciseBackend, hono's
// common.case.test.ts): what the vault relies on, proved the same way for SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KeywardError } from '@keyward/protocol/errors';
import type { AccountRow, CredentialRow, Store } from './store.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export function account(overrides: Partial<AccountRow> = {}): AccountRow {
  return {
    id: randomUUID(), name: `acct-${randomUUID()}`, kdfMemoryKiB: 65536, kdfIterations: 3,
    salt: Buffer.alloc(16, 0xff), wrappedUserKey: Buffer.concat([Buffer.of(0), ALL_BYTES.subarray(0, 72)]),
    authKeyHash: null, revision: 1, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, ...overrides,
  };
}

export function credential(accountId: string, overrides: Partial<CredentialRow> = {}): CredentialRow {
  return {
    id: randomUUID(), accountId, name: `cred-${randomUUID().slice(0, 8)}`, exchange: 'binance', fingerprint: 'abcd-ef01-2345',
    custody: 'sealed', ciphertext: ALL_BYTES, wrappedDek: Buffer.alloc(73, 0), kekWrappedDek: null, kekId: null,
    revision: 1, createdAt: 1_700_000_000_123, rotatedAt: null, ...overrides,
  };
}

const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

export function runStoreContract(name: string, makeStore: () => Promise<Store>, options: { skip: false | string } = { skip: false }): void {
  const t = (title: string, fn: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, { skip: options.skip }, async () => {
      const store = await makeStore();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  };

  t('accounts round-trip byte for byte, by id and by name', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    assert.deepEqual(await s.accounts.findById(a.id), a);
    assert.deepEqual(await s.accounts.findByName(a.name), a);
    assert.equal(await s.accounts.findByName('nobody'), undefined);
    assert.ok((await s.accounts.list()).some((x) => x.id === a.id));
  });

  t('a duplicate account name is refused', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    await assert.rejects(s.accounts.insert(account({ name: a.name })), isCode('KW_VAULT_EXISTS'));
  });

  t('updateKeyWrap is conditional on the revision read', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const update = { kdfMemoryKiB: 131072, kdfIterations: 4, salt: Buffer.alloc(16, 1), wrappedUserKey: Buffer.alloc(73, 2), updatedAt: 5 };
    assert.equal(await s.accounts.updateKeyWrap(a.id, 1, update), true);
    assert.equal(await s.accounts.updateKeyWrap(a.id, 1, { ...update, kdfIterations: 9 }), false, 'stale revision');
    const got = await s.accounts.findById(a.id);
    assert.equal(got?.revision, 2);
    assert.equal(got?.kdfIterations, 4);
    assert.deepEqual(got?.wrappedUserKey, Buffer.alloc(73, 2));
  });

  t('credentials round-trip byte for byte and list by name', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c2 = credential(a.id, { name: 'zeta', kekWrappedDek: Buffer.of(0, 255, 0), kekId: 'kek-1', rotatedAt: 99 });
    const c1 = credential(a.id, { name: 'alpha' });
    await s.credentials.insert(c2);
    await s.credentials.insert(c1);
    assert.deepEqual(await s.credentials.findById(c2.id), c2);
    assert.deepEqual(await s.credentials.findByName(a.id, 'alpha'), c1);
    assert.deepEqual((await s.credentials.list(a.id)).map((c) => c.name), ['alpha', 'zeta']);
    assert.deepEqual((await s.credentials.list(randomUUID())), []);
  });

  t('credential names are unique per account, not globally', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    await s.credentials.insert(credential(a.id, { name: 'main' }));
    await s.credentials.insert(credential(b.id, { name: 'main' }));
    await assert.rejects(s.credentials.insert(credential(a.id, { name: 'main' })), isCode('KW_CREDENTIAL_EXISTS'));
  });

  t('credential update is conditional on the revision; remove reports whether it removed', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    await s.credentials.insert(c);
    const u = { ciphertext: Buffer.of(1, 2, 3), wrappedDek: Buffer.of(4), fingerprint: 'new', rotatedAt: 7 };
    assert.equal(await s.credentials.update(c.id, 1, u), true);
    assert.equal(await s.credentials.update(c.id, 1, { ...u, fingerprint: 'lost' }), false);
    const got = await s.credentials.findById(c.id);
    assert.equal(got?.fingerprint, 'new');
    assert.equal(got?.revision, 2);
    assert.deepEqual(got?.ciphertext, Buffer.of(1, 2, 3));
    assert.equal(await s.credentials.remove(c.id), true);
    assert.equal(await s.credentials.remove(c.id), false);
    assert.equal(await s.credentials.findById(c.id), undefined);
  });

  t('a transaction that throws leaves nothing behind', async (s) => {
    const a = account();
    await assert.rejects(s.transaction(async (tx) => {
      await tx.accounts.insert(a);
      await tx.credentials.insert(credential(a.id));
      throw new Error('boom');
    }), /boom/);
    assert.equal(await s.accounts.findById(a.id), undefined);
    assert.deepEqual(await s.credentials.list(a.id), []);
  });

  t('a transaction commits everything together', async (s) => {
    const a = account();
    const result = await s.transaction(async (tx) => {
      await tx.accounts.insert(a);
      await tx.credentials.insert(credential(a.id, { name: 'one' }));
      await tx.credentials.insert(credential(a.id, { name: 'two' }));
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal((await s.credentials.list(a.id)).length, 2);
  });

  t('a unique violation inside a transaction rolls back the earlier writes', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    await s.credentials.insert(credential(a.id, { name: 'taken' }));
    await assert.rejects(s.transaction(async (tx) => {
      await tx.credentials.insert(credential(a.id, { name: 'fresh' }));
      await tx.credentials.insert(credential(a.id, { name: 'taken' }));
    }), isCode('KW_CREDENTIAL_EXISTS'));
    assert.deepEqual((await s.credentials.list(a.id)).map((c) => c.name), ['taken']);
  });

  t('nonce marks advance only from the value read, and go with their credential', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    await s.credentials.insert(c);
    assert.equal(await s.nonces.get(c.id), undefined);
    assert.equal(await s.nonces.advance(c.id, undefined, 1000n), true);
    assert.equal(await s.nonces.advance(c.id, undefined, 5n), false, 'a second first mark loses');
    const big = 2n ** 63n + 7n;
    assert.equal(await s.nonces.advance(c.id, 1000n, big), true);
    assert.equal(await s.nonces.advance(c.id, 1000n, 2000n), false, 'stale');
    assert.equal(await s.nonces.get(c.id), big);
    await s.credentials.remove(c.id);
    assert.equal(await s.nonces.get(c.id), undefined);
  });
}
