// One suite that every Store implementation runs (Vault's ExerciseBackend, hono's
// common.case.test.ts): what the vault relies on, proved the same way for SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { KeywardError } from '@keyward/protocol/errors';
import type { AccountRow, CredentialRow, Custody, KeyWrapUpdate, Store, StoreTx, TokenRow } from './store.js';

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

/** Everything an error carries, as a log line or a debugger would show it. */
const everything = (e: unknown): string => inspect(e, { depth: 20, showHidden: true });

/**
 * Registers the suite. `testOptions` is called once per test (a PostgreSQL gate counts the tests
 * it skips).
 */
export function runStoreContract(
  name: string, makeStore: () => Promise<Store>, testOptions: () => { skip: false | string } = () => ({ skip: false }),
): void {
  const t = (title: string, fn: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, testOptions(), async () => {
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

  const token = (accountId: string, overrides: Partial<TokenRow> = {}): TokenRow => ({
    accessor: `kwa_${randomUUID().replace(/-/g, '').slice(0, 20)}`, accountId, parentAccessor: null, hash: Buffer.from(randomUUID()),
    label: 'bot', policy: '{"actions":["read"]}', createdAt: 1, expiresAt: null, usesLeft: null, revokedAt: null, ...overrides,
  });

  t('tokens: find by hash and accessor, list, revoke only once, consume uses to zero', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const root = token(a.id);
    const child = token(a.id, { parentAccessor: root.accessor, usesLeft: 2, expiresAt: 99 });
    await s.tokens.insert(root);
    await s.tokens.insert(child);
    assert.deepEqual(await s.tokens.findByHash(child.hash), child);
    assert.deepEqual(await s.tokens.findByAccessor(root.accessor), root);
    assert.equal(await s.tokens.findByHash(Buffer.from('nope')), undefined);
    assert.equal((await s.tokens.list(a.id)).length, 2);
    assert.equal(await s.tokens.consumeUse(child.accessor), true);
    assert.equal(await s.tokens.consumeUse(child.accessor), true);
    assert.equal(await s.tokens.consumeUse(child.accessor), false, 'no use left');
    assert.equal(await s.tokens.consumeUse(root.accessor), true, 'unlimited');
    assert.equal(await s.tokens.revoke([root.accessor, child.accessor], 5), 2);
    assert.equal(await s.tokens.revoke([root.accessor, child.accessor], 6), 0, 'already revoked');
    assert.equal((await s.tokens.findByAccessor(child.accessor))?.revokedAt, 5);
    await assert.rejects(s.tokens.insert(token(a.id, { hash: root.hash })));
  });

  t('tokens: revoking thousands at once works within parameter limits', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const many = Array.from({ length: 1200 }, () => token(a.id));
    await s.transaction(async (tx) => { for (const m of many) await tx.tokens.insert(m); });
    assert.equal(await s.tokens.revoke(many.map((m) => m.accessor), 9), 1200);
  });

  t('audit: append in order, read the head and ranges; a seq is never written twice', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    assert.equal(await s.audit.head(a.id), undefined);
    const rows = [1, 2, 3].map((seq) => ({ accountId: a.id, seq, at: 1000 + seq, body: `{"n":${String(seq)}}`, link: Buffer.alloc(32, seq) }));
    await s.audit.append(rows);
    assert.deepEqual(await s.audit.head(a.id), { seq: 3, link: Buffer.alloc(32, 3) });
    assert.deepEqual(await s.audit.list(a.id, 2), rows.slice(1));
    await assert.rejects(s.audit.append([rows[0] as (typeof rows)[number]]));
  });

  // Optimistic concurrency and atomicity.

  t('a stale revision changes nothing, and a missing id is not an update', async (s) => {
    const a = account({ authKeyHash: '$argon2id$stored' });
    await s.accounts.insert(a);
    const c = credential(a.id, { kekWrappedDek: Buffer.of(9, 9), kekId: 'kek-1' });
    await s.credentials.insert(c);
    const wrap = { kdfMemoryKiB: 1, kdfIterations: 1, salt: Buffer.alloc(16, 7), wrappedUserKey: Buffer.of(7), authKeyHash: null, updatedAt: 7 };
    const upd = { ciphertext: Buffer.of(7), wrappedDek: Buffer.of(7), kekWrappedDek: null, fingerprint: 'x', rotatedAt: 7 };
    for (const stale of [0, 2, 99]) {
      assert.equal(await s.accounts.updateKeyWrap(a.id, stale, wrap), false);
      assert.equal(await s.credentials.update(c.id, stale, upd), false);
    }
    assert.equal(await s.accounts.updateKeyWrap(randomUUID(), 1, wrap), false);
    assert.equal(await s.credentials.update(randomUUID(), 1, upd), false);
    assert.deepEqual(await s.accounts.findById(a.id), a);
    assert.deepEqual(await s.credentials.findById(c.id), c);
  });

  t('optional update fields: omitted keeps the stored value, null clears it', async (s) => {
    const a = account({ authKeyHash: '$argon2id$stored' });
    await s.accounts.insert(a);
    const wrap = { kdfMemoryKiB: 2, kdfIterations: 2, salt: Buffer.alloc(16, 2), wrappedUserKey: Buffer.of(2), updatedAt: 2 };
    assert.equal(await s.accounts.updateKeyWrap(a.id, 1, wrap), true);
    assert.equal((await s.accounts.findById(a.id))?.authKeyHash, '$argon2id$stored');
    assert.equal(await s.accounts.updateKeyWrap(a.id, 2, { ...wrap, authKeyHash: null }), true);
    assert.equal((await s.accounts.findById(a.id))?.authKeyHash, null);

    const c = credential(a.id, { custody: 'delegated', kekWrappedDek: Buffer.of(0, 0xff), kekId: 'kek-1' });
    await s.credentials.insert(c);
    const upd = { ciphertext: Buffer.of(1), wrappedDek: Buffer.of(1), fingerprint: 'f', rotatedAt: 1 };
    assert.equal(await s.credentials.update(c.id, 1, upd), true);
    assert.deepEqual((await s.credentials.findById(c.id))?.kekWrappedDek, Buffer.of(0, 0xff));
    assert.equal(await s.credentials.update(c.id, 2, { ...upd, kekWrappedDek: null }), true);
    assert.equal((await s.credentials.findById(c.id))?.kekWrappedDek, null);
  });

  t('key-wrap updates racing from one revision: exactly one wins, and the row is wholly its', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const updates: KeyWrapUpdate[] = Array.from({ length: 6 }, (_, i) => ({
      kdfMemoryKiB: 65536 + i, kdfIterations: 3 + i, salt: randomBytes(16), wrappedUserKey: randomBytes(72 + i),
      authKeyHash: `hash-${String(i)}`, updatedAt: 1000 + i,
    }));
    const results = await Promise.all(updates.map((u) => s.accounts.updateKeyWrap(a.id, 1, u)));
    assert.equal(results.filter(Boolean).length, 1, 'one winner');
    const won = updates[results.indexOf(true)];
    assert.deepEqual(await s.accounts.findById(a.id), { ...a, ...won, revision: 2 });
  });

  t('a throwing transaction also undoes updates and removals', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    await s.credentials.insert(c);
    await assert.rejects(s.transaction(async (tx) => {
      assert.equal(await tx.accounts.updateKeyWrap(a.id, 1, { kdfMemoryKiB: 1, kdfIterations: 1, salt: Buffer.alloc(16), wrappedUserKey: Buffer.of(1), updatedAt: 1 }), true);
      assert.equal(await tx.credentials.update(c.id, 1, { ciphertext: Buffer.of(1), wrappedDek: Buffer.of(1), fingerprint: 'f', rotatedAt: 1 }), true);
      assert.equal(await tx.credentials.remove(c.id), true);
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(await s.accounts.findById(a.id), a);
    assert.deepEqual(await s.credentials.findById(c.id), c);
  });

  t("a transaction's repositories refuse to run after it ended", async (s) => {
    let leaked: StoreTx | undefined;
    await s.transaction(async (tx) => {
      leaked = tx;
    });
    await assert.rejects(async () => leaked?.accounts.list(), isCode('KW_INTERNAL_ERROR'));
  });

  // Bytes and errors.

  t('binary columns: a view is stored as its own bytes; large blobs round-trip exactly', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const backing = Buffer.concat([Buffer.alloc(5, 0xee), Buffer.of(0, 0xff, 0, 0), Buffer.alloc(5, 0xee)]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 5, 4);
    const big = Buffer.concat([Buffer.of(0), randomBytes(64 * 1024), Buffer.of(0xff, 0)]);
    const c = credential(a.id, { ciphertext: big, wrappedDek: view });
    await s.credentials.insert(c);
    const got = await s.credentials.findById(c.id);
    assert.ok(got !== undefined && Buffer.from(got.ciphertext).equals(big));
    assert.deepEqual(Buffer.from(got.wrappedDek), Buffer.of(0, 0xff, 0, 0));
  });

  t('a refused row never puts its contents in the error', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const canaryName = `canary-${randomUUID()}`;
    const canaryBytes = Buffer.from(`CANARY-${randomUUID()}`);
    const leaks = (e: unknown): boolean => {
      const text = everything(e);
      return text.includes(canaryName) || text.includes(canaryBytes.toString('hex')) || text.includes(canaryBytes.toString());
    };
    const refused = async (op: Promise<unknown>, code: string): Promise<void> => {
      await assert.rejects(op, (e: unknown) => isCode(code)(e) && !leaks(e));
    };
    await s.credentials.insert(credential(a.id, { name: canaryName }));
    await refused(s.credentials.insert(credential(a.id, { name: canaryName, ciphertext: canaryBytes })), 'KW_CREDENTIAL_EXISTS');
    await refused(s.accounts.insert(account({ name: a.name, wrappedUserKey: canaryBytes })), 'KW_VAULT_EXISTS');
    const badCustody = { ...credential(a.id, { name: `${canaryName}-2`, ciphertext: canaryBytes }), custody: 'bogus' as Custody };
    await refused(s.credentials.insert(badCustody), 'KW_INPUT_INVALID');
    await refused(s.credentials.insert(credential(`${canaryName}-acct`, { ciphertext: canaryBytes })), 'KW_INPUT_INVALID');
  });

  t('a first nonce mark that loses the race does not spoil the transaction around it', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    await s.credentials.insert(c);
    await s.nonces.advance(c.id, undefined, 10n);
    await s.transaction(async (tx) => {
      assert.equal(await tx.nonces.advance(c.id, undefined, 20n), false);
      assert.equal(await tx.nonces.advance(c.id, 10n, 30n), true);
    });
    assert.equal(await s.nonces.get(c.id), 30n);
  });

  t('appendAudit commits rows on its own, and refuses a sequence number that exists, writing nothing', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const row = (seq: number) => ({ accountId: a.id, seq, at: seq, body: `{"n":${String(seq)}}`, link: Buffer.alloc(32, seq) });
    await s.appendAudit([row(1), row(2)]);
    assert.deepEqual((await s.audit.list(a.id)).map((r) => r.seq), [1, 2]);
    await assert.rejects(s.appendAudit([row(3), row(2)]));
    assert.deepEqual((await s.audit.list(a.id)).map((r) => r.seq), [1, 2], 'the batch is all or nothing');
  });
}
