// One suite that every Store implementation runs (Vault's ExerciseBackend, hono's
// common.case.test.ts): what the vault relies on, proved the same way for SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { KeywardError } from '@keyward/protocol/errors';
import type {
  AccountRow, CredentialRow, Custody, KeyWrapUpdate, NotificationRow, SecondFactorRow, SessionRow, Store, StoreTx, TokenKeyRow, TokenRow,
} from './store.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export function account(overrides: Partial<AccountRow> = {}): AccountRow {
  return {
    id: randomUUID(), name: `acct-${randomUUID()}`, kdfMemoryKiB: 65536, kdfIterations: 3,
    salt: Buffer.alloc(16, 0xff), wrappedUserKey: Buffer.concat([Buffer.of(0), ALL_BYTES.subarray(0, 72)]),
    authKeyHash: null, email: null, userKeyCheck: null, ipAllowlist: null, revision: 1, createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000, ...overrides,
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

  // Server accounts.

  t('accounts: e-mail is stored lower-cased, found case-insensitively, and unique', async (s) => {
    const a = account({ email: 'Alice@Example.COM', userKeyCheck: Buffer.concat([Buffer.of(0), randomBytes(31)]), ipAllowlist: ['10.0.0.0/8'] });
    await s.accounts.insert(a);
    const stored = { ...a, email: 'alice@example.com' };
    assert.deepEqual(await s.accounts.findByEmail('ALICE@example.com'), stored);
    assert.deepEqual(await s.accounts.findById(a.id), stored);
    assert.equal(await s.accounts.findByEmail('bob@example.com'), undefined);
    await assert.rejects(s.accounts.insert(account({ email: 'alice@EXAMPLE.com' })), isCode('KW_ACCOUNT_EXISTS'));
    await s.accounts.insert(account());
    await s.accounts.insert(account());
    assert.equal((await s.accounts.findById(a.id))?.email, 'alice@example.com', 'any number of accounts without an address');
  });

  t('accounts: setEmail moves the address, refuses one another account has, and reports a missing account', async (s) => {
    const tag = randomUUID();
    const a = account({ email: `a-${tag}@example.com` });
    const b = account({ email: `b-${tag}@example.com` });
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    await assert.rejects(s.accounts.setEmail(a.id, `B-${tag}@Example.com`), isCode('KW_ACCOUNT_EXISTS'));
    assert.equal((await s.accounts.findById(a.id))?.email, `a-${tag}@example.com`, 'nothing written');
    assert.equal(await s.accounts.setEmail(a.id, `A-${tag}@example.com`), true, 'its own address again');
    assert.equal(await s.accounts.setEmail(a.id, `New-${tag}@example.com`), true);
    assert.equal((await s.accounts.findByEmail(`new-${tag}@EXAMPLE.com`))?.id, a.id);
    assert.equal(await s.accounts.findByEmail(`a-${tag}@example.com`), undefined, 'the old address is free');
    assert.equal(await s.accounts.setEmail(randomUUID(), `nobody-${tag}@example.com`), false);
    // A refused address leaves the caller's transaction usable (no failed statement in it).
    await s.transaction(async (tx) => {
      await assert.rejects(tx.accounts.setEmail(b.id, `new-${tag}@example.com`), isCode('KW_ACCOUNT_EXISTS'));
      assert.equal(await tx.accounts.setEmail(b.id, `c-${tag}@example.com`), true);
    });
    assert.equal((await s.accounts.findById(b.id))?.email, `c-${tag}@example.com`);
  });

  t('accounts: the IP allowlist round-trips, and null clears it', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    assert.equal((await s.accounts.findById(a.id))?.ipAllowlist, null);
    assert.equal(await s.accounts.setIpAllowlist(a.id, ['192.0.2.0/24', '2001:db8::/32']), true);
    assert.deepEqual((await s.accounts.findById(a.id))?.ipAllowlist, ['192.0.2.0/24', '2001:db8::/32']);
    assert.equal(await s.accounts.setIpAllowlist(a.id, []), true);
    assert.deepEqual((await s.accounts.findById(a.id))?.ipAllowlist, []);
    assert.equal(await s.accounts.setIpAllowlist(a.id, null), true);
    assert.equal((await s.accounts.findById(a.id))?.ipAllowlist, null);
    assert.equal(await s.accounts.setIpAllowlist(randomUUID(), ['10.0.0.0/8']), false);
  });

  t('credentials: setCustody is conditional on the revision; listByCustody spans accounts', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const c = credential(a.id);
    const d = credential(b.id);
    await s.credentials.insert(c);
    await s.credentials.insert(d);
    assert.equal(await s.credentials.setCustody(c.id, 1, 'delegated', Buffer.of(0, 1, 0xff), 'kek-2'), true);
    assert.equal(await s.credentials.setCustody(c.id, 1, 'token-bound', null, null), false, 'stale revision');
    assert.deepEqual(await s.credentials.findById(c.id), { ...c, custody: 'delegated', kekWrappedDek: Buffer.of(0, 1, 0xff), kekId: 'kek-2', revision: 2 });
    assert.equal(await s.credentials.setCustody(d.id, 1, 'delegated', Buffer.of(7), 'kek-2'), true);
    assert.equal(await s.credentials.setCustody(randomUUID(), 1, 'sealed', null, null), false);
    const mine = (custody: Custody) => async (): Promise<string[]> =>
      (await s.credentials.listByCustody(custody)).map((r) => r.id).filter((id) => id === c.id || id === d.id).sort();
    assert.deepEqual(await mine('delegated')(), [c.id, d.id].sort());
    assert.equal(await s.credentials.setCustody(c.id, 2, 'sealed', null, null), true);
    assert.deepEqual(await mine('delegated')(), [d.id]);
    assert.deepEqual(await mine('sealed')(), [c.id]);
    assert.equal((await s.credentials.findById(c.id))?.kekWrappedDek, null);
  });

  t('credentials: removing one removes its check and its token bindings, and no one else\'s', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    const other = credential(a.id);
    await s.credentials.insert(c);
    await s.credentials.insert(other);
    const tok = token(a.id);
    await s.tokens.insert(tok);
    for (const cred of [c, other]) {
      await s.credentialChecks.put({ credentialId: cred.id, checkedAt: 5, ok: true, result: '{}' });
      await s.tokenKeys.insert(tokenKey(tok.accessor, cred.id));
    }
    assert.equal(await s.credentials.remove(c.id), true);
    assert.equal(await s.credentialChecks.get(c.id), undefined);
    assert.equal(await s.tokenKeys.find(tok.accessor, c.id), undefined);
    assert.deepEqual(await s.tokenKeys.listForCredential(c.id), []);
    assert.notEqual(await s.credentialChecks.get(other.id), undefined);
    assert.notEqual(await s.tokenKeys.find(tok.accessor, other.id), undefined);
  });

  t('tokens: setPolicy changes a live token only; revokeAll revokes root and children in one go', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const root = token(a.id);
    const child = token(a.id, { parentAccessor: root.accessor });
    const grandchild = token(a.id, { parentAccessor: child.accessor });
    const old = token(a.id, { revokedAt: 3 });
    const theirs = token(b.id);
    for (const x of [root, child, grandchild, old, theirs]) await s.tokens.insert(x);
    assert.equal(await s.tokens.setPolicy(child.accessor, '{"actions":["read","trade"]}'), true);
    assert.equal((await s.tokens.findByAccessor(child.accessor))?.policy, '{"actions":["read","trade"]}');
    assert.equal(await s.tokens.setPolicy(old.accessor, '{"actions":["trade"]}'), false, 'revoked');
    assert.equal((await s.tokens.findByAccessor(old.accessor))?.policy, old.policy);
    assert.equal(await s.tokens.setPolicy('kwa_unknown', '{}'), false);
    assert.equal(await s.tokens.revokeAll(a.id, 50), 3, 'the already revoked one is not counted');
    for (const x of [root, child, grandchild]) assert.equal((await s.tokens.findByAccessor(x.accessor))?.revokedAt, 50);
    assert.equal((await s.tokens.findByAccessor(old.accessor))?.revokedAt, 3, 'the first revocation time stays');
    assert.equal((await s.tokens.findByAccessor(theirs.accessor))?.revokedAt, null, 'another account is untouched');
    assert.equal(await s.tokens.revokeAll(a.id, 60), 0);
    assert.equal(await s.tokens.setPolicy(root.accessor, '{}'), false);
  });

  const factor = (accountId: string, overrides: Partial<SecondFactorRow> = {}): SecondFactorRow => ({
    id: randomUUID(), accountId, kind: 'totp', label: 'phone', secret: Buffer.concat([Buffer.of(0, 0xff), randomBytes(30)]), credentialId: null,
    counter: null, lastStep: null, transports: null, createdAt: 1000, usedAt: null, ...overrides,
  });

  t('second factors: round-trip, list in creation order, find a passkey by its credential id, remove', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const credentialId = `cred-${randomUUID()}`;
    const passkey = factor(a.id, { kind: 'passkey', credentialId, counter: 0, transports: '["usb"]', createdAt: 3000 });
    const totp = factor(a.id, { createdAt: 1000 });
    const codes = [factor(a.id, { kind: 'recovery', createdAt: 2000 }), factor(a.id, { kind: 'recovery', createdAt: 2000 })];
    for (const f of [passkey, totp, ...codes]) await s.secondFactors.insert(f);
    const sortedCodes = [...codes].sort((x, y) => (x.id < y.id ? -1 : 1));
    assert.deepEqual(await s.secondFactors.list(a.id), [totp, ...sortedCodes, passkey]);
    assert.deepEqual(await s.secondFactors.findByCredentialId(credentialId), passkey);
    assert.equal(await s.secondFactors.findByCredentialId('nope'), undefined);
    await assert.rejects(s.secondFactors.insert(factor(a.id, { kind: 'passkey', credentialId, counter: 0 })), 'a passkey is registered once');
    assert.equal(await s.secondFactors.removeKind(a.id, 'recovery'), 2);
    assert.equal(await s.secondFactors.remove(totp.id), true);
    assert.equal(await s.secondFactors.remove(totp.id), false);
    assert.deepEqual(await s.secondFactors.list(a.id), [passkey]);
  });

  t('second factors: a TOTP step is accepted once, and never an older one', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const f = factor(a.id);
    await s.secondFactors.insert(f);
    assert.equal(await s.secondFactors.advanceTotpStep(f.id, 100), true);
    assert.equal(await s.secondFactors.advanceTotpStep(f.id, 100), false, 'the same step again: a replay');
    assert.equal(await s.secondFactors.advanceTotpStep(f.id, 99), false, 'an older step');
    assert.equal(await s.secondFactors.advanceTotpStep(f.id, 101), true);
    assert.equal((await s.secondFactors.list(a.id))[0]?.lastStep, 101);
    const racing = await Promise.all(Array.from({ length: 5 }, () => s.secondFactors.advanceTotpStep(f.id, 200)));
    assert.equal(racing.filter(Boolean).length, 1, 'racing uses of one code: exactly one wins');
    assert.equal(await s.secondFactors.advanceTotpStep(randomUUID(), 300), false);
    const code = factor(a.id, { kind: 'recovery' });
    await s.secondFactors.insert(code);
    assert.equal(await s.secondFactors.advanceTotpStep(code.id, 300), false, 'only a TOTP factor has steps');
  });

  t('second factors: a recovery code is consumed once', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const code = factor(a.id, { kind: 'recovery' });
    await s.secondFactors.insert(code);
    const racing = await Promise.all([s.secondFactors.consumeRecovery(code.id, 10), s.secondFactors.consumeRecovery(code.id, 11)]);
    assert.equal(racing.filter(Boolean).length, 1);
    assert.equal(await s.secondFactors.consumeRecovery(code.id, 12), false);
    assert.ok([10, 11].includes((await s.secondFactors.list(a.id))[0]?.usedAt ?? -1));
    const totp = factor(a.id);
    await s.secondFactors.insert(totp);
    assert.equal(await s.secondFactors.consumeRecovery(totp.id, 13), false, 'only a recovery code is consumed');
  });

  t('second factors: a passkey counter must grow, unless the authenticator keeps none (both 0)', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const none = factor(a.id, { kind: 'passkey', credentialId: `c-${randomUUID()}`, counter: 0 });
    const counting = factor(a.id, { kind: 'passkey', credentialId: `c-${randomUUID()}`, counter: 5 });
    await s.secondFactors.insert(none);
    await s.secondFactors.insert(counting);
    assert.equal(await s.secondFactors.updatePasskeyCounter(none.id, 0, 20), true);
    assert.equal(await s.secondFactors.updatePasskeyCounter(none.id, 0, 21), true);
    assert.equal(await s.secondFactors.updatePasskeyCounter(counting.id, 5, 22), false, 'the same counter: a clone?');
    assert.equal(await s.secondFactors.updatePasskeyCounter(counting.id, 4, 23), false, 'a lower counter');
    assert.equal(await s.secondFactors.updatePasskeyCounter(counting.id, 0, 24), false, 'back to 0');
    assert.equal(await s.secondFactors.updatePasskeyCounter(counting.id, 2 ** 32 - 1, 25), true, 'the whole 32-bit range');
    assert.equal(await s.secondFactors.updatePasskeyCounter(none.id, 1, 26), true, 'a counter that starts counting');
    const byId = new Map((await s.secondFactors.list(a.id)).map((f) => [f.id, f]));
    assert.deepEqual([byId.get(counting.id)?.counter, byId.get(counting.id)?.usedAt], [2 ** 32 - 1, 25]);
    assert.deepEqual([byId.get(none.id)?.counter, byId.get(none.id)?.usedAt], [1, 26]);
    const totp = factor(a.id);
    await s.secondFactors.insert(totp);
    assert.equal(await s.secondFactors.updatePasskeyCounter(totp.id, 9, 27), false, 'only a passkey has a counter');
  });

  const session = (accountId: string, overrides: Partial<SessionRow> = {}): SessionRow => ({
    id: randomBytes(32).toString('hex'), accountId, createdAt: 1000, lastSeenAt: 1000, expiresAt: 90_000, reauthAt: null,
    ip: '192.0.2.1', userAgent: 'test', device: randomBytes(32).toString('hex'), csrf: Buffer.concat([Buffer.of(0), randomBytes(31)]),
    endedAt: null, endReason: null, ...overrides,
  });

  t('sessions: round-trip, list newest first, touch, re-auth and CSRF', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const older = session(a.id, { createdAt: 1000 });
    const newer = session(a.id, { createdAt: 2000, reauthAt: 2000 });
    await s.sessions.insert(older);
    await s.sessions.insert(newer);
    assert.deepEqual(await s.sessions.findById(older.id), older);
    assert.equal(await s.sessions.findById('nope'), undefined);
    assert.deepEqual(await s.sessions.list(a.id), [newer, older]);
    await s.sessions.touch(older.id, 3000);
    await s.sessions.setReauth(older.id, 3100);
    await s.sessions.setCsrf(older.id, Buffer.of(0xff, 0, 1));
    assert.deepEqual(await s.sessions.findById(older.id), { ...older, lastSeenAt: 3000, reauthAt: 3100, csrf: Buffer.of(0xff, 0, 1) });
  });

  t('sessions: end once; endAll ends the live ones but the one kept, and only the account\'s own', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const one = session(a.id, { createdAt: 1 });
    const two = session(a.id, { createdAt: 2 });
    const three = session(a.id, { createdAt: 3 });
    const four = session(a.id, { createdAt: 4 });
    const theirs = session(b.id);
    for (const x of [one, two, three, four, theirs]) await s.sessions.insert(x);
    assert.equal(await s.sessions.end(one.id, 10, 'signed out'), true);
    assert.equal(await s.sessions.end(one.id, 11, 'again'), false);
    assert.equal(await s.sessions.end('nope', 11, 'unknown'), false);
    assert.equal(await s.sessions.endAll(a.id, 20, 'password changed', two.id), 2);
    const byId = new Map((await s.sessions.list(a.id)).map((x) => [x.id, x]));
    assert.deepEqual([byId.get(one.id)?.endedAt, byId.get(one.id)?.endReason], [10, 'signed out']);
    assert.deepEqual([byId.get(two.id)?.endedAt, byId.get(two.id)?.endReason], [null, null]);
    assert.deepEqual([byId.get(three.id)?.endedAt, byId.get(four.id)?.endReason], [20, 'password changed']);
    assert.equal((await s.sessions.findById(theirs.id))?.endedAt, null);
    assert.equal(await s.sessions.endAll(a.id, 30, 'break-glass'), 1);
    assert.equal((await s.sessions.findById(two.id))?.endReason, 'break-glass');
    assert.equal(await s.sessions.endAll(a.id, 40, 'again'), 0);
  });

  t('sessions: known devices and addresses, per account, ended sessions included', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const x = session(a.id, { ip: '198.51.100.7', endedAt: 5, endReason: 'expired' });
    await s.sessions.insert(x);
    assert.equal(await s.sessions.knownDevice(a.id, x.device), true);
    assert.equal(await s.sessions.knownDevice(a.id, 'other'), false);
    assert.equal(await s.sessions.knownDevice(b.id, x.device), false);
    assert.equal(await s.sessions.knownAddress(a.id, '198.51.100.7'), true);
    assert.equal(await s.sessions.knownAddress(a.id, '198.51.100.8'), false);
    assert.equal(await s.sessions.knownAddress(b.id, '198.51.100.7'), false);
  });

  const notification = (accountId: string, overrides: Partial<NotificationRow> = {}): NotificationRow => ({
    id: randomUUID(), accountId, at: 1000, kind: 'new-login', title: 'New sign-in', body: 'From 192.0.2.1', readAt: null, emailedAt: null,
    ...overrides,
  });

  t('notifications: newest first, limit, unread only, marked read only for their own account, counted', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const rows = [1, 2, 3, 4].map((i) => notification(a.id, { at: i * 100 }));
    const theirs = notification(b.id);
    for (const r of [...rows, theirs]) await s.notifications.insert(r);
    const [n1, n2, n3, n4] = rows.map((r) => r.id) as [string, string, string, string];
    assert.deepEqual((await s.notifications.list(a.id)).map((r) => r.id), [n4, n3, n2, n1]);
    assert.deepEqual(await s.notifications.list(a.id, { limit: 2 }), [rows[3], rows[2]]);
    assert.equal(await s.notifications.unreadCount(a.id), 4);
    assert.equal(await s.notifications.markRead(a.id, [n1, n3, theirs.id, 'nope'], 500), 2, "another account's is not marked");
    assert.equal((await s.notifications.list(b.id))[0]?.readAt, null);
    assert.equal(await s.notifications.markRead(a.id, [n1], 600), 0, 'already read');
    assert.equal(await s.notifications.markRead(a.id, [], 600), 0);
    assert.deepEqual((await s.notifications.list(a.id, { unreadOnly: true })).map((r) => r.id), [n4, n2]);
    assert.deepEqual((await s.notifications.list(a.id, { unreadOnly: true, limit: 1 })).map((r) => r.id), [n4]);
    assert.equal((await s.notifications.list(a.id)).find((r) => r.id === n1)?.readAt, 500);
    assert.equal(await s.notifications.unreadCount(a.id), 2);
    assert.equal(await s.notifications.unreadCount(b.id), 1);
    await s.notifications.markEmailed(n2, 700);
    assert.equal((await s.notifications.list(a.id)).find((r) => r.id === n2)?.emailedAt, 700);
  });

  t('notifications: the default limit is 50', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    await s.transaction(async (tx) => {
      for (let i = 0; i < 55; i++) await tx.notifications.insert(notification(a.id, { at: i }));
    });
    const got = await s.notifications.list(a.id);
    assert.equal(got.length, 50);
    assert.equal(got[0]?.at, 54);
    assert.equal(await s.notifications.unreadCount(a.id), 55);
  });

  const tokenKey = (tokenAccessor: string, credentialId: string, overrides: Partial<TokenKeyRow> = {}): TokenKeyRow => ({
    tokenAccessor, credentialId, serverShare: Buffer.concat([Buffer.of(0), randomBytes(40), Buffer.of(0xff)]), kekId: 'kek-1',
    wrappedDek: Buffer.concat([Buffer.of(0xff), randomBytes(72)]), createdAt: 1000, ...overrides,
  });

  t('token keys: find, list per credential, remove for tokens and for a credential; a token revoked by deletion takes its own', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const c = credential(a.id);
    const d = credential(a.id);
    await s.credentials.insert(c);
    await s.credentials.insert(d);
    const t1 = token(a.id);
    const t2 = token(a.id);
    const t3 = token(a.id);
    for (const x of [t1, t2, t3]) await s.tokens.insert(x);
    const k1 = tokenKey(t1.accessor, c.id, { createdAt: 1 });
    const k2 = tokenKey(t2.accessor, c.id, { createdAt: 2 });
    const k3 = tokenKey(t3.accessor, c.id, { createdAt: 3 });
    const k4 = tokenKey(t1.accessor, d.id);
    for (const k of [k1, k2, k3, k4]) await s.tokenKeys.insert(k);
    await assert.rejects(s.tokenKeys.insert(tokenKey(t1.accessor, c.id)), 'one binding per token and credential');
    assert.deepEqual(await s.tokenKeys.find(t1.accessor, c.id), k1);
    assert.equal(await s.tokenKeys.find(t2.accessor, d.id), undefined);
    assert.deepEqual(await s.tokenKeys.listForCredential(c.id), [k1, k2, k3]);
    assert.equal(await s.tokenKeys.removeForTokens([t1.accessor, 'kwa_unknown']), 2);
    assert.equal(await s.tokenKeys.removeForTokens([]), 0);
    assert.deepEqual(await s.tokenKeys.listForCredential(c.id), [k2, k3]);
    assert.deepEqual(await s.tokenKeys.listForCredential(d.id), []);
    assert.equal(await s.tokenKeys.removeForCredential(c.id), 2);
    assert.equal(await s.tokenKeys.removeForCredential(c.id), 0);
    await assert.rejects(s.tokenKeys.insert(tokenKey('kwa_unknown', c.id)), isCode('KW_INPUT_INVALID'), 'a binding needs its token');
  });

  t('credential checks: put replaces the last check; listDue finds never-checked and stale keys of server accounts', async (s) => {
    const server = account({ email: `srv-${randomUUID()}@example.com` });
    const local = account();
    await s.accounts.insert(server);
    await s.accounts.insert(local);
    const never = credential(server.id, { createdAt: 1 });
    const stale = credential(server.id, { createdAt: 2 });
    const fresh = credential(server.id, { createdAt: 3 });
    const edge = credential(server.id, { createdAt: 4 });
    const localOne = credential(local.id);
    for (const c of [never, stale, fresh, edge, localOne]) await s.credentials.insert(c);
    await s.credentialChecks.put({ credentialId: stale.id, checkedAt: 100, ok: true, result: '{"permissions":["read"]}' });
    await s.credentialChecks.put({ credentialId: fresh.id, checkedAt: 100, ok: true, result: '{}' });
    await s.credentialChecks.put({ credentialId: fresh.id, checkedAt: 900, ok: false, result: '{"refusal":"withdraw"}' });
    await s.credentialChecks.put({ credentialId: edge.id, checkedAt: 500, ok: true, result: '{}' });
    assert.deepEqual(await s.credentialChecks.get(fresh.id), { credentialId: fresh.id, checkedAt: 900, ok: false, result: '{"refusal":"withdraw"}' });
    assert.deepEqual(await s.credentialChecks.get(stale.id), { credentialId: stale.id, checkedAt: 100, ok: true, result: '{"permissions":["read"]}' });
    assert.equal(await s.credentialChecks.get(never.id), undefined);
    const ours = new Set([never.id, stale.id, fresh.id, edge.id, localOne.id]);
    const due = (await s.credentialChecks.listDue(500)).filter((c) => ours.has(c.id));
    assert.deepEqual(due, [never, stale], 'checked at 500 is not older than 500; the local account is not the server\'s');
    await assert.rejects(s.credentialChecks.put({ credentialId: randomUUID(), checkedAt: 1, ok: true, result: '{}' }), isCode('KW_INPUT_INVALID'));
  });

  t('meta: put replaces, putIfAbsent keeps the first value, racing writers all read the winner', async (s) => {
    const key = `test-${randomUUID()}`;
    assert.equal(await s.meta.get(key), undefined);
    await s.meta.put(key, Buffer.of(0, 1, 0xff));
    assert.deepEqual(await s.meta.get(key), Buffer.of(0, 1, 0xff));
    await s.meta.put(key, Buffer.of(2));
    assert.deepEqual(await s.meta.get(key), Buffer.of(2));
    const fresh = `test-${randomUUID()}`;
    assert.deepEqual(await s.meta.putIfAbsent(fresh, Buffer.of(0xaa, 0)), Buffer.of(0xaa, 0));
    assert.deepEqual(await s.meta.putIfAbsent(fresh, Buffer.of(0xbb)), Buffer.of(0xaa, 0), 'first writer wins');
    const racing = `test-${randomUUID()}`;
    const values = Array.from({ length: 5 }, () => randomBytes(32));
    const got = await Promise.all(values.map((v) => s.meta.putIfAbsent(racing, v)));
    const stored = await s.meta.get(racing);
    assert.ok(stored !== undefined && values.some((v) => v.equals(stored)));
    for (const g of got) assert.deepEqual(g, stored);
    assert.equal(await s.meta.get('format_version'), undefined, 'the migrations\' bookkeeping is not reachable');
  });

  t('portfolio snapshots: idempotent per account and moment, listed oldest first, since, limit, quote, latest', async (s) => {
    const a = account();
    const b = account();
    await s.accounts.insert(a);
    await s.accounts.insert(b);
    const snap = (at: number, total: string, quote = 'USDT') => ({ accountId: a.id, at, quote, total });
    for (const at of [3000, 1000, 2000]) assert.equal(await s.portfolioSnapshots.record(snap(at, `${String(at)}.5`)), true);
    assert.equal(await s.portfolioSnapshots.record(snap(2000, '9')), false, 'the same moment again changes nothing');
    await s.portfolioSnapshots.record(snap(2500, '0.000000000000000001', 'BTC'));
    await s.portfolioSnapshots.record({ accountId: b.id, at: 5000, quote: 'USDT', total: '1' });
    assert.deepEqual(await s.portfolioSnapshots.list(a.id, { quote: 'USDT' }), [snap(1000, '1000.5'), snap(2000, '2000.5'), snap(3000, '3000.5')]);
    assert.deepEqual((await s.portfolioSnapshots.list(a.id)).map((r) => r.at), [1000, 2000, 2500, 3000]);
    assert.deepEqual((await s.portfolioSnapshots.list(a.id, { since: 2000 })).map((r) => r.at), [2000, 2500, 3000]);
    assert.deepEqual((await s.portfolioSnapshots.list(a.id, { limit: 2 })).map((r) => r.at), [1000, 2000]);
    assert.equal((await s.portfolioSnapshots.list(a.id, { quote: 'BTC' }))[0]?.total, '0.000000000000000001', 'the decimal is kept exactly');
    assert.deepEqual(await s.portfolioSnapshots.latest(a.id), snap(3000, '3000.5'));
    assert.deepEqual(await s.portfolioSnapshots.latest(a.id, 'BTC'), snap(2500, '0.000000000000000001', 'BTC'));
    assert.equal(await s.portfolioSnapshots.latest(a.id, 'EUR'), undefined);
    assert.deepEqual(await s.portfolioSnapshots.list('nobody'), []);
    await assert.rejects(s.portfolioSnapshots.record({ accountId: 'nobody', at: 1, quote: 'USDT', total: '1' }), 'the account must exist');
    await assert.rejects(s.transaction(async (tx) => {
      await tx.portfolioSnapshots.record(snap(4000, '4'));
      throw new Error('boom');
    }), /boom/);
    assert.equal((await s.portfolioSnapshots.latest(a.id))?.at, 3000, 'rolled back with its transaction');
  });

  t('the new repositories take part in transactions', async (s) => {
    const a = account();
    await s.accounts.insert(a);
    const key = `test-${randomUUID()}`;
    await assert.rejects(s.transaction(async (tx) => {
      await tx.sessions.insert(session(a.id));
      await tx.notifications.insert(notification(a.id));
      await tx.secondFactors.insert(factor(a.id));
      await tx.meta.put(key, Buffer.of(1));
      await tx.accounts.setEmail(a.id, `tx-${randomUUID()}@example.com`);
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(await s.sessions.list(a.id), []);
    assert.deepEqual(await s.notifications.list(a.id), []);
    assert.deepEqual(await s.secondFactors.list(a.id), []);
    assert.equal(await s.meta.get(key), undefined);
    assert.equal((await s.accounts.findById(a.id))?.email, null);
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
