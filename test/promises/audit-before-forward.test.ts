// DESIGN.md: every signed or refused request leaves an audit record, written before the request
// is forwarded; if it cannot be written, the request is refused and nothing reaches the exchange.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { request } from 'undici';
import { entriesOf, type AuditEntry } from '../../packages/keyward/src/audit/index.js';
import { verifyAudit } from '../../packages/keyward/src/main/index.js';
import { agent, clientRequests, makeVault, policy, pw, recordingUpstream, token } from '../helpers/agent.js';

const upstream = await recordingUpstream();
const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
const t = await token(home, policy({ credential: 'b', actions: ['read'] }));
const a = await agent(home, { binance: `${upstream.url}/binance` });
after(async () => {
  await a.close();
  await upstream.close();
});

const rows = (): { seq: number; body: string }[] => {
  const raw = new BetterSqlite3(join(home, 'vault.db'), { readonly: true });
  const r = raw.prepare('SELECT seq, body FROM audit_record ORDER BY seq').all() as { seq: number; body: string }[];
  raw.close();
  return r;
};
/** What the rows after the first `before` say: one entry per decision and per outcome (outcomes are written in groups). */
const entriesAfter = (before: number): AuditEntry[] => rows().slice(before).flatMap((r) => entriesOf(r.seq, r.body));
/** entriesAfter(before) once there are `n` (records reach the database within moments). */
async function entriesOnceThere(before: number, n: number): Promise<AuditEntry[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const e = entriesAfter(before);
    if (e.length >= n || Date.now() > until) return e;
    await new Promise((res) => setTimeout(res, 20));
  }
}

test('each request leaves a decision record (and an outcome when forwarded); the chain verifies', async () => {
  const before = rows().length;
  assert.equal((await request(`${a.url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t.token } })).statusCode, 200);
  assert.equal((await request(`${a.url}/binance/api/v3/order`, { method: 'POST', headers: { 'x-mbx-apikey': t.token, 'content-type': 'application/x-www-form-urlencoded' }, body: 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1' })).statusCode, 403);
  const added = await entriesOnceThere(before, 3);
  const decisions = added.filter((r) => r.kind === 'decision');
  assert.deepEqual(decisions.map((r) => [r.decision, r.reason]), [['allow', null], ['deny', 'KW_POLICY_ACTION_DENIED']]);
  const outcomes = added.filter((r) => r.kind === 'outcome');
  assert.equal(outcomes.length, 1, 'only the forwarded request has an outcome');
  assert.equal(outcomes[0]?.decision, decisions[0]?.seq, 'the outcome names its decision');
  assert.equal(outcomes[0]?.status, 200);
  const report = await verifyAudit({ home, db: undefined }, pw());
  assert.equal(report.ok, true, JSON.stringify(report.problems));
});

test('when the audit log cannot be written, the request is refused and never forwarded', async () => {
  // A second agent on the same vault: the log has one writer (the first agent), so the second
  // cannot write a decision, and refuses everything rather than send unaudited.
  const second = await agent(home, { binance: `${upstream.url}/binance` });
  const before = clientRequests(upstream.requests).length;
  try {
    const res = await request(`${second.url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t.token } });
    const body = await res.body.text();
    assert.equal(res.statusCode, 503, body);
    assert.match(body, /KW_GATEWAY_AUDIT_FAILED/);
  } finally {
    await second.close();
  }
  assert.equal(clientRequests(upstream.requests).length, before, 'nothing reached the exchange');
});

test('while another process holds the database\'s write lock, requests go on, audited: their records go in once it is free', async () => {
  const raw = new BetterSqlite3(join(home, 'vault.db'));
  raw.exec('BEGIN IMMEDIATE');
  const before = rows().length;
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(`${a.url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t.token } })).statusCode, 200);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rows().length, before, 'nothing in the database yet (the records are in the journal)');
  } finally {
    raw.exec('ROLLBACK');
    raw.close();
  }
  const added = await entriesOnceThere(before, 6);
  assert.deepEqual(added.map((r) => r.kind).sort(), ['decision', 'decision', 'decision', 'outcome', 'outcome', 'outcome']);
  const report = await verifyAudit({ home, db: undefined }, pw());
  assert.equal(report.ok, true, JSON.stringify(report.problems));
});

test('a client that hangs up mid-answer still leaves an outcome, saying so', async () => {
  // An exchange that sends its headers and part of its body, then takes its time over the rest.
  const slow = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"balances":[');
    setTimeout(() => res.end(']}'), 400);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const address = slow.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  // One agent writes a vault's audit log at a time: the first one is done.
  await a.close();
  const b = await agent(home, { binance: `http://127.0.0.1:${String(port)}/binance` });
  try {
    const before = rows().length;
    await new Promise<void>((resolve, reject) => {
      const { hostname, port: p } = new URL(b.url);
      const req = httpRequest({ hostname, port: p, path: '/binance/api/v3/account', headers: { 'x-mbx-apikey': t.token } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET') reject(e); });
      req.end();
    });
    await new Promise((r) => setTimeout(r, 200));
    await b.close();
    const added = entriesAfter(before);
    const decision = added.find((r) => r.kind === 'decision');
    const outcome = added.find((r) => r.kind === 'outcome');
    assert.ok(decision !== undefined && outcome !== undefined, JSON.stringify(added));
    assert.equal(outcome.decision, decision.seq, 'the outcome names its decision');
    assert.equal(outcome.error, 'ClientClosed');
  } finally {
    await b.close().catch(() => undefined);
    await new Promise<void>((r) => { slow.close(() => r()); slow.closeAllConnections(); });
  }
});
