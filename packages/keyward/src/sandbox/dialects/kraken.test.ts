// The /kraken dialect through fastify inject(): HTTP 200 with {"error":[...]} for request faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createManualClock } from '../clock.js';
import { createSandbox } from '../sandbox.js';
import type { KeyMaterial } from '../keys.js';

const clock = createManualClock(1_700_000_000_000);
const sb = createSandbox({ seed: 'kraken-test', clock });
const trader = sb.createKey({ exchange: 'kraken' });
const withdrawer = sb.createKey({ exchange: 'kraken', permissions: ['read', 'trade', 'withdraw'], label: 'ops-key' });
let nonce = 1_700_000_000_000;

function apiSign(secretB64: string, path: string, n: string, body: string): string {
  const inner = createHash('sha256').update(n + body).digest();
  return createHmac('sha512', Buffer.from(secretB64, 'base64')).update(Buffer.concat([Buffer.from(path), inner])).digest('base64');
}

async function priv(method: string, params: string, opts: { key?: KeyMaterial; nonce?: number; secret?: string; json?: boolean } = {}) {
  const key = opts.key ?? trader;
  const n = String(opts.nonce ?? ++nonce);
  const path = `/0/private/${method}`;
  const body = opts.json === true
    ? JSON.stringify({ nonce: n, ...Object.fromEntries(new URLSearchParams(params)) })
    : `nonce=${n}${params === '' ? '' : `&${params}`}`;
  const res = await sb.app.inject({
    method: 'POST', url: `/kraken${path}`, payload: body,
    headers: {
      'api-key': key.apiKey, 'api-sign': apiSign(opts.secret ?? key.secret, path, n, body),
      'content-type': opts.json === true ? 'application/json' : 'application/x-www-form-urlencoded',
    },
  });
  assert.equal(res.statusCode, 200);
  return res.json<{ error: string[]; result?: Record<string, unknown> }>();
}

test('public market data in Kraken names', async () => {
  const pairs = (await sb.app.inject({ url: '/kraken/0/public/AssetPairs' })).json<{ result: Record<string, { base: string; quote: string }> }>();
  assert.deepEqual(Object.keys(pairs.result), ['XBTUSDT', 'ETHUSDT', 'ILLIQUSDT']);
  assert.equal(pairs.result.XBTUSDT?.base, 'XXBT');
  const depth = (await sb.app.inject({ url: '/kraken/0/public/Depth?pair=XBTUSDT&count=2' })).json<{ result: { XBTUSDT: { asks: unknown[] } } }>();
  assert.equal(depth.result.XBTUSDT.asks.length, 2);
  assert.deepEqual((await sb.app.inject({ url: '/kraken/0/public/Depth?pair=NOPE' })).json(), { error: ['EQuery:Unknown asset pair'] });
});

test('authentication: invalid key, invalid signature, and the signed path excludes the sandbox prefix', async () => {
  assert.deepEqual(await priv('Balance', '', { key: { ...trader, apiKey: 'nope' } }), { error: ['EAPI:Invalid key'] });
  assert.deepEqual(await priv('Balance', '', { secret: Buffer.alloc(64, 7).toString('base64') }), { error: ['EAPI:Invalid signature'] });
  const n = String(++nonce);
  const body = `nonce=${n}`;
  const res = await sb.app.inject({
    method: 'POST', url: '/kraken/0/private/Balance', payload: body,
    headers: { 'api-key': trader.apiKey, 'api-sign': apiSign(trader.secret, '/kraken/0/private/Balance', n, body), 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.deepEqual(res.json(), { error: ['EAPI:Invalid signature'] });
  const ok = await priv('Balance', '');
  assert.deepEqual(ok.error, []);
  assert.equal(ok.result?.XXBT, '2.0000000000');
});

test('nonces must increase per key; a forged request cannot burn one', async () => {
  const n = ++nonce;
  assert.deepEqual((await priv('Balance', '', { nonce: n })).error, []);
  assert.deepEqual(await priv('Balance', '', { nonce: n }), { error: ['EAPI:Invalid nonce'] }, 'reused');
  assert.deepEqual(await priv('Balance', '', { nonce: n - 1 }), { error: ['EAPI:Invalid nonce'] }, 'lower');
  assert.deepEqual(await priv('Balance', '', { nonce: n + 100, secret: Buffer.alloc(64, 1).toString('base64') }), { error: ['EAPI:Invalid signature'] });
  assert.deepEqual((await priv('Balance', '', { nonce: n + 1 })).error, [], 'the forged nonce was not recorded');
  assert.deepEqual((await priv('Balance', '', { key: withdrawer, nonce: 5 })).error, [], 'nonces are per key');
  nonce = n + 1;
});

test('JSON bodies are signed over the JSON text', async () => {
  const r = await priv('BalanceEx', '', { json: true });
  assert.deepEqual(r.error, []);
});

test('orders: add, query, list, cancel', async () => {
  const add = await priv('AddOrder', 'pair=XBTUSDT&type=buy&ordertype=limit&price=50000&volume=0.01');
  assert.deepEqual(add.error, []);
  const txid = (add.result?.txid as string[])[0] ?? '';
  assert.match(txid, /^O[A-Z]{5}-[A-Z]{5}-[A-Z]{6}$/);
  assert.deepEqual(add.result?.descr, { order: 'buy 0.01000000 XBTUSDT @ limit 50000.00' });
  const q = await priv('QueryOrders', `txid=${txid}&trades=true`);
  assert.equal((q.result?.[txid] as { status: string }).status, 'open');
  const open = await priv('OpenOrders', '');
  assert.deepEqual(Object.keys(open.result?.open as object), [txid]);
  assert.deepEqual((await priv('CancelOrder', `txid=${txid}`)).result, { count: 1 });
  assert.deepEqual(await priv('CancelOrder', 'txid=OAAAAA-BBBBB-CCCCCC'), { error: ['EOrder:Unknown order'] });
  assert.deepEqual(await priv('AddOrder', 'pair=XBTUSDT&type=buy&ordertype=limit&price=50000&volume=100'), { error: ['EOrder:Insufficient funds'] });
  const closed = await priv('ClosedOrders', '');
  assert.equal((closed.result?.closed as Record<string, { status: string }>)[txid]?.status, 'canceled');
});

test('GetApiKeyInfo reports Kraken permission names; Withdraw needs withdraw-funds', async () => {
  const info = await priv('GetApiKeyInfo', '', { key: withdrawer });
  assert.equal(info.result?.apiKeyName, 'ops-key');
  assert.ok((info.result?.permissions as string[]).includes('withdraw-funds'));
  const mine = await priv('GetApiKeyInfo', '');
  assert.equal((mine.result?.permissions as string[]).includes('withdraw-funds'), false);
  assert.deepEqual(await priv('Withdraw', 'asset=USDT&key=cold-wallet&amount=50'), { error: ['EGeneral:Permission denied'] });
  assert.equal(sb.withdrawals().length, 0);
  const ok = await priv('Withdraw', 'asset=USDT&key=cold-wallet&amount=50', { key: withdrawer });
  assert.deepEqual(ok.error, []);
  assert.deepEqual(sb.withdrawals().map((w) => [w.exchange, w.asset, w.amount, w.address]), [['kraken', 'USDT', '50', 'cold-wallet']]);
  assert.deepEqual(sb.withdrawalAttempts().map((a) => a.accepted), [false, true]);
});
