// The composed sandbox: admin routes, prefixes, listening, and determinism over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from './clock.js';
import { createSandbox, startSandbox } from './sandbox.js';

test('POST /admin/keys creates keys in each exchange form and refuses bad requests', async () => {
  const sb = createSandbox({ seed: 3, clock: createManualClock(1_700_000_000_000) });
  const res = await sb.app.inject({ method: 'POST', url: '/admin/keys', payload: { exchange: 'okx', permissions: ['read', 'trade', 'withdraw'], ipRestrict: ['127.0.0.1'], balances: { USDT: '5' } } });
  assert.equal(res.statusCode, 201);
  const key = res.json<{ apiKey: string; secret: string; passphrase: string; accountId: string; permissions: string[] }>();
  assert.deepEqual(key.permissions, ['read', 'trade', 'withdraw']);
  assert.equal(sb.account(key.accountId)?.balances.USDT?.free, '5');
  assert.equal(sb.account(key.accountId)?.balances.BTC?.free, '0');
  for (const bad of [{ exchange: 'ftx' }, { exchange: 'okx', permissions: ['transfer'] }, { exchange: 'okx', color: 'red' }, { exchange: 'okx', ipRestrict: ['x'] }, { exchange: 'okx', balances: { USDT: 'lots' } }]) {
    const r = await sb.app.inject({ method: 'POST', url: '/admin/keys', payload: bad });
    assert.equal(r.statusCode, 400, JSON.stringify(bad));
  }
  const w = await sb.app.inject({ url: '/admin/withdrawals' });
  assert.deepEqual(w.json(), { withdrawals: [], attempts: [] });
  const account = await sb.app.inject({ url: `/admin/accounts/${key.accountId}` });
  assert.equal(account.json<{ balances: Record<string, unknown> }>().balances.USDT !== undefined, true);
  assert.equal((await sb.app.inject({ url: '/admin/accounts/none' })).statusCode, 404);
  await sb.close();
});

test('keys may share one paper account', () => {
  const sb = createSandbox({ seed: 3 });
  const a = sb.createKey({ exchange: 'binance', accountId: 'desk-1' });
  const b = sb.createKey({ exchange: 'kraken', accountId: 'desk-1', balances: { USDT: '1' } });
  assert.equal(a.accountId, 'desk-1');
  assert.equal(b.accountId, 'desk-1');
  assert.equal(sb.account('desk-1')?.balances.USDT?.free, '100000', 'the first key opened the account');
});

test('the same seed and clock serve the same market over HTTP; another seed does not', async () => {
  const clock = createManualClock(1_700_000_000_000);
  const depth = async (seed: number): Promise<string> => {
    clock.set(1_700_000_000_000);
    const sb = createSandbox({ seed, clock });
    clock.advance(3_600_000);
    const body = (await sb.app.inject({ url: '/okx/api/v5/market/books?instId=BTC-USDT&sz=5' })).body;
    await sb.close();
    return body.replace(/"ts":"\d+"/, '');
  };
  assert.equal(await depth(11), await depth(11));
  assert.notEqual(await depth(11), await depth(12));
});

test('startSandbox listens on a free port, answers under each prefix, and closes', async () => {
  const running = await startSandbox({ seed: 5 });
  assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  for (const path of ['/binance/api/v3/ping', '/kraken/0/public/Time', '/coinbase/api/v3/brokerage/time', '/okx/api/v5/public/time']) {
    const res = await fetch(`${running.url}${path}`);
    assert.equal(res.status, 200, path);
  }
  assert.equal((await fetch(`${running.url}/ftx/api/v1/time`)).status, 404);
  await running.close();
  await assert.rejects(fetch(`${running.url}/binance/api/v3/ping`));
});
