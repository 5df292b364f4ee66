import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SecureBuffer, createBlake2bMac, createEd25519Key, createHmacKey } from '../crypto/index.js';
import type { ChainKey } from './chain.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { createAuditLog } from './audit-log.js';
import { appendCheckpoint, readCheckpoints } from './checkpoint.js';
import type { DecisionRecord, OutcomeEntry, OutcomesRecord } from './record.js';
import { canonicalJson } from './record.js';
import { verifyChain } from './verify.js';

const ACCOUNT = 'acct-1';
const chainKey = (): ChainKey => ({ v1: createHmacKey('sha256', SecureBuffer.random(32)), v2: createBlake2bMac(SecureBuffer.random(32)) });
const decision = (i: number): DecisionRecord => ({
  kind: 'decision', at: 1000 + i, token: 'kwa_0123456789abcdef0123', credential: 'binance-main', exchange: 'binance', method: 'POST',
  path: '/api/v3/order', action: 'trade', endpoint: 'POST /api/v3/order', order: { symbol: 'BTCUSDT', side: 'buy', notional: i },
  decision: i % 3 === 0 ? 'deny' : 'allow', reason: i % 3 === 0 ? 'KW_POLICY_DENIED' : null, sourceIp: '127.0.0.1',
});

async function setup(n: number): Promise<{ store: Store; path: string; dir: string; key: ChainKey; signer: ReturnType<typeof createEd25519Key>; verify: () => ReturnType<typeof verifyChain> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-audit-'));
  const path = join(dir, 'vault.db');
  const store = await openSqliteStore({ path, create: true });
  const key = chainKey();
  const signer = createEd25519Key(SecureBuffer.random(32));
  const checkpoints = join(dir, 'checkpoints.jsonl');
  const log = createAuditLog({
    store, key: key.v2,
    onCommit: (accountId, head) => appendCheckpoint(checkpoints, { accountId, seq: head.seq, link: head.link.toString('hex'), at: 5 }, signer),
  });
  const seqs = await Promise.all(Array.from({ length: n }, (_, i) => log.append(ACCOUNT, decision(i + 1))));
  assert.deepEqual(seqs, Array.from({ length: n }, (_, i) => i + 1));
  // The rows may still wait in the store's journal: into the database, where the tamperer edits.
  await store.flushAudit();
  return {
    store, path, dir, key, signer,
    verify: () => {
      const raw = new BetterSqlite3(path, { readonly: true });
      const rows = (raw.prepare('SELECT account_id, seq, at, body, link FROM audit_record WHERE account_id = ? ORDER BY seq').all(ACCOUNT) as { seq: number; at: number; body: string; link: Buffer }[])
        .map((r) => ({ accountId: ACCOUNT, seq: r.seq, at: r.at, body: r.body, link: r.link }));
      raw.close();
      return verifyChain(key, ACCOUNT, rows, readCheckpoints(checkpoints, signer.publicKey, ACCOUNT));
    },
  };
}

function sql(path: string, statement: string, ...params: unknown[]): void {
  const raw = new BetterSqlite3(path);
  raw.prepare(statement).run(...params);
  raw.close();
}

test('concurrent appends get contiguous sequence numbers, in few transactions, and verify', async () => {
  const { store, verify } = await setup(200);
  const report = verify();
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.records, 200);
  assert.ok(report.checkpoints >= 1 && report.checkpoints < 200, `group commit: ${String(report.checkpoints)} batches for 200 records`);
  await store.close();
});

test('an edited record is named', async () => {
  const { store, path, verify } = await setup(10);
  sql(path, "UPDATE audit_record SET body = replace(body, '\"deny\"', '\"allow\"') WHERE seq = 6");
  const p = verify().problems;
  assert.deepEqual([p[0]?.kind, p[0]?.seq], ['edited', 6]);
  assert.ok(p.slice(1).every((x) => x.kind === 'checkpoint-mismatch' && x.seq === 6), JSON.stringify(p));
  await store.close();
});

test('a deleted record is named', async () => {
  const { store, path, verify } = await setup(10);
  sql(path, 'DELETE FROM audit_record WHERE seq = 4');
  const p = verify().problems;
  assert.equal(p[0]?.kind, 'deleted');
  assert.equal(p[0]?.seq, 4);
  await store.close();
});

test('a record inserted by renumbering the rest is named', async () => {
  const { store, path, verify } = await setup(10);
  const raw = new BetterSqlite3(path);
  raw.prepare('UPDATE audit_record SET seq = seq + 100 WHERE seq >= 5').run();
  raw.prepare('UPDATE audit_record SET seq = seq - 99 WHERE seq >= 105').run();
  raw.prepare('INSERT INTO audit_record (account_id, seq, at, body, link) VALUES (?, 5, 0, ?, ?)').run(ACCOUNT, canonicalJson({ forged: true }), Buffer.alloc(32, 7));
  raw.close();
  const p = verify().problems;
  assert.equal(p[0]?.kind, 'inserted', JSON.stringify(p));
  assert.equal(p[0]?.seq, 5);
  await store.close();
});

test('a cut-off tail is caught by the signed checkpoints', async () => {
  const { store, path, verify } = await setup(10);
  sql(path, 'DELETE FROM audit_record WHERE seq > 7');
  const p = verify().problems;
  assert.deepEqual(p.map((x) => x.kind), ['cut-tail']);
  assert.match(p[0]?.detail ?? '', /ends at record 7.*vouches for 10: records 8-10 were removed/);
  await store.close();
});

test('a forged or edited checkpoint line is named, and cannot vouch', async () => {
  const { store, dir, verify } = await setup(3);
  const file = join(dir, 'checkpoints.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const forged = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
  forged.seq = 99;
  writeFileSync(file, [...lines, JSON.stringify(forged), ''].join('\n'));
  const p = verify().problems;
  assert.deepEqual(p.map((x) => x.kind), ['bad-checkpoint']);
  await store.close();
});

test('an append that cannot be written rejects, so the gateway refuses the request', async () => {
  const { store } = await setup(1);
  const log = createAuditLog({
    store: { audit: store.audit, appendAudit: () => Promise.reject(new Error('disk full')) },
    key: chainKey().v2,
  });
  await assert.rejects(log.append(ACCOUNT, decision(1)), /disk full/);
  await store.close();
});

test('outcomes are gathered into one linked record per account and write, in the order they came; the chain verifies', async () => {
  const { store, key, verify } = await setup(0);
  const appended: { accountId: string; body: string }[] = [];
  const log = createAuditLog({
    store: { audit: store.audit, appendAudit: async (rows) => { for (const r of rows) appended.push({ accountId: r.accountId, body: r.body }); await store.appendAudit(rows); } },
    key: key.v2,
  });
  const outcome = (decisionSeq: number): OutcomeEntry => ({ at: 2000 + decisionSeq, decision: decisionSeq, status: 200, latencyMs: decisionSeq / 10, error: null });
  for (let i = 1; i <= 300; i++) log.appendLater(ACCOUNT, outcome(i));
  log.appendLater('acct-2', outcome(7));
  assert.equal(appended.length, 0, 'nothing is written before the group closes');
  await log.drain();
  const groups = appended.map((a) => ({ accountId: a.accountId, ...(JSON.parse(a.body) as OutcomesRecord) }));
  // 300 outcomes of one account: two records (at most 256 each); one for the other account.
  assert.deepEqual(groups.map((g) => [g.accountId, g.kind, g.outcomes.length]), [[ACCOUNT, 'outcomes', 256], [ACCOUNT, 'outcomes', 44], ['acct-2', 'outcomes', 1]]);
  assert.deepEqual(groups.slice(0, 2).flatMap((g) => g.outcomes), Array.from({ length: 300 }, (_, i) => outcome(i + 1)));
  assert.equal(groups[0]?.at, 2256, 'a group is dated by its newest outcome');
  await store.flushAudit();
  assert.deepEqual((await store.audit.list(ACCOUNT)).map((r) => r.seq), [1, 2]);
  const report = verify();
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.records, 2);
  await store.close();
});
