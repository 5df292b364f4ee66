// Unmodified ccxt against the listening sandbox's /binance dialect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ccxt from 'ccxt';
import { binanceClient, start, type OffsetClock } from './helpers.js';
import type { KeyMaterial, RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

let running: RunningSandbox;
let clock: OffsetClock;
let key: KeyMaterial;
let client: InstanceType<typeof ccxt.binance>;

before(async () => {
  ({ running, clock } = await start());
  key = running.sandbox.createKey({ exchange: 'binance' });
  client = binanceClient(running.url, key);
  await client.loadMarkets();
});
after(async () => { await running.close(); });

test('binance: markets, ticker, order book and balances through ccxt', async () => {
  assert.deepEqual(client.symbols, ['BTC/USDT', 'ETH/USDT', 'ILLIQ/USDT']);
  const ticker = await client.fetchTicker('BTC/USDT');
  assert.ok((ticker.bid ?? 0) < (ticker.ask ?? 0));
  const book = await client.fetchOrderBook('ETH/USDT', 5);
  assert.equal(book.asks.length, 5);
  const balance = await client.fetchBalance();
  assert.equal(balance.USDT?.total, 100000);
  assert.equal(balance.BTC?.free, 2);
});

test('binance: a limit order is placed, fetched, listed and cancelled; its funds lock and return', async () => {
  const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 50000);
  assert.equal(order.status, 'open');
  assert.match(String(order.clientOrderId), /^x-TKT5PX2F/, 'ccxt injected its broker id and the sandbox kept it');
  assert.equal((await client.fetchBalance()).USDT?.used, 5005);
  const fetched = await client.fetchOrder(String(order.id), 'BTC/USDT');
  assert.deepEqual([fetched.status, fetched.price, fetched.amount], ['open', 50000, 0.1]);
  assert.deepEqual((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.id), [order.id]);
  const cancelled = await client.cancelOrder(String(order.id), 'BTC/USDT');
  assert.equal(cancelled.status, 'canceled');
  assert.equal((await client.fetchBalance()).USDT?.used, 0);
  await assert.rejects(client.cancelOrder(String(order.id), 'BTC/USDT'), ccxt.OrderNotFound);
});

test('binance: a market order fills against the book and moves both balances', async () => {
  const before = await client.fetchBalance();
  const order = await client.createOrder('ETH/USDT', 'market', 'sell', 1);
  assert.deepEqual([order.status, order.filled], ['closed', 1]);
  const afterwards = await client.fetchBalance();
  assert.equal(afterwards.ETH?.total, (before.ETH?.total ?? 0) - 1);
  assert.ok((afterwards.USDT?.total ?? 0) > (before.USDT?.total ?? 0) + 3000);
  await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 10, 50000), ccxt.InsufficientFunds);
});

test('binance: a wrong secret is refused as ccxt.AuthenticationError (-1022)', async () => {
  const forged = binanceClient(running.url, { apiKey: key.apiKey, secret: 'z'.repeat(64) });
  forged.markets = client.markets;
  await assert.rejects(forged.fetchBalance(), (e: Error) => e instanceof ccxt.AuthenticationError && e.message.includes('-1022'));
});

test('binance: a stale timestamp is refused as ccxt.InvalidNonce (-1021)', async () => {
  clock.offsetMs = 20_000;
  try {
    await assert.rejects(client.fetchBalance(), (e: Error) => e instanceof ccxt.InvalidNonce && e.message.includes('-1021'));
  } finally {
    clock.offsetMs = 0;
  }
});

test('binance: only a withdraw-enabled key withdraws, and the sandbox records both attempts', async () => {
  // ccxt reports -2015 as DDoSProtection once a key has authenticated successfully (Binance also
  // sends -2015 during temporary bans), so the code is what to check here.
  await assert.rejects(client.withdraw('USDT', 25, 'TXwithdrawAddress'), (e: Error) => e.message.includes('"code":-2015'));
  const w = binanceClient(running.url, running.sandbox.createKey({ exchange: 'binance', permissions: ['read', 'trade', 'withdraw'] }));
  const tx = await w.withdraw('USDT', 25, 'TXwithdrawAddress');
  assert.match(String(tx.id), /^[0-9a-f]{32}$/);
  const mine = running.sandbox.withdrawals().filter((x) => x.exchange === 'binance');
  assert.deepEqual(mine.map((x) => [x.asset, x.amount, x.address]), [['USDT', '25', 'TXwithdrawAddress']]);
  assert.deepEqual(running.sandbox.withdrawalAttempts().filter((x) => x.exchange === 'binance').map((x) => x.accepted), [false, true]);
});

test('binance: an Ed25519 key signs through ccxt as well', async () => {
  const ed = binanceClient(running.url, running.sandbox.createKey({ exchange: 'binance', keyType: 'ed25519' }));
  ed.markets = client.markets;
  const order = await ed.createOrder('ETH/USDT', 'limit', 'buy', 0.5, 2000);
  assert.equal((await ed.fetchOrder(String(order.id), 'ETH/USDT')).status, 'open');
});
