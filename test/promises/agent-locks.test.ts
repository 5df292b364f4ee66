// DESIGN.md: secrets in use are zeroed when locked. The agent locks itself when idle and after its
// maximum unlocked time; then every request is refused (in the exchange's format) until unlocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startAgent } from '../../packages/keyward/src/main/index.js';
import { makeVault, policy, pw, recordingUpstream, token } from '../helpers/agent.js';

async function read(url: string, t: string): Promise<{ status: number; body: string }> {
  const r = await request(`${url}/binance/api/v3/account`, { headers: { 'x-mbx-apikey': t } });
  return { status: r.statusCode, body: await r.body.text() };
}

for (const which of ['idle', 'max'] as const) {
  test(`the agent locks after its ${which} time, refuses, and works again once unlocked`, async () => {
    const upstream = await recordingUpstream();
    const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
    const t = await token(home, policy({ credential: 'b', actions: ['read'] }));
    const a = await startAgent({
      location: { home, db: undefined }, host: '127.0.0.1', port: 0, sandbox: false, upstreams: { binance: `${upstream.url}/binance` },
      idleLockMs: which === 'idle' ? 300 : 60_000, maxUnlockMs: which === 'max' ? 300 : 60_000,
    }, pw());
    const reasons: string[] = [];
    a.onLock((r) => reasons.push(r));
    try {
      assert.equal((await read(a.url, t.token)).status, 200);
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(a.isLocked());
      assert.deepEqual(reasons, [which]);
      assert.deepEqual(a.credentials, [], 'no key is held');
      const refused = await read(a.url, t.token);
      assert.equal(refused.status, 503);
      assert.match(refused.body, /KW_VAULT_LOCKED/);
      await assert.rejects(a.unlock(pw('wrong password')), /Wrong password/);
      await a.unlock(pw());
      assert.equal((await read(a.url, t.token)).status, 200);
    } finally {
      await a.close();
      await upstream.close();
    }
  });
}

test('requests keep the idle lock away, but not the maximum, which counts from the unlock', async () => {
  const upstream = await recordingUpstream();
  const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
  const t = await token(home, policy({ credential: 'b', actions: ['read'] }));
  const a = await startAgent({
    location: { home, db: undefined }, host: '127.0.0.1', port: 0, sandbox: false, upstreams: { binance: `${upstream.url}/binance` },
    idleLockMs: 400, maxUnlockMs: 1200,
  }, pw());
  const reasons: string[] = [];
  a.onLock((r) => reasons.push(r));
  try {
    const started = Date.now();
    // A request every 100 ms: never idle for 400 ms, but unlocked for longer than 1,200 ms.
    while (Date.now() - started < 3000) {
      const { status } = await read(a.url, t.token);
      if (a.isLocked()) break;
      assert.equal(status, 200, `unlocked after ${String(Date.now() - started)} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(reasons, ['max']);
    const lockedAfter = Date.now() - started;
    assert.ok(lockedAfter >= 1100 && lockedAfter < 2000, `locked after ${String(lockedAfter)} ms`);
  } finally {
    await a.close();
    await upstream.close();
  }
});

test('the agent can listen on a Unix socket in a 0700 directory, the socket 0600', async () => {
  const { statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const http = await import('node:http');
  const upstream = await recordingUpstream();
  const { home } = await makeVault([{ name: 'b', exchange: 'binance', apiKey: 'K', secret: 'S' }]);
  const t = await token(home, policy({ credential: 'b', actions: ['read'] }));
  const dir = join(home, 'sock');
  const a = await startAgent({
    location: { home, db: undefined }, host: '127.0.0.1', port: 0, socketDir: dir, sandbox: false,
    upstreams: { binance: `${upstream.url}/binance` }, idleLockMs: 60_000, maxUnlockMs: 60_000,
  }, pw());
  try {
    assert.equal(a.url, `unix:${join(dir, 'gateway.sock')}`);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'gateway.sock')).mode & 0o777, 0o600);
    const status = await new Promise<number>((resolve, reject) => {
      http.request({ socketPath: join(dir, 'gateway.sock'), path: '/binance/api/v3/account', headers: { 'x-mbx-apikey': t.token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(status, 200);
  } finally {
    await a.close();
    await upstream.close();
  }
});
