// The trading desk against the real path: the real gateway pipeline (token verification, policy,
// audit into SQLite, signing with key handles) forwarding to the real sandbox exchange, which
// checks every signature the way the exchange does. Nothing here is a mock of either.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { isPolicyError, parsePolicy } from '@keyward/protocol/policy';
import { createAuditLog } from '../audit/index.js';
import { createBlake2bMac, createHmacKey, SecureBuffer } from '../crypto/index.js';
import { adapterFor } from '../exchanges/index.js';
import { createForwarder, createMarketData, createPipeline, createUsageTracker, readJson, type SigningCredential } from '../gateway/index.js';
import { isSubset } from '../policy/index.js';
import { startSandbox, type RunningSandbox } from '../sandbox/index.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { createTokenService, ROOT_POLICY } from '../tokens/index.js';
import { createKeyHandle, createNonceKeeper } from '../vault/index.js';
import { createTrading, refusalError, type Trading } from './index.js';

const ACCOUNT = 'acct-trader';
const ANONYMOUS = '_anonymous';
const EXCHANGES = ['binance', 'okx', 'kraken', 'coinbase'] as const;
const FUNDS = { BTC: '1.5', ETH: '3', USDT: '25000' };

const policy = (credential: string, actions: string[]) => ({
  credential, actions, symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null,
  ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

const subset = (child: unknown, parent: unknown): { ok: true } | { ok: false; reasons: string[] } => {
  const c = parsePolicy(child);
  if (isPolicyError(c)) return { ok: false, reasons: [c.error] };
  if (parent === ROOT_POLICY) return { ok: true };
  const p = parsePolicy(parent);
  return isPolicyError(p) ? { ok: false, reasons: [p.error] } : isSubset(c, p);
};

const secure = (s: string): SecureBuffer => SecureBuffer.from(Buffer.from(s, 'utf8'), { wipeSource: true });

interface World {
  sandbox: RunningSandbox;
  store: Store;
  trading: Trading;
  /** The same desk, but every token it uses may only read. */
  readOnly: Trading;
  dir: string;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-trading-'));
  const sandbox = await startSandbox({ seed: 7 });
  const store = await openSqliteStore({ path: join(dir, 'keyward.db'), create: true });
  const now = (): number => Date.now();
  for (const id of [ACCOUNT, ANONYMOUS]) {
    await store.accounts.insert({
      id, name: id, kdfMemoryKiB: 65536, kdfIterations: 3, salt: Buffer.alloc(16), wrappedUserKey: Buffer.alloc(72), authKeyHash: null,
      email: null, userKeyCheck: null, ipAllowlist: null, revision: 0, createdAt: now(), updatedAt: now(),
    });
  }
  // One paper account per exchange, funded; its key goes into a key handle as the vault would.
  const credentials = new Map<string, SigningCredential>();
  for (const exchange of EXCHANGES) {
    const k = sandbox.sandbox.createKey({ exchange, permissions: ['read', 'trade'], balances: FUNDS });
    const adapter = adapterFor(exchange);
    assert.ok(adapter !== undefined);
    const parts = {
      apiKey: k.apiKey,
      ...(exchange === 'coinbase' ? { privateKey: secure(k.secret) } : { secret: secure(k.secret) }),
      ...(k.passphrase === undefined ? {} : { passphrase: secure(k.passphrase) }),
    };
    const secrets = { ...parts, release: () => Object.values(parts).forEach((p) => { if (p instanceof SecureBuffer) p.release(); }) };
    const name = `paper-${exchange}`;
    const id = `cred-${exchange}`;
    await store.credentials.insert({
      id, accountId: ACCOUNT, name, exchange, fingerprint: 'f', custody: 'sealed', ciphertext: Buffer.alloc(1), wrappedDek: Buffer.alloc(1),
      kekWrappedDek: null, kekId: null, revision: 1, createdAt: now(), rotatedAt: null,
    });
    credentials.set(name, { id, name, exchange, key: createKeyHandle(secrets, { secretEncoding: adapter.secretEncoding }) });
    secrets.release();
  }

  const tokenKey = createHmacKey('sha256', SecureBuffer.random(32));
  const auditKey = createBlake2bMac(SecureBuffer.random(32));
  const tokens = createTokenService({ tokens: store.tokens, hashKey: tokenKey, now, isSubset: subset });
  const audit = createAuditLog({ store, key: auditKey });
  const upstream = (id: string): string => `${sandbox.url}/${id}`;
  const forwarder = createForwarder();
  const usage = createUsageTracker(now);
  const market = createMarketData({
    now,
    fetch: async (exchange, req) => {
      const res = await forwarder.send(upstream(exchange), req);
      return { status: res.status, body: await readJson(res.body) };
    },
  });
  const adapter = (id: string) => ((EXCHANGES as readonly string[]).includes(id) ? adapterFor(id) : undefined);
  const pipeline = createPipeline({
    adapter,
    upstream: (id) => ((EXCHANGES as readonly string[]).includes(id) ? upstream(id) : undefined),
    tokens,
    credential: (accountId, name) => (accountId === ACCOUNT ? credentials.get(name) : undefined),
    isLocked: () => false,
    audit,
    anonymousAccount: ANONYMOUS,
    usage,
    market,
    nonces: createNonceKeeper({ nonces: store.nonces }),
    forwarder,
    now,
  });

  const desk = (actions: string[]): Trading => {
    const issued = new Map<string, Promise<string>>();
    return createTrading({
      pipeline,
      appToken: (accountId, sessionId, name) => {
        const k = `${sessionId}\n${name}`;
        let t = issued.get(k);
        if (t === undefined) {
          t = tokens.issue({ accountId, label: `web session ${sessionId}`, policy: policy(name, actions) }).then((r) => r.token);
          issued.set(k, t);
        }
        return t;
      },
      credentials: async (accountId) => (accountId === ACCOUNT ? [...credentials.values()].map((c) => ({ name: c.name, exchange: c.exchange })) : []),
      now,
    });
  };

  return {
    sandbox, store, dir,
    trading: desk(['read', 'trade', 'cancel']),
    readOnly: desk(['read']),
    async close() {
      await audit.drain().catch(() => undefined);
      for (const c of credentials.values()) c.key.release();
      tokenKey.release();
      auditKey.release();
      await forwarder.close();
      await sandbox.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let w: World;
before(async () => {
  w = await world();
});
after(async () => {
  await w.close();
});

/** A price well below the best bid, on the sandbox's 0.01 tick. */
const farBelow = (bid: string | null): string => {
  assert.ok(bid !== null);
  return (Math.floor(Number(bid) * 0.9 * 100) / 100).toFixed(2);
};

test('the portfolio shows every funded balance, valued with each exchange\'s own tickers', async () => {
  const p = await w.trading.portfolio(ACCOUNT, 'sess-1', 'USDT');
  assert.equal(p.quote, 'USDT');
  assert.equal(p.exchanges.length, 4);
  for (const e of p.exchanges) {
    assert.equal(e.error, null, `${e.exchange}: ${JSON.stringify(e.error)}`);
    const byAsset = new Map(e.balances.map((b) => [b.asset, b]));
    assert.deepEqual([...byAsset.keys()].sort(), ['BTC', 'ETH', 'USDT'], e.exchange);
    assert.equal(byAsset.get('BTC')?.total, '1.5', e.exchange);
    assert.equal(byAsset.get('USDT')?.value, 25000, e.exchange);
    const btc = byAsset.get('BTC')?.value ?? 0;
    // The sandbox's BTC starts at 65,000 and walks slowly: 1.5 BTC is worth roughly 97,500.
    assert.ok(btc > 80_000 && btc < 115_000, `${e.exchange}: BTC valued at ${String(btc)}`);
    assert.ok(e.total !== null && Math.abs(e.total - e.balances.reduce((s, b) => s + (b.value ?? 0), 0)) < 0.05);
  }
  const shares = p.allocation.reduce((s, a) => s + a.share, 0);
  assert.ok(Math.abs(shares - 1) < 0.001, String(shares));
  assert.deepEqual(p.allocation.map((a) => a.asset), ['BTC', 'USDT', 'ETH']);
  assert.ok(Math.abs(p.total - p.exchanges.reduce((s, e) => s + (e.total ?? 0), 0)) < 0.05);
});

test('an asset with no market in the quote has no value (null, not 0)', async () => {
  const p = await w.trading.portfolio(ACCOUNT, 'sess-1', 'ETH');
  const binance = p.exchanges.find((e) => e.exchange === 'binance');
  assert.ok(binance !== undefined && binance.error === null);
  assert.equal(binance.balances.find((b) => b.asset === 'ETH')?.value, 3, 'the quote itself is worth its amount');
  assert.equal(binance.balances.find((b) => b.asset === 'USDT')?.value, null, 'there is no USDT/ETH market');
  assert.equal(binance.balances.find((b) => b.asset === 'BTC')?.value, null, 'nor BTC/ETH');
});

for (const exchange of EXCHANGES) {
  describe(exchange, () => {
    const credential = `paper-${exchange}`;

    test('ticker, order book and candles are public reads through the gateway', async () => {
      const t = await w.trading.ticker(exchange, 'BTC/USDT');
      assert.ok(t.bid !== null && t.ask !== null && t.last !== null, JSON.stringify(t));
      assert.ok(Number(t.bid) < Number(t.ask), JSON.stringify(t));
      const b = await w.trading.orderBook(exchange, 'BTC/USDT', 5);
      assert.equal(b.bids.length, 5);
      assert.equal(b.asks.length, 5);
      assert.ok(Number(b.bids[0]?.[0]) > Number(b.bids[4]?.[0]), 'bids best first');
      assert.ok(Number(b.asks[0]?.[0]) < Number(b.asks[4]?.[0]), 'asks best first');
      // The sandbox started moments ago: candles begin at its start (the market's listing).
      const c = await w.trading.candles(exchange, 'BTC/USDT', '1m', 10);
      assert.equal(c.supported, true, JSON.stringify(c));
      assert.equal(c.reason, null);
      assert.ok(c.candles.length >= 1 && c.candles.length <= 10, String(c.candles.length));
      for (const [i, k] of c.candles.entries()) {
        assert.equal(k.time % 60_000, 0);
        assert.ok(Number(k.high) >= Math.max(Number(k.open), Number(k.close)) && Number(k.low) <= Math.min(Number(k.open), Number(k.close)), JSON.stringify(k));
        assert.ok(Number(k.volume) > 0);
        if (i > 0) assert.ok(k.time > (c.candles[i - 1]?.time ?? 0), 'oldest first');
      }
      const lastCandle = c.candles[c.candles.length - 1];
      assert.ok(lastCandle !== undefined && Math.abs(Number(lastCandle.close) - Number(t.last)) / Number(t.last) < 0.01);
      const hours = await w.trading.candles(exchange, 'BTC/USDT', '1h', 10);
      assert.equal(hours.supported, true);
      assert.ok(hours.candles.length >= 1);
    });

    test('a limit buy below the market is placed, listed as open, cancelled, and then gone', async () => {
      const t = await w.trading.ticker(exchange, 'BTC/USDT');
      const price = farBelow(t.bid);
      const placed = await w.trading.placeOrder(ACCOUNT, 'sess-1', { credential, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price });
      assert.equal(placed.symbol, 'BTC/USDT');
      assert.equal(placed.side, 'buy');
      assert.equal(placed.type, 'limit');
      assert.equal(placed.quantity, '0.001');
      assert.equal(placed.price, price.replace(/\.?0+$/, ''));
      assert.equal(placed.filled, '0');
      assert.equal(placed.status, 'open');
      assert.ok(placed.createdAt !== null && Math.abs(placed.createdAt - Date.now()) < 60_000);

      const open = await w.trading.openOrders(ACCOUNT, 'sess-1', credential, 'BTC/USDT');
      assert.ok(open.some((o) => o.id === placed.id && o.status === 'open'), JSON.stringify(open));
      const all = await w.trading.openOrders(ACCOUNT, 'sess-1', credential);
      assert.ok(all.some((o) => o.id === placed.id && o.symbol === 'BTC/USDT'));
      // The order holds its quote: the portfolio shows USDT locked.
      const p = await w.trading.portfolio(ACCOUNT, 'sess-1');
      const usdt = p.exchanges.find((e) => e.exchange === exchange)?.balances.find((b) => b.asset === 'USDT');
      assert.ok(Number(usdt?.locked) > 0, JSON.stringify(usdt));

      const cancelled = await w.trading.cancelOrder(ACCOUNT, 'sess-1', credential, placed.id, 'BTC/USDT');
      assert.deepEqual(cancelled, { id: placed.id, symbol: 'BTC/USDT', status: 'cancelled' });
      const after = await w.trading.openOrders(ACCOUNT, 'sess-1', credential, 'BTC/USDT');
      assert.ok(!after.some((o) => o.id === placed.id), 'gone from the open orders');
      const history = await w.trading.orderHistory(ACCOUNT, 'sess-1', credential, 'BTC/USDT');
      assert.equal(history.find((o) => o.id === placed.id)?.status, 'cancelled', JSON.stringify(history));
    });

    test('a market sell fills, and shows in the history as filled', async () => {
      const placed = await w.trading.placeOrder(ACCOUNT, 'sess-1', { credential, symbol: 'ETH/USDT', side: 'sell', type: 'market', quantity: '0.01' });
      assert.equal(placed.type, 'market');
      assert.equal(placed.price, null);
      assert.equal(placed.status, 'filled', JSON.stringify(placed));
      assert.equal(placed.filled, '0.01');
      const history = await w.trading.orderHistory(ACCOUNT, 'sess-1', credential, 'ETH/USDT');
      assert.equal(history.find((o) => o.id === placed.id)?.status, 'filled');
    });

    test('a token whose policy does not grant trade is refused by the gateway with the policy code', async () => {
      const t = await w.trading.ticker(exchange, 'BTC/USDT');
      await assert.rejects(
        w.readOnly.placeOrder(ACCOUNT, 'sess-ro', { credential, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: farBelow(t.bid) }),
        (e: unknown) => e instanceof KeywardError && e.code === 'KW_POLICY_ACTION_DENIED',
      );
      // Reading is within that policy.
      assert.ok(Array.isArray(await w.readOnly.openOrders(ACCOUNT, 'sess-ro', credential)));
    });

    test('an order preview prices the order, estimates the fee, checks balance and policy, and sends nothing', async () => {
      const t = await w.trading.ticker(exchange, 'BTC/USDT');
      const price = farBelow(t.bid);
      const openBefore = (await w.trading.openOrders(ACCOUNT, 'sess-1', credential)).length;
      const limit = { credential, symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit' as const, quantity: '0.01', price };
      const p = await w.trading.previewOrder(ACCOUNT, 'sess-1', limit);
      assert.equal(p.allowed, true, JSON.stringify(p));
      assert.deepEqual(p.reasons, []);
      assert.equal(p.liquidity, 'maker', 'a buy below the bid rests on the book');
      assert.equal(Number(p.notional), Math.round(Number(price) * 0.01 * 1e8) / 1e8);
      assert.ok(Math.abs(Number(p.feeEstimate) - Number(p.notional) * Number(p.feeRate)) < 1e-8);
      assert.ok(Math.abs(Number(p.total) - Number(p.notional) - Number(p.feeEstimate)) < 1e-8);
      assert.ok(p.notes.some((n) => /estimate/.test(n)));

      const market = await w.trading.previewOrder(ACCOUNT, 'sess-1', { credential, symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.01' });
      assert.equal(market.liquidity, 'taker');
      assert.ok(market.price !== null && Number(market.price) <= Number(t.ask) * 1.01 && Number(market.price) >= Number(t.bid) * 0.99, JSON.stringify(market));
      assert.ok(Number(market.total) < Number(market.notional), 'a sell brings the notional less the fee');

      const tooBig = await w.trading.previewOrder(ACCOUNT, 'sess-1', { ...limit, side: 'sell', quantity: '500', price: '1000000' });
      assert.equal(tooBig.allowed, false);
      assert.ok(tooBig.reasons.some((r) => /^not enough BTC/.test(r)), JSON.stringify(tooBig.reasons));
      const readOnly = await w.readOnly.previewOrder(ACCOUNT, 'sess-ro', limit);
      assert.equal(readOnly.allowed, false);
      assert.ok(readOnly.reasons.some((r) => r.startsWith('KW_POLICY_ACTION_DENIED')), JSON.stringify(readOnly.reasons));
      assert.equal((await w.trading.openOrders(ACCOUNT, 'sess-1', credential)).length, openBefore, 'nothing was placed');
    });

    test("the exchange's own refusal comes back as KW_EXCHANGE_REFUSED with its message", async () => {
      await assert.rejects(
        w.trading.placeOrder(ACCOUNT, 'sess-1', { credential, symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '100', price: '1000000' }),
        (e: unknown) => e instanceof KeywardError && e.code === 'KW_EXCHANGE_REFUSED' && /insufficient/i.test(e.message),
      );
      await assert.rejects(w.trading.ticker(exchange, 'NOPE/USDT'), (e: unknown) => e instanceof KeywardError && e.code === 'KW_EXCHANGE_REFUSED');
    });
  });
}

test('every order the desk placed is in the audit log under the token that sent it', async () => {
  await w.store.audit.list(ACCOUNT);
  const rows = (await w.store.audit.list(ACCOUNT)).map((r) => JSON.parse(r.body) as { kind: string; action?: string; decision?: string; token?: string | null; reason?: string | null });
  const trades = rows.filter((r) => r.kind === 'decision' && r.action === 'trade');
  assert.ok(trades.filter((r) => r.decision === 'allow').length >= 8, 'a limit and a market order on each exchange');
  assert.ok(trades.every((r) => typeof r.token === 'string'), 'each one names its token');
  assert.equal(trades.filter((r) => r.decision === 'deny' && r.reason === 'KW_POLICY_ACTION_DENIED').length, 4);
});

test('bad input is refused before anything is sent', async () => {
  const bad = async (o: Parameters<Trading['placeOrder']>[2]): Promise<void> => {
    await assert.rejects(w.trading.placeOrder(ACCOUNT, 'sess-1', o), (e: unknown) => e instanceof KeywardError && e.code === 'KW_INPUT_INVALID');
  };
  await bad({ credential: 'paper-binance', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: '1', price: '1' });
  await bad({ credential: 'paper-binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1' });
  await bad({ credential: 'paper-binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1', price: '1' });
  await bad({ credential: 'paper-binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1e-3', price: '1' });
  await bad({ credential: 'paper-binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0', price: '1' });
  await assert.rejects(w.trading.openOrders(ACCOUNT, 'sess-1', 'nobody'), (e: unknown) => e instanceof KeywardError && e.code === 'KW_CREDENTIAL_NOT_FOUND');
  await assert.rejects(w.trading.ticker('mtgox', 'BTC/USD'), (e: unknown) => e instanceof KeywardError && e.code === 'KW_EXCHANGE_UNKNOWN');
});

test('refusals in each exchange format are read back into their Keyward code', () => {
  const cases: [string, number][] = [
    [JSON.stringify({ code: -2015, msg: 'Keyward KW_POLICY_SYMBOL_DENIED: BTCUSDT is not allowed' }), 403],
    [JSON.stringify({ error: ['EGeneral:Permission denied', 'EGeneral:Keyward KW_POLICY_SYMBOL_DENIED: BTCUSDT is not allowed'] }), 200],
    [JSON.stringify({ code: '50120', msg: 'Keyward KW_POLICY_SYMBOL_DENIED: BTCUSDT is not allowed', data: [] }), 403],
    [JSON.stringify({ error: 'PERMISSION_DENIED', error_details: 'Keyward KW_POLICY_SYMBOL_DENIED: BTCUSDT is not allowed', message: 'x' }), 403],
  ];
  for (const [body, status] of cases) {
    const e = refusalError(body, status);
    assert.equal(e.code, 'KW_POLICY_SYMBOL_DENIED');
    assert.equal(e.message, 'BTCUSDT is not allowed');
  }
  assert.equal(refusalError(JSON.stringify({ error: 'Keyward KW_NOT_A_CODE: x' }), 403).code, 'KW_INTERNAL_ERROR');
  assert.equal(refusalError('<html>', 502).code, 'KW_INTERNAL_ERROR');
});
