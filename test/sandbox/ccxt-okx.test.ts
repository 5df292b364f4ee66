// Unmodified ccxt against the listening sandbox's /okx dialect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ccxt from 'ccxt';
import { okxClient, start, type OffsetClock } from './helpers.js';
import type { KeyMaterial, RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

let running: RunningSandbox;
let clock: OffsetClock;
let key: KeyMaterial;
let client: InstanceType<typeof ccxt.okx>;

before(async () => {
  ({ running, clock } = await start());
  key = running.sandbox.createKey({ exchange: 'okx' });
  client = okxClient(running.url, key);
  await client.loadMarkets();
});
after(async () => { await running.close(); });

test('okx: markets, ticker, order book and balances through ccxt', async () => {
  assert.deepEqual(client.symbols, ['BTC/USDT', 'ETH/USDT', 'ILLIQ/USDT']);
  const ticker = await client.fetchTicker('ETH/USDT');
  assert.ok((ticker.bid ?? 0) < (ticker.ask ?? 0));
  assert.equal((await client.fetchOrderBook('BTC/USDT', 5)).asks.length, 5);
  const balance = await client.fetchBalance();
  assert.deepEqual([balance.USDT?.total, balance.BTC?.free], [100000, 2]);
});

test('okx: a limit order is placed (batch-orders), fetched, listed and cancelled', async () => {
  const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 50000);
  const fetched = await client.fetchOrder(String(order.id), 'BTC/USDT');
  assert.deepEqual([fetched.status, fetched.price, fetched.amount], ['open', 50000, 0.1]);
  assert.equal((await client.fetchBalance()).USDT?.used, 5005);
  assert.deepEqual((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.id), [order.id]);
  await client.cancelOrder(String(order.id), 'BTC/USDT');
  assert.equal((await client.fetchOrder(String(order.id), 'BTC/USDT')).status, 'canceled');
  await assert.rejects(client.cancelOrder(String(order.id), 'BTC/USDT'), ccxt.OrderNotFound);
});

test('okx: a market order fills and moves balances', async () => {
  const order = await client.createOrder('ETH/USDT', 'market', 'sell', 1);
  const fetched = await client.fetchOrder(String(order.id), 'ETH/USDT');
  assert.deepEqual([fetched.status, fetched.filled], ['closed', 1]);
  assert.equal((await client.fetchBalance()).ETH?.total, 19);
  await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 10, 50000), ccxt.InsufficientFunds);
});

test('okx: a wrong secret (50113) or passphrase (50105) is ccxt.AuthenticationError', async () => {
  for (const creds of [{ ...key, secret: 'A'.repeat(32) }, { ...key, passphrase: 'not-it' }]) {
    const forged = okxClient(running.url, creds);
    forged.markets = client.markets;
    await assert.rejects(forged.fetchBalance(), ccxt.AuthenticationError);
  }
});

test('okx: a timestamp 30 s off is ccxt.InvalidNonce (50102)', async () => {
  clock.offsetMs = 31_000;
  try {
    await assert.rejects(client.fetchBalance(), (e: Error) => e instanceof ccxt.InvalidNonce && e.message.includes('50102'));
  } finally {
    clock.offsetMs = 0;
  }
});

test('okx: only a withdraw-enabled key withdraws, and the sandbox records both attempts', async () => {
  await assert.rejects(client.withdraw('USDT', 30, 'TXaddress', undefined, { fee: '1' }), (e: Error) => e.message.includes('50120'));
  const w = okxClient(running.url, running.sandbox.createKey({ exchange: 'okx', permissions: ['read', 'trade', 'withdraw'] }));
  await w.withdraw('USDT', 30, 'TXaddress', undefined, { fee: '1' });
  assert.deepEqual(running.sandbox.withdrawals().map((x) => [x.exchange, x.asset, x.amount, x.address]), [['okx', 'USDT', '30', 'TXaddress']]);
  assert.deepEqual(running.sandbox.withdrawalAttempts().map((x) => x.accepted), [false, true]);
});
