import { start, binanceClient, coinbaseClient } from '/work/main/test/sandbox/helpers.js';
const { running } = await start();
try {
  const b = binanceClient(running.url, running.sandbox.createKey({ exchange: 'binance', keyType: 'ed25519' }));
  console.log('binance ed', (await b.fetchBalance()).total);
  const o = await b.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 3000); console.log(o.id);
  const c = coinbaseClient(running.url, running.sandbox.createKey({ exchange: 'coinbase', keyType: 'ed25519' }));
  console.log('cb ed', (await c.fetchBalance()).total);
  const o2 = await c.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 3000); console.log(o2.id);
} catch (e) { console.error('ERR', e); }
await running.close();
