// The trading routes' HTTP layer: what each route accepts, how it calls the trading desk, and the
// problems it answers with. The desk itself runs against the real pipeline and sandbox in
// trading/trading.test.ts; here it is a recorder, so the test is only about the routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { KeywardError } from '@keyward/protocol/errors';
import type { PortfolioSnapshotRow } from '../store/index.js';
import type { Trading } from '../trading/index.js';
import type { ApiDeps } from './deps.js';
import { problemFromError } from './problem.js';
import { registerRoutes } from './route.js';
import type { ActiveSession } from './sessions.js';
import { SNAPSHOT_INTERVAL_MS, tradingRoutes } from './trading-routes.js';

const calls: unknown[][] = [];
const order = { id: '42', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '50000', filled: '0', status: 'open', createdAt: 1 };
const record = (name: string, result: unknown) => async (...args: unknown[]): Promise<unknown> => {
  calls.push([name, ...args]);
  if (args.includes('missing')) throw new KeywardError('KW_CREDENTIAL_NOT_FOUND');
  return result;
};
let portfolioAnswer: unknown = { quote: 'USDT', total: 0, exchanges: [], allocation: [], at: 1 };
const preview = { notional: '50', feeEstimate: '0.05', total: '50.05', allowed: true, reasons: [] };
const desk = {
  exchanges: () => ['binance', 'okx', 'kraken', 'coinbase'],
  portfolio: async (...args: unknown[]): Promise<unknown> => {
    calls.push(['portfolio', ...args]);
    return portfolioAnswer;
  },
  previewOrder: record('previewOrder', preview),
  ticker: record('ticker', { bid: '1', ask: '2', last: '1.5' }),
  orderBook: record('orderBook', { bids: [], asks: [] }),
  candles: record('candles', { supported: false, candles: [] }),
  placeOrder: record('placeOrder', order),
  cancelOrder: record('cancelOrder', { id: '42', symbol: 'BTC/USDT', status: 'cancelled' }),
  openOrders: record('openOrders', [order]),
  orderHistory: record('orderHistory', []),
} as unknown as Trading;

// An in-memory portfolio_snapshot table and a clock the tests move.
let clock = 1_700_000_000_000;
const snapshots: PortfolioSnapshotRow[] = [];
const store = {
  portfolioSnapshots: {
    record: async (row: PortfolioSnapshotRow) => {
      if (snapshots.some((r) => r.accountId === row.accountId && r.at === row.at)) return false;
      snapshots.push(row);
      return true;
    },
    list: async (accountId: string, o: { since?: number; limit?: number; quote?: string } = {}) => snapshots
      .filter((r) => r.accountId === accountId && (o.since === undefined || r.at >= o.since) && (o.quote === undefined || r.quote === o.quote))
      .sort((a, b) => a.at - b.at).slice(0, o.limit ?? 1000),
    latest: async (accountId: string, quote?: string) => snapshots
      .filter((r) => r.accountId === accountId && (quote === undefined || r.quote === quote)).sort((a, b) => b.at - a.at)[0],
  },
};
const deps = { store, now: () => clock } as unknown as ApiDeps;

async function app(access: { unlocked: boolean }): Promise<FastifyInstance> {
  const a = Fastify();
  a.setErrorHandler((error, _req, reply) => {
    const p = problemFromError(error);
    const fieldErrors = (error as { fieldErrors?: unknown }).fieldErrors;
    void reply.code(p.status).send(fieldErrors === undefined ? p : { ...p, errors: fieldErrors });
  });
  const session = { id: 'sess-9', accountId: 'acct-9' } as ActiveSession;
  registerRoutes(a, tradingRoutes(deps, { trading: desk, exchanges: ['binance', 'okx', 'kraken'] }), async (_req, level) => {
    if (level === 'unlocked' && !access.unlocked) throw new KeywardError('KW_SESSION_LOCKED');
    return session;
  });
  await a.ready();
  return a;
}

const last = (): unknown[] => calls[calls.length - 1] ?? [];

test('market data takes an encoded BTC/USDT (or BTC-USDT) and answers for served exchanges only', async () => {
  const a = await app({ unlocked: false });
  let r = await a.inject({ method: 'GET', url: '/api/v1/markets/binance/BTC%2FUSDT/ticker' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(last(), ['ticker', 'binance', 'BTC/USDT']);
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/okx/eth-usdt/book?depth=5' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(last(), ['orderBook', 'okx', 'ETH/USDT', 5]);
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/kraken/BTC%2FUSDT/candles' });
  assert.deepEqual(last(), ['candles', 'kraken', 'BTC/USDT', '1m', 100]);
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/kraken/BTC%2FUSDT/candles?interval=2m' });
  assert.equal(r.statusCode, 400);
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/coinbase/BTC%2FUSDT/ticker' });
  assert.equal(r.statusCode, 404, 'coinbase is not served here');
  assert.equal((JSON.parse(r.body) as { code: string }).code, 'KW_NOT_FOUND');
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/binance/BTCUSDT/ticker' });
  assert.equal(r.statusCode, 400);
  r = await a.inject({ method: 'GET', url: '/api/v1/markets/binance/BTC%2FUSDT/book?depth=20&extra=1' });
  assert.equal(r.statusCode, 400, 'query schemas are strict');
});

test('orders need an unlocked session; a placed order answers 201', async () => {
  const locked = await app({ unlocked: false });
  const body = { credential: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '50000' };
  let r = await locked.inject({ method: 'POST', url: '/api/v1/orders', payload: body });
  assert.equal(r.statusCode, 423);
  r = await locked.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.equal(r.statusCode, 423);

  const a = await app({ unlocked: true });
  r = await a.inject({ method: 'POST', url: '/api/v1/orders', payload: body });
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(last(), ['placeOrder', 'acct-9', 'sess-9', body]);
  assert.deepEqual(JSON.parse(r.body), order);
  r = await a.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.deepEqual(last(), ['portfolio', 'acct-9', 'sess-9', 'USDT']);
  r = await a.inject({ method: 'GET', url: '/api/v1/portfolio?quote=BTC' });
  assert.deepEqual(last(), ['portfolio', 'acct-9', 'sess-9', 'BTC']);
});

test('order bodies are strict: decimal strings, a price exactly for limits, no extra fields', async () => {
  const a = await app({ unlocked: true });
  const base = { credential: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '50000' };
  const refused = async (payload: Record<string, unknown>, path: string): Promise<void> => {
    const before = calls.length;
    const r = await a.inject({ method: 'POST', url: '/api/v1/orders', payload });
    assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
    const p = JSON.parse(r.body) as { code: string; errors: { path: string }[] };
    assert.equal(p.code, 'KW_INPUT_INVALID');
    assert.ok(p.errors.some((e) => e.path === path), r.body);
    assert.equal(calls.length, before, 'nothing reached the desk');
  };
  await refused({ ...base, quantity: 0.001 }, 'body.quantity');
  await refused({ ...base, quantity: '1e-3' }, 'body.quantity');
  await refused({ ...base, quantity: '0.000' }, 'body.quantity');
  await refused({ ...base, price: undefined }, 'body.price');
  await refused({ ...base, type: 'market' }, 'body.price');
  await refused({ ...base, side: 'long' }, 'body.side');
  await refused({ ...base, leverage: 10 }, 'body');
});

test('open orders, history and cancel pass the credential and symbol through', async () => {
  const a = await app({ unlocked: true });
  let r = await a.inject({ method: 'GET', url: '/api/v1/orders/open?credential=main' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(last(), ['openOrders', 'acct-9', 'sess-9', 'main', undefined]);
  assert.deepEqual(JSON.parse(r.body), { orders: [order] });
  r = await a.inject({ method: 'GET', url: '/api/v1/orders/open?credential=main&symbol=BTC%2FUSDT' });
  assert.deepEqual(last(), ['openOrders', 'acct-9', 'sess-9', 'main', 'BTC/USDT']);
  r = await a.inject({ method: 'GET', url: '/api/v1/orders/history?credential=main&symbol=ETH%2FUSDT' });
  assert.deepEqual(last(), ['orderHistory', 'acct-9', 'sess-9', 'main', 'ETH/USDT']);
  r = await a.inject({ method: 'GET', url: '/api/v1/orders/history?credential=main' });
  assert.equal(r.statusCode, 400, 'history needs a symbol');
  r = await a.inject({ method: 'DELETE', url: '/api/v1/orders/main/42?symbol=BTC%2FUSDT' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(last(), ['cancelOrder', 'acct-9', 'sess-9', 'main', '42', 'BTC/USDT']);
  r = await a.inject({ method: 'DELETE', url: '/api/v1/orders/missing/42?symbol=BTC%2FUSDT' });
  assert.equal(r.statusCode, 404);
  assert.equal((JSON.parse(r.body) as { code: string }).code, 'KW_CREDENTIAL_NOT_FOUND');
});

test('the portfolio records a snapshot per quote at most every 5 minutes, and only of a whole portfolio', async () => {
  const a = await app({ unlocked: true });
  const ok = { credential: 'main', exchange: 'binance', balances: [], total: 10, error: null };
  portfolioAnswer = { quote: 'USDT', total: 1234.5, exchanges: [ok], allocation: [], at: clock };
  await a.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.deepEqual(snapshots.at(-1), { accountId: 'acct-9', at: clock, quote: 'USDT', total: '1234.50' });
  const count = snapshots.length;
  clock += SNAPSHOT_INTERVAL_MS - 1;
  await a.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.equal(snapshots.length, count, 'not again within 5 minutes');
  portfolioAnswer = { quote: 'BTC', total: 0.02, exchanges: [ok], allocation: [], at: clock };
  await a.inject({ method: 'GET', url: '/api/v1/portfolio?quote=BTC' });
  assert.equal(snapshots.length, count + 1, 'another quote has its own series');
  clock += 1;
  portfolioAnswer = { quote: 'USDT', total: 5, exchanges: [ok, { ...ok, total: null, error: { code: 'KW_EXCHANGE_REFUSED', message: 'down' } }], allocation: [], at: clock };
  await a.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.equal(snapshots.length, count + 1, 'a portfolio with a failed exchange is not recorded');
  portfolioAnswer = { quote: 'USDT', total: 1300, exchanges: [ok], allocation: [], at: clock };
  const r = await a.inject({ method: 'GET', url: '/api/v1/portfolio' });
  assert.equal(r.statusCode, 200);
  assert.equal(snapshots.length, count + 2);
});

test('portfolio history: one quote, the last DAYS, oldest first, thinned to 500 points', async () => {
  snapshots.length = 0;
  const start = clock;
  for (let i = 0; i < 2000; i++) snapshots.push({ accountId: 'acct-9', at: start + i * SNAPSHOT_INTERVAL_MS, quote: 'USDT', total: String(i) });
  snapshots.push({ accountId: 'acct-9', at: start + 1, quote: 'BTC', total: '1' }, { accountId: 'other', at: start + 2, quote: 'USDT', total: '9' });
  clock = start + 1999 * SNAPSHOT_INTERVAL_MS;
  const a = await app({ unlocked: false });
  let r = await a.inject({ method: 'GET', url: '/api/v1/portfolio/history?quote=USDT&days=1' });
  assert.equal(r.statusCode, 200, r.body);
  let body = JSON.parse(r.body) as { quote: string; points: { at: number; total: number }[] };
  assert.equal(body.quote, 'USDT');
  assert.equal(body.points.length, 289, 'a day of 5-minute snapshots, both ends included');
  assert.deepEqual(body.points.at(-1), { at: clock, total: 1999 });
  r = await a.inject({ method: 'GET', url: '/api/v1/portfolio/history?days=30' });
  body = JSON.parse(r.body) as typeof body;
  // 30 days in 500 slices of 86.4 minutes: the 2000 snapshots (about 7 days) fill about 116 of them.
  assert.ok(body.points.length >= 110 && body.points.length <= 120, String(body.points.length));
  assert.deepEqual(body.points.at(-1), { at: clock, total: 1999 }, 'the newest point survives thinning');
  for (let i = 1; i < body.points.length; i++) assert.ok((body.points[i]?.at ?? 0) > (body.points[i - 1]?.at ?? 0));
  r = await a.inject({ method: 'GET', url: '/api/v1/portfolio/history?quote=BTC&days=30' });
  assert.deepEqual(JSON.parse(r.body), { quote: 'BTC', points: [{ at: start + 1, total: 1 }] });
  assert.equal((await a.inject({ method: 'GET', url: '/api/v1/portfolio/history?days=0' })).statusCode, 400);
});

test('order preview: the same strict body as an order, unlocked only, and the desk is asked', async () => {
  const locked = await app({ unlocked: false });
  const body = { credential: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '50000' };
  assert.equal((await locked.inject({ method: 'POST', url: '/api/v1/orders/preview', payload: body })).statusCode, 423);
  const a = await app({ unlocked: true });
  let r = await a.inject({ method: 'POST', url: '/api/v1/orders/preview', payload: body });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), preview);
  assert.deepEqual(last().slice(0, 4), ['previewOrder', 'acct-9', 'sess-9', body]);
  r = await a.inject({ method: 'POST', url: '/api/v1/orders/preview', payload: { ...body, price: undefined } });
  assert.equal(r.statusCode, 400);
});
