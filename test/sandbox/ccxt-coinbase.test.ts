// Unmodified ccxt against the listening sandbox's /coinbase dialect (Advanced Trade, CDP keys).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ccxt from 'ccxt';
import { coinbaseClient, start, type OffsetClock } from './helpers.js';
import type { KeyMaterial, RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

let running: RunningSandbox;
let clock: OffsetClock;
let key: KeyMaterial;
let client: InstanceType<typeof ccxt.coinbase>;

before(async () => {
  ({ running, clock } = await start());
  key = running.sandbox.createKey({ exchange: 'coinbase' });
  client = coinbaseClient(running.url, key);
  await client.loadMarkets();
});
after(async () => { await running.close(); });

test('coinbase: markets, ticker, order book and balances through ccxt (ES256 JWTs)', async () => {
  assert.deepEqual(client.symbols, ['BTC/USDT', 'ETH/USDT', 'ILLIQ/USDT']);
  const ticker = await client.fetchTicker('BTC/USDT');
  assert.ok((ticker.bid ?? 0) < (ticker.ask ?? 0));
  assert.equal((await client.fetchOrderBook('BTC/USDT', 5)).bids.length, 5);
  const balance = await client.fetchBalance();
  assert.deepEqual([balance.USDT?.total, balance.BTC?.total], [100000, 2]);
});

test('coinbase: a limit order is placed, fetched, listed and cancelled', async () => {
  const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 50000);
  const fetched = await client.fetchOrder(String(order.id), 'BTC/USDT');
  assert.deepEqual([fetched.status, fetched.price, fetched.amount], ['open', 50000, 0.1]);
  assert.equal((await client.fetchBalance({ v3: true })).USDT?.used, 5005);
  assert.deepEqual((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.id), [order.id]);
  await client.cancelOrder(String(order.id), 'BTC/USDT');
  assert.equal((await client.fetchOrder(String(order.id), 'BTC/USDT')).status, 'canceled');
  await assert.rejects(client.cancelOrder(String(order.id), 'BTC/USDT'), ccxt.BadRequest);
});

test('coinbase: a market order fills and moves balances', async () => {
  const order = await client.createOrder('ETH/USDT', 'market', 'sell', 1);
  const fetched = await client.fetchOrder(String(order.id), 'ETH/USDT');
  assert.deepEqual([fetched.status, fetched.filled], ['closed', 1]);
  assert.equal((await client.fetchBalance()).ETH?.total, 19);
  await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 10, 50000), ccxt.InsufficientFunds);
});

test('coinbase: a token signed by another key is ccxt.AuthenticationError', async () => {
  const stranger = running.sandbox.createKey({ exchange: 'coinbase' });
  const forged = coinbaseClient(running.url, { apiKey: key.apiKey, secret: stranger.secret });
  forged.markets = client.markets;
  await assert.rejects(forged.fetchBalance(), ccxt.AuthenticationError);
});

test('coinbase: an expired JWT (the exchange clock is 2 minutes ahead) is ccxt.AuthenticationError', async () => {
  clock.offsetMs = 121_000;
  try {
    await assert.rejects(client.fetchBalance(), (e: Error) => e instanceof ccxt.AuthenticationError && e.message.includes('token expired'));
  } finally {
    clock.offsetMs = 0;
  }
});

test('coinbase: an Ed25519 CDP key signs EdDSA JWTs that verify', async () => {
  const ed = coinbaseClient(running.url, running.sandbox.createKey({ exchange: 'coinbase', keyType: 'ed25519' }));
  ed.markets = client.markets;
  const order = await ed.createOrder('ETH/USDT', 'limit', 'buy', 0.5, 2000);
  assert.equal((await ed.fetchOrder(String(order.id), 'ETH/USDT')).status, 'open');
});

test('coinbase: only a key with the transfer scope can send, and the sandbox records both attempts', async () => {
  await assert.rejects(client.withdraw('USDT', 15, '0xabc'), ccxt.AuthenticationError);
  const w = coinbaseClient(running.url, running.sandbox.createKey({ exchange: 'coinbase', permissions: ['read', 'trade', 'withdraw'] }));
  await w.withdraw('USDT', 15, '0xabc');
  assert.deepEqual(running.sandbox.withdrawals().map((x) => [x.exchange, x.asset, x.amount, x.address]), [['coinbase', 'USDT', '15', '0xabc']]);
  assert.deepEqual(running.sandbox.withdrawalAttempts().map((x) => x.accepted), [false, true]);
});
