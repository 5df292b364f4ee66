// Unmodified ccxt against the listening sandbox's /kraken dialect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import ccxt from 'ccxt';
import { krakenClient, replayLast, start } from './helpers.js';
import type { KeyMaterial, RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

let running: RunningSandbox;
let key: KeyMaterial;
let client: InstanceType<typeof ccxt.kraken>;

before(async () => {
  ({ running } = await start());
  key = running.sandbox.createKey({ exchange: 'kraken' });
  client = krakenClient(running.url, key);
  await client.loadMarkets();
});
after(async () => { await running.close(); });

test('kraken: markets (XBT is BTC), ticker, order book and balances through ccxt', async () => {
  assert.deepEqual(client.symbols, ['BTC/USDT', 'ETH/USDT', 'ILLIQ/USDT']);
  assert.equal(client.market('BTC/USDT').id, 'XBTUSDT');
  const ticker = await client.fetchTicker('BTC/USDT');
  assert.ok((ticker.bid ?? 0) < (ticker.ask ?? 0));
  assert.equal((await client.fetchOrderBook('BTC/USDT', 3)).bids.length, 3);
  const balance = await client.fetchBalance();
  assert.equal(balance.BTC?.total, 2);
  assert.equal(balance.USDT?.free, 100000);
});

test('kraken: a limit order is placed, fetched, listed and cancelled', async () => {
  const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 50000);
  assert.match(String(order.id), /^O[A-Z]{5}-[A-Z]{5}-[A-Z]{6}$/);
  const fetched = await client.fetchOrder(String(order.id));
  assert.deepEqual([fetched.status, fetched.price, fetched.amount], ['open', 50000, 0.1]);
  assert.equal((await client.fetchBalance()).USDT?.used, 5005);
  assert.deepEqual((await client.fetchOpenOrders()).map((o) => o.id), [order.id]);
  await client.cancelOrder(String(order.id));
  assert.equal((await client.fetchOrder(String(order.id))).status, 'canceled');
  await assert.rejects(client.cancelOrder(String(order.id)), ccxt.OrderNotFound);
});

test('kraken: a market order fills and moves balances', async () => {
  const order = await client.createOrder('ETH/USDT', 'market', 'sell', 1);
  const fetched = await client.fetchOrder(String(order.id));
  assert.deepEqual([fetched.status, fetched.filled], ['closed', 1]);
  assert.equal((await client.fetchBalance()).ETH?.total, 19);
  await assert.rejects(client.createOrder('BTC/USDT', 'limit', 'buy', 10, 50000), ccxt.InsufficientFunds);
});

test('kraken: a wrong secret gets EAPI:Invalid signature (ccxt has no finer class for it than ExchangeError)', async () => {
  const forged = krakenClient(running.url, { apiKey: key.apiKey, secret: Buffer.alloc(64, 9).toString('base64') });
  forged.markets = client.markets;
  forged.markets_by_id = client.markets_by_id;
  await assert.rejects(forged.fetchBalance(), (e: Error) => e instanceof ccxt.ExchangeError && !(e instanceof ccxt.InvalidNonce) && e.message.includes('EAPI:Invalid signature'));
});

test('kraken: an older nonce is ccxt.InvalidNonce, and a replayed request is refused without effect', async () => {
  const order = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 40000);
  const replay = await replayLast(client, 'POST');
  assert.deepEqual(replay, { status: 200, body: { error: ['EAPI:Invalid nonce'] } });
  assert.deepEqual((await client.fetchOpenOrders()).map((o) => o.id), [order.id], 'the replayed AddOrder placed nothing');
  const lagging = krakenClient(running.url, key);
  lagging.markets = client.markets;
  lagging.markets_by_id = client.markets_by_id;
  lagging.options.timeDifference = 60_000;
  await assert.rejects(lagging.fetchBalance(), ccxt.InvalidNonce);
  await client.cancelOrder(String(order.id));
});

test('kraken: only a withdraw-enabled key withdraws, and the sandbox records both attempts', async () => {
  await assert.rejects(client.withdraw('USDT', 40, 'TXaddress', undefined, { key: 'cold-wallet' }), ccxt.PermissionDenied);
  const w = krakenClient(running.url, running.sandbox.createKey({ exchange: 'kraken', permissions: ['read', 'trade', 'withdraw'] }));
  const tx = await w.withdraw('USDT', 40, 'TXaddress', undefined, { key: 'cold-wallet' });
  assert.match(String(tx.id), /^A[0-9A-F]{20}$/);
  assert.deepEqual(running.sandbox.withdrawals().map((x) => [x.exchange, x.asset, x.amount, x.address]), [['kraken', 'USDT', '40', 'TXaddress']]);
  assert.deepEqual(running.sandbox.withdrawalAttempts().map((x) => x.accepted), [false, true]);
});
