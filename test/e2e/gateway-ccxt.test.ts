// The heart of Keyward, end to end: unmodified ccxt clients, configured with a Keyward token as
// their API key and the agent as their base URL, trade on the sandbox exchange through the
// gateway: balance, place, query, cancel. A withdrawal is refused on every exchange and never
// reaches the sandbox.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import ccxt from 'ccxt';
import { request } from 'undici';
import { agent, makeVault, policy, token } from '../helpers/agent.js';

const { home } = await makeVault([]);
const a = await agent(home, {}, { sandbox: true });
after(() => a.close());
const sandboxUrl = a.sandboxUrl ?? '';

// A throwaway EC key: ccxt signs Coinbase JWTs itself, so it needs some key; the gateway discards
// that JWT and reads only the token in its `sub`.
const throwawayPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();

type Client = InstanceType<typeof ccxt.Exchange>;
const CLIENTS: Record<string, { symbol: string; make: (t: string) => Client }> = {
  binance: {
    symbol: 'BTC/USDT',
    make: (t) => new ccxt.binance({
      apiKey: t, secret: 'not-the-secret', enableRateLimit: false,
      urls: { api: { public: `${a.url}/binance/api/v3`, private: `${a.url}/binance/api/v3`, sapi: `${a.url}/binance/sapi/v1` } },
      options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false },
    }),
  },
  kraken: {
    symbol: 'BTC/USDT',
    // ccxt base64-decodes a Kraken secret, so the placeholder must be base64.
    make: (t) => new ccxt.kraken({ apiKey: t, secret: 'bm90LXRoZS1zZWNyZXQ=', enableRateLimit: false, urls: { api: { public: `${a.url}/kraken`, private: `${a.url}/kraken` } } }),
  },
  okx: {
    symbol: 'BTC/USDT',
    make: (t) => new ccxt.okx({ apiKey: t, secret: 'not-the-secret', password: 'not-the-passphrase', enableRateLimit: false, urls: { api: { rest: `${a.url}/okx` } }, options: { fetchMarkets: { types: ['spot'] } } }),
  },
  coinbase: {
    symbol: 'BTC/USDT',
    make: (t) => new ccxt.coinbase({ apiKey: t, secret: throwawayPem, enableRateLimit: false, urls: { api: { rest: `${a.url}/coinbase` } } }),
  },
};

for (const [exchange, { symbol, make }] of Object.entries(CLIENTS)) {
  test(`ccxt ${exchange} through the gateway: balance, place, query, cancel; withdrawal refused`, { timeout: 60_000 }, async () => {
    const t = await token(home, policy({ credential: `sandbox-${exchange}`, actions: ['read', 'trade', 'cancel'], priceBandPercent: 10, maxOrderNotional: 100_000 }));
    const ex = make(t.token);
    await ex.loadMarkets();
    const balance = await ex.fetchBalance();
    assert.ok(Number(balance.USDT?.free ?? 0) > 0, `${exchange}: USDT balance ${JSON.stringify(balance.USDT)}`);
    const ticker = await ex.fetchTicker(symbol);
    const price = Math.round((ticker.bid ?? ticker.last ?? 0) * 0.98);
    const order = await ex.createOrder(symbol, 'limit', 'buy', 0.001, price);
    assert.ok(order.id, `${exchange}: order id`);
    const fetched = await ex.fetchOrder(order.id, symbol);
    assert.equal(fetched.status, 'open');
    await ex.cancelOrder(order.id, symbol);
    assert.equal((await ex.fetchOrder(order.id, symbol)).status, 'canceled');

    // Ten times the market: the 2022 drain, refused by the band before anything is signed.
    await assert.rejects(ex.createOrder(symbol, 'limit', 'buy', 0.001, price * 10), /KW_POLICY_PRICE_OUTSIDE_BAND/);
    await assert.rejects(ex.withdraw('BTC', 0.1, 'bc1qkeywardtestaddress0000000000000000000', undefined, { network: 'BTC', fee: '0.0001', key: 'x' }), /KW_POLICY_VALUE_EXIT/);
    const w = await (await request(`${sandboxUrl}/admin/withdrawals`)).body.json() as { withdrawals: unknown[]; attempts: unknown[] };
    assert.deepEqual(w, { withdrawals: [], attempts: [] }, 'the sandbox never saw a withdrawal');
  });
}
