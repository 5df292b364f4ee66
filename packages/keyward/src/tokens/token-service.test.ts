import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer, createHmacKey } from '../crypto/index.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { createTokenService, parseStoredPolicy, ROOT_POLICY } from './token-service.js';

// A toy subset rule for these tests: policies are lists of allowed actions.
const isSubset = (child: unknown, parent: unknown): { ok: true } | { ok: false; reasons: string[] } => {
  if (parent === ROOT_POLICY) return { ok: true };
  const extra = (child as string[]).filter((a) => !(parent as string[]).includes(a));
  return extra.length === 0 ? { ok: true } : { ok: false, reasons: [`${extra.join(', ')} not in the parent`] };
};
const isCode = (code: string) => (e: unknown): boolean => e instanceof KeywardError && e.code === code;

async function setup(options: { remember?: boolean } = {}): Promise<{ store: Store; path: string; accountId: string; clock: { t: number }; svc: ReturnType<typeof createTokenService> }> {
  const path = join(mkdtempSync(join(tmpdir(), 'kw-tokens-')), 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  const accountId = randomUUID();
  await store.accounts.insert({ id: accountId, name: 'a', kdfMemoryKiB: 65536, kdfIterations: 3, salt: Buffer.alloc(16), wrappedUserKey: Buffer.alloc(73), authKeyHash: null,
    email: null, userKeyCheck: null, ipAllowlist: null, revision: 1, createdAt: 0, updatedAt: 0 });
  const clock = { t: 1000 };
  const svc = createTokenService({
    tokens: store.tokens, hashKey: createHmacKey('sha256', SecureBuffer.random(32)), now: () => clock.t, isSubset,
    ...(options.remember === true ? { changeStamp: () => store.tokenGeneration() } : {}),
  });
  return { store, path, accountId, clock, svc };
}

test('issue, verify, and only a hash is stored', async () => {
  const { store, accountId, svc } = await setup();
  const { token, row } = await svc.issue({ accountId, label: 'bot', policy: ['read', 'trade'] });
  assert.match(token, /^kw_[A-Za-z0-9_-]{43}$/);
  assert.match(row.accessor, /^kwa_[0-9a-f]{20}$/);
  const v = await svc.verify(token);
  assert.ok(v.ok);
  assert.deepEqual(parseStoredPolicy(v.token), ['read', 'trade']);
  // One character changed (never to itself: a token ending in A would otherwise stay the same, 1 run in 64).
  assert.deepEqual(await svc.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), { ok: false, code: 'KW_TOKEN_INVALID' });
  assert.deepEqual(await svc.verify('not-a-token'), { ok: false, code: 'KW_TOKEN_INVALID' });
  const stored = await store.tokens.findByAccessor(row.accessor);
  assert.ok(stored !== undefined && !Buffer.from(stored.hash).toString().includes(token.slice(3)));
  await store.close();
});

test('children only narrow, never outlive their parent, and use-limited tokens cannot mint', async () => {
  const { store, accountId, svc, clock } = await setup();
  const parent = await svc.issue({ accountId, label: 'p', policy: ['read', 'trade'], expiresAt: 5000 });
  await svc.issue({ accountId, parent: parent.row.accessor, label: 'c', policy: ['read'], expiresAt: 4000 });
  await assert.rejects(svc.issue({ accountId, parent: parent.row.accessor, label: 'c', policy: ['read', 'cancel'], expiresAt: 4000 }), isCode('KW_TOKEN_POLICY_NOT_SUBSET'));
  await assert.rejects(svc.issue({ accountId, parent: parent.row.accessor, label: 'c', policy: ['read'], expiresAt: 6000 }), isCode('KW_TOKEN_POLICY_NOT_SUBSET'));
  await assert.rejects(svc.issue({ accountId, parent: parent.row.accessor, label: 'c', policy: ['read'] }), isCode('KW_TOKEN_POLICY_NOT_SUBSET'), 'no expiry under an expiring parent');
  const limited = await svc.issue({ accountId, label: 'once', policy: ['read'], uses: 2 });
  await assert.rejects(svc.issue({ accountId, parent: limited.row.accessor, label: 'x', policy: ['read'] }), isCode('KW_TOKEN_USE_LIMITED'));
  // A check that sends nothing (an order preview) takes no use, however often it runs.
  for (let i = 0; i < 5; i++) assert.ok((await svc.verify(limited.token, { consume: false })).ok);
  assert.ok((await svc.verify(limited.token)).ok);
  assert.ok((await svc.verify(limited.token)).ok);
  assert.deepEqual(await svc.verify(limited.token), { ok: false, code: 'KW_TOKEN_EXHAUSTED' });
  clock.t = 5000;
  assert.deepEqual(await svc.verify(parent.token), { ok: false, code: 'KW_TOKEN_EXPIRED' });
  await store.close();
});

test('revoking a token revokes its whole subtree at the next verification, and nothing else', async () => {
  const { store, accountId, svc } = await setup();
  const a = await svc.issue({ accountId, label: 'a', policy: ['read', 'trade'] });
  const a1 = await svc.issue({ accountId, parent: a.row.accessor, label: 'a1', policy: ['read'] });
  const a11 = await svc.issue({ accountId, parent: a1.row.accessor, label: 'a11', policy: ['read'] });
  const b = await svc.issue({ accountId, label: 'b', policy: ['read'] });
  assert.equal(await svc.revoke(accountId, a.row.accessor), 3);
  for (const t of [a, a1, a11]) assert.deepEqual(await svc.verify(t.token), { ok: false, code: 'KW_TOKEN_REVOKED' });
  assert.ok((await svc.verify(b.token)).ok);
  await assert.rejects(svc.issue({ accountId, parent: a.row.accessor, label: 'late', policy: ['read'] }), isCode('KW_TOKEN_REVOKED'));
  await assert.rejects(svc.revoke(accountId, 'kwa_00000000000000000000'), isCode('KW_TOKEN_NOT_FOUND'));
  assert.equal(await svc.revokeAll(accountId), 2, 'b and the root');
  assert.deepEqual(await svc.verify(b.token), { ok: false, code: 'KW_TOKEN_REVOKED' });
  await store.close();
});

test('a cycle injected into the stored parent links: revocation still reaches every token, verification refuses', async () => {
  const { store, path, accountId, svc } = await setup();
  const a = await svc.issue({ accountId, label: 'a', policy: ['read'] });
  const b = await svc.issue({ accountId, parent: a.row.accessor, label: 'b', policy: ['read'] });
  const c = await svc.issue({ accountId, parent: b.row.accessor, label: 'c', policy: ['read'] });
  const raw = new BetterSqlite3(path);
  raw.prepare('UPDATE token SET parent_accessor = ? WHERE accessor = ?').run(c.row.accessor, a.row.accessor);
  raw.close();
  assert.deepEqual(await svc.verify(b.token), { ok: false, code: 'KW_TOKEN_INVALID' });
  assert.equal(await svc.revoke(accountId, b.row.accessor), 3);
  await store.close();
});

test('revoking an account of 1,000 tokens (break-glass) is one walk', async () => {
  const { store, accountId, svc } = await setup();
  let parent: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const t = await svc.issue({ accountId, ...(parent === undefined || i % 10 === 0 ? {} : { parent }), label: `t${String(i)}`, policy: ['read'] });
    parent = t.row.accessor;
  }
  assert.equal(await svc.revokeAll(accountId), 1001);
  assert.equal((await svc.list(accountId)).filter((t) => t.revokedAt === null).length, 0);
  await store.close();
});

test('remembered walks: another process\'s revocation, a broken parent link or a passing expiry is seen at the next verification', async () => {
  const { store, path, accountId, svc, clock } = await setup({ remember: true });
  const a = await svc.issue({ accountId, label: 'a', policy: ['read', 'trade'], expiresAt: 9000 });
  const b = await svc.issue({ accountId, parent: a.row.accessor, label: 'b', policy: ['read'], expiresAt: 8000 });
  const c = await svc.issue({ accountId, label: 'c', policy: ['read'] });
  const d = await svc.issue({ accountId, label: 'd', policy: ['read'] });
  const limited = await svc.issue({ accountId, label: 'once', policy: ['read'], uses: 1 });
  const verified = await svc.verify(b.token);
  assert.ok(verified.ok);
  assert.deepEqual(verified.chain.map((t) => t.accessor), [b.row.accessor, a.row.accessor]);
  assert.deepEqual(parseStoredPolicy(verified.token), ['read']);
  assert.ok((await svc.verify(b.token)).ok, 'answered from memory');
  // Another connection, as the CLI would: the trigger moves the generation.
  const raw = new BetterSqlite3(path);
  raw.prepare('UPDATE token SET revoked_at = 1 WHERE accessor = ?').run(a.row.accessor);
  assert.deepEqual(await svc.verify(b.token), { ok: false, code: 'KW_TOKEN_REVOKED' }, 'an ancestor revoked elsewhere');
  assert.ok((await svc.verify(c.token)).ok);
  raw.prepare('UPDATE token SET parent_accessor = ? WHERE accessor = ?').run('kwa_00000000000000000000', c.row.accessor);
  assert.deepEqual(await svc.verify(c.token), { ok: false, code: 'KW_TOKEN_REVOKED' }, 'a parent that no longer exists');
  raw.prepare('UPDATE token SET parent_accessor = accessor WHERE accessor = ?').run(d.row.accessor);
  assert.deepEqual(await svc.verify(d.token), { ok: false, code: 'KW_TOKEN_INVALID' }, 'a loop');
  raw.close();
  assert.ok((await svc.verify(limited.token)).ok);
  assert.deepEqual(await svc.verify(limited.token), { ok: false, code: 'KW_TOKEN_EXHAUSTED' }, 'uses are counted, not remembered');
  const e = await svc.issue({ accountId, label: 'e', policy: ['read'], expiresAt: 5000 });
  assert.ok((await svc.verify(e.token)).ok);
  clock.t = 5000;
  assert.deepEqual(await svc.verify(e.token), { ok: false, code: 'KW_TOKEN_EXPIRED' }, 'expiry is read at each verification');
  await store.close();
});
