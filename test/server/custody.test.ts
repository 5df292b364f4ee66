// Custody modes through the API: who can open a key, and when. Sealed keys sign only while the
// owner is unlocked; a token-bound key signs for the token bound to it after the owner has gone;
// a delegated key signs on the server's KEK alone, here a non-extractable key in SoftHSM2, whose
// token files never hold the canary.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binanceBot, connectBinance, signUp, startTestServer, type ApiClient, type TestServer } from '../helpers/server.js';

const policy = (credential: string) => ({
  credential, actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null,
  ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

async function issue(c: ApiClient, label: string, credential = 'main'): Promise<{ token: string; accessor: string }> {
  const r = await c.post<{ token: string; accessor: string }>('/api/v1/tokens', { label, policy: policy(credential) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function setCustody(c: ApiClient, id: string, custody: string): Promise<Record<string, unknown>> {
  const r = await c.request('PUT', `/api/v1/credentials/${id}/custody`, { custody });
  assert.equal(r.status, 200, r.text);
  return r.body as Record<string, unknown>;
}

async function connected(s: TestServer, email: string) {
  const c = s.client();
  const { userKey, accountId } = await signUp(c, email);
  assert.equal((await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) })).status, 200);
  const { response, key } = await connectBinance(s, c, userKey, accountId, 'main');
  userKey.release();
  assert.equal(response.status, 201, response.text);
  return { c, id: String(response.body.id), key };
}

test('sealed signs only while the owner is unlocked; token-bound signs for its bound token after the owner left', async () => {
  const s = await startTestServer();
  try {
    const { c, id } = await connected(s, 'custody@example.com');
    const before = await issue(c, 'issued while sealed');
    const view = await setCustody(c, id, 'token-bound');
    assert.equal(view.custody, 'token-bound');
    assert.match(String(view.whoCanOpen), /token/);
    const bound = await issue(c, 'bound bot');

    // Owner unlocked: both work.
    await binanceBot(bound.token, s.server.gatewayUrl).fetchBalance();
    await binanceBot(before.token, s.server.gatewayUrl).fetchBalance();

    // The owner signs out: the user key is wiped. Only the token whose share opens the key still signs.
    assert.equal((await c.post('/api/v1/auth/signout')).status, 204);
    const balance = await binanceBot(bound.token, s.server.gatewayUrl).fetchBalance() as unknown as { total: Record<string, number> };
    assert.ok('USDT' in balance.total);
    await assert.rejects(binanceBot(before.token, s.server.gatewayUrl).fetchBalance(), /KW_GATEWAY_NO_CREDENTIAL/);
  } finally {
    await s.close();
  }
});

test('leaving token-bound custody drops the bindings: the bound token stops signing once the owner is away', async () => {
  const s = await startTestServer();
  try {
    const { c, id } = await connected(s, 'unbind@example.com');
    await setCustody(c, id, 'token-bound');
    const bound = await issue(c, 'bound bot');
    await setCustody(c, id, 'sealed');
    assert.equal((await c.post('/api/v1/auth/signout')).status, 204);
    await assert.rejects(binanceBot(bound.token, s.server.gatewayUrl).fetchBalance(), /KW_GATEWAY_NO_CREDENTIAL/);
  } finally {
    await s.close();
  }
});

// SoftHSM2 for the delegated mode's KEK: a throwaway token directory for this file.
const MODULE = process.env.KEYWARD_TEST_SOFTHSM_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
const softhsm = existsSync(MODULE) && spawnSync('softhsm2-util', ['--version']).status === 0;
if (!softhsm && process.env.KEYWARD_REQUIRE_SOFTHSM === '1') throw new Error('SoftHSM2 unavailable and KEYWARD_REQUIRE_SOFTHSM=1');
const hsmRoot = mkdtempSync(join(tmpdir(), 'keyward-serve-hsm-'));
after(() => rmSync(hsmRoot, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

test('delegated on a PKCS#11 KEK: signs with the owner away, and the HSM\'s files never hold the secret', { skip: softhsm ? false : 'SoftHSM2 is not installed' }, async () => {
  const tokens = join(hsmRoot, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  writeFileSync(join(hsmRoot, 'softhsm2.conf'), `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = join(hsmRoot, 'softhsm2.conf');
  // A throwaway token: these PINs protect nothing, so argv is acceptable in this test only.
  const init = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'kw-serve', '--so-pin', '11223344', '--pin', '55667788'], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const pinFile = join(hsmRoot, 'pin');
  writeFileSync(pinFile, '55667788\n', { mode: 0o600 });

  const s = await startTestServer({ extraConfig: { kek: `pkcs11:module=${MODULE};token=kw-serve;key=server-kek;pin-file=${pinFile};create=true` } });
  let secret = '';
  try {
    const { c, id, key } = await connected(s, 'delegate@example.com');
    secret = key.secret;
    const view = await setCustody(c, id, 'delegated');
    assert.match(String(view.whoCanOpen), /key-encryption key/);
    const bot = await issue(c, 'night bot');
    assert.equal((await c.post('/api/v1/auth/signout')).status, 204);
    const balance = await binanceBot(bot.token, s.server.gatewayUrl).fetchBalance() as unknown as { total: Record<string, number> };
    assert.ok('USDT' in balance.total);
    assert.ok(!existsSync(join(s.dataDir, 'kek.key')), 'no key file: the HSM holds the KEK');
  } finally {
    await s.close();
  }
  const files = filesUnder(tokens);
  assert.ok(files.length > 0);
  for (const f of files) assert.equal(readFileSync(f).includes(Buffer.from(secret)), false, `the canary is in ${f}`);
});
