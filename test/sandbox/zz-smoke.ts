import { start, binanceClient, krakenClient, okxClient, coinbaseClient } from '/work/main/test/sandbox/helpers.js';
const { running } = await start();
const which = process.argv[2];
try {
  const ex = which === 'binance' ? binanceClient(running.url, running.sandbox.createKey({ exchange: 'binance' }))
    : which === 'kraken' ? krakenClient(running.url, running.sandbox.createKey({ exchange: 'kraken' }))
    : which === 'okx' ? okxClient(running.url, running.sandbox.createKey({ exchange: 'okx' }))
    : coinbaseClient(running.url, running.sandbox.createKey({ exchange: 'coinbase' }));
  if (process.argv[3] === "v") ex.verbose = true;
  await ex.loadMarkets();
  console.log(Object.keys(ex.markets));
  console.log(await ex.fetchTicker('BTC/USDT'));
  const ob = await ex.fetchOrderBook('BTC/USDT', 5); console.log(ob.bids.slice(0,2), ob.asks.slice(0,2));
  const bal = await ex.fetchBalance(); console.log(bal.total);
  const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000); console.log('created', o.id, o.status);
  const f = await ex.fetchOrder(o.id, 'BTC/USDT'); console.log('fetched', f.id, f.status, f.price, f.amount);
  const open = await ex.fetchOpenOrders('BTC/USDT'); console.log('open', open.map((x) => x.id));
  const c = await ex.cancelOrder(o.id, 'BTC/USDT'); console.log('canceled', c.id, c.status);
  const f2 = await ex.fetchOrder(o.id, 'BTC/USDT'); console.log('after', f2.status);
  const m = await ex.createOrder('BTC/USDT', 'market', 'sell', 0.01); console.log('market', m.id, m.status, m.filled);
  console.log((await ex.fetchBalance()).total);
} catch (e) { console.error('ERR', e); }
await running.close();
