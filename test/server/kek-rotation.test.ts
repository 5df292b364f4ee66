// KEK rotation: with the server stopped, `rotateKek` rewraps the delegated data keys, the token-bound
// server shares and the server secret under a new KEK, and changes no ciphertext; the server then
// starts on the new KEK and its bots keep signing with their owners away. The old KEK no longer
// starts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadServerConfig } from '../../packages/keyward/src/config/index.js';
import { rotateKek } from '../../packages/keyward/src/main/index.js';
import { sealCredentialForUpload } from '../../packages/keyward/src/client/index.js';
import { SecureBuffer } from '../../packages/keyward/src/crypto/index.js';
import { startSandbox } from '../../packages/keyward/src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { binanceBot, signUp, startTestServer, type ApiClient } from '../helpers/server.js';

const policy = (credential: string) => ({
  credential, actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null,
  ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

async function issue(c: ApiClient, credential: string): Promise<string> {
  const r = await c.post<{ token: string }>('/api/v1/tokens', { label: credential, policy: policy(credential) });
  assert.equal(r.status, 201, r.text);
  return r.body.token;
}

test('rotating the KEK keeps delegated and token-bound bots signing, and changes no ciphertext', { timeout: 60_000 }, async (t) => {
  // One sandbox outlives both server runs, so the paper keys stay valid across the restart.
  const sandbox = await startSandbox({ seed: 7 });
  t.after(() => sandbox.close());
  const upstream = { sandbox: false, upstreams: { binance: `${sandbox.url}/binance` } };
  const connect = async (c: ApiClient, userKey: SecureBuffer, accountId: string, name: string) => {
    const res = await fetch(`${sandbox.url}/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exchange: 'binance', permissions: ['read', 'trade'] }) });
    const key = await res.json() as { apiKey: string; secret: string };
    const sealed = sealCredentialForUpload(userKey, accountId, { name, exchange: 'binance', apiKey: key.apiKey, secret: SecureBuffer.from(Buffer.from(key.secret), { wipeSource: true }) });
    const r = await c.post('/api/v1/credentials', { ...sealed, custody: 'sealed' });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const dataDir = tempDir('keyward-rotate-');
  const oldKek = `file:${join(dataDir, 'kek-old.key')}`;
  const newKek = `file:${join(dataDir, 'kek-new.key')}`;
  let s = await startTestServer({ dataDir, extraConfig: { kek: oldKek, ...upstream } });
  let delegatedBot = '';
  let boundBot = '';
  let before: Buffer[] = [];
  try {
    const c = s.client();
    const { userKey, accountId } = await signUp(c, 'rotate-kek@example.com');
    await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) });
    const a = await connect(c, userKey, accountId, 'auto');
    const b = await connect(c, userKey, accountId, 'bound');
    userKey.release();
    assert.equal((await c.request('PUT', `/api/v1/credentials/${String(a)}/custody`, { custody: 'delegated' })).status, 200);
    assert.equal((await c.request('PUT', `/api/v1/credentials/${String(b)}/custody`, { custody: 'token-bound' })).status, 200);
    delegatedBot = await issue(c, 'auto');
    boundBot = await issue(c, 'bound');
    const rows = await s.server.store.credentials.list(accountId);
    before = rows.map((r) => Buffer.from(r.ciphertext));
  } finally {
    await s.close();
  }

  const config = loadServerConfig({ env: {}, flags: { dataDir, kek: oldKek } });
  const report = await rotateKek(config, { defaultDataDir: dataDir, to: newKek });
  assert.deepEqual({ c: report.credentials, t: report.tokenBindings, s: report.serverSecret }, { c: 1, t: 1, s: true });

  // The old KEK no longer opens the server secret: the server refuses to start on it.
  await assert.rejects(startTestServer({ dataDir, extraConfig: { kek: oldKek, ...upstream } }), /wrapped by key-encryption key/);

  s = await startTestServer({ dataDir, extraConfig: { kek: newKek, ...upstream } });
  try {
    const accounts = await s.server.store.accounts.list();
    const rows = await s.server.store.credentials.list(accounts[0]?.id ?? '');
    assert.deepEqual(rows.map((r) => Buffer.from(r.ciphertext)), before, 'no ciphertext changed');
    // Nobody is signed in: the delegated key opens with the new KEK, the bound one with its token and the new KEK.
    await binanceBot(delegatedBot, s.server.gatewayUrl).fetchBalance();
    await binanceBot(boundBot, s.server.gatewayUrl).fetchBalance();
  } finally {
    await s.close();
  }
});
