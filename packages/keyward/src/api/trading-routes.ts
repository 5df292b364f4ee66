// The trading desk of the web app: portfolio, market data and orders. Every call goes through the
// trading module, which sends the exchange's own request through the gateway pipeline: a web
// user's order meets the same policy, signing and audit as a bot's (trading/README.md).
import { KeywardError } from '@keyward/protocol/errors';
import { z } from 'zod';
import { INTERVALS, PLAIN_DECIMAL, type Trading } from '../trading/index.js';
import type { ApiDeps } from './deps.js';
import { route, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

export interface TradingRouteDeps {
  readonly trading: Trading;
  /** Exchanges this server trades on (those with an upstream and an app dialect). */
  readonly exchanges: readonly string[];
}

/** At most one portfolio snapshot per account and quote in this long. */
export const SNAPSHOT_INTERVAL_MS = 5 * 60_000;
/** A history answer holds at most this many points (the newest snapshot of each slice of the range). */
export const HISTORY_MAX_POINTS = 500;
const DAY_MS = 86_400_000;

// BTC/USDT, or BTC-USDT and BTC_USDT for URLs written by hand; always BTC/USDT inside.
const symbol = z.string().regex(/^[A-Za-z0-9]{1,20}[/_-][A-Za-z0-9]{1,20}$/, 'a symbol such as BTC/USDT')
  .transform((s) => s.toUpperCase().replace(/[_-]/, '/'));
const credential = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a credential name');
const amount = z.string().regex(PLAIN_DECIMAL, 'a decimal string such as "0.001"').refine((s) => /[1-9]/.test(s), 'must be above zero');
const orderBody = z.object({
  credential, symbol, side: z.enum(['buy', 'sell']), type: z.enum(['limit', 'market']), quantity: amount, price: amount.optional(),
}).strict().superRefine((o, ctx) => {
  if (o.type === 'limit' && o.price === undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
  if (o.type === 'market' && o.price !== undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market order takes no price' });
});
const marketParams = z.object({ exchange: z.string().regex(/^[a-z0-9-]{1,30}$/), symbol }).strict();

export function tradingRoutes(deps: ApiDeps, t: TradingRouteDeps): RouteDef[] {
  const { trading } = t;
  const snapshots = deps.store.portfolioSnapshots;
  const served = new Set(t.exchanges.filter((e) => trading.exchanges().includes(e)));
  const market = (exchange: string): string => {
    if (!served.has(exchange)) throw new KeywardError('KW_NOT_FOUND', `No market data for "${exchange}" here; this server trades on ${[...served].join(', ') || 'no exchange'}.`);
    return exchange;
  };
  const who = (s: ActiveSession | null): { accountId: string; sessionId: string } => {
    const session = s as ActiveSession;
    return { accountId: session.accountId, sessionId: session.id };
  };

  return [
    route({
      method: 'GET', url: '/api/v1/portfolio', tag: 'trading', access: 'unlocked',
      summary: "Balances on every connected exchange, valued in QUOTE with each exchange's own tickers; an exchange that fails shows its error",
      query: z.object({ quote: z.string().regex(/^[A-Z0-9]{1,20}$/).default('USDT') }).strict(),
      handler: async ({ session, query }) => {
        const s = who(session);
        const p = await trading.portfolio(s.accountId, s.sessionId, query.quote);
        // Value over time: at most one snapshot per account and quote every 5 minutes, and only of
        // a whole portfolio (an exchange that failed would show as a drop that never happened).
        if (p.exchanges.length > 0 && p.exchanges.every((e) => e.error === null)) {
          const at = deps.now();
          try {
            const latest = await snapshots.latest(s.accountId, p.quote);
            if (latest === undefined || at - latest.at >= SNAPSHOT_INTERVAL_MS) {
              await snapshots.record({ accountId: s.accountId, at, quote: p.quote, total: p.total.toFixed(2) });
            }
          } catch {
            // The portfolio stands without its snapshot; the next visit records one.
          }
        }
        return p;
      },
    }),
    route({
      method: 'GET', url: '/api/v1/portfolio/history', tag: 'trading', access: 'session',
      summary: `Portfolio value over the last DAYS in QUOTE, oldest first: the snapshots GET /api/v1/portfolio records (at most one per ${String(SNAPSHOT_INTERVAL_MS / 60_000)} minutes), thinned to ${String(HISTORY_MAX_POINTS)} points`,
      query: z.object({ quote: z.string().regex(/^[A-Z0-9]{1,20}$/).default('USDT'), days: z.coerce.number().int().min(1).max(366).default(30) }).strict(),
      handler: async ({ session, query }) => {
        const s = who(session);
        const since = deps.now() - query.days * DAY_MS;
        const rows = await snapshots.list(s.accountId, { since, quote: query.quote, limit: Math.ceil((query.days * DAY_MS) / SNAPSHOT_INTERVAL_MS) + 10 });
        // The newest snapshot of each of HISTORY_MAX_POINTS equal slices of the range.
        const slice = Math.max(SNAPSHOT_INTERVAL_MS, Math.ceil((query.days * DAY_MS) / HISTORY_MAX_POINTS));
        const points: { at: number; total: number }[] = [];
        let lastSlice = Number.NaN;
        for (const r of rows) {
          const k = Math.floor((r.at - since) / slice);
          const point = { at: r.at, total: Number(r.total) };
          if (k === lastSlice) points[points.length - 1] = point;
          else points.push(point);
          lastSlice = k;
        }
        return { quote: query.quote, points };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/markets/:exchange/:symbol/ticker', tag: 'trading', access: 'session',
      summary: 'Best bid, best ask and last price (public market data, through the gateway unsigned)',
      params: marketParams,
      handler: async ({ params }) => trading.ticker(market(params.exchange), params.symbol),
    }),
    route({
      method: 'GET', url: '/api/v1/markets/:exchange/:symbol/book', tag: 'trading', access: 'session',
      summary: 'The top DEPTH levels of the order book, best first',
      params: marketParams,
      query: z.object({ depth: z.coerce.number().int().min(1).max(500).default(20) }).strict(),
      handler: async ({ params, query }) => trading.orderBook(market(params.exchange), params.symbol, query.depth),
    }),
    route({
      method: 'GET', url: '/api/v1/markets/:exchange/:symbol/candles', tag: 'trading', access: 'session',
      summary: 'OHLCV candles, oldest first; supported: false (and no candles) when the exchange has no candles endpoint',
      params: marketParams,
      query: z.object({ interval: z.enum(INTERVALS).default('1m'), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
      handler: async ({ params, query }) => trading.candles(market(params.exchange), params.symbol, query.interval, query.limit),
    }),
    route({
      method: 'POST', url: '/api/v1/orders', tag: 'trading', access: 'unlocked', status: 201,
      summary: "Place an order with a credential: sent as the exchange's own request through the gateway, under the session's token policy",
      body: orderBody,
      handler: async ({ session, body }) => {
        const s = who(session);
        return trading.placeOrder(s.accountId, s.sessionId, body);
      },
    }),
    route({
      method: 'POST', url: '/api/v1/orders/preview', tag: 'trading', access: 'unlocked',
      summary: "What an order would cost (notional, an estimated fee, total) and whether the gateway's policy and the balance allow it; nothing is sent to the exchange",
      body: orderBody,
      handler: async ({ session, body }) => {
        const s = who(session);
        return trading.previewOrder(s.accountId, s.sessionId, body);
      },
    }),
    route({
      method: 'GET', url: '/api/v1/orders/open', tag: 'trading', access: 'unlocked',
      summary: "A credential's open orders, optionally of one symbol",
      query: z.object({ credential, symbol: symbol.optional() }).strict(),
      handler: async ({ session, query }) => {
        const s = who(session);
        return { orders: await trading.openOrders(s.accountId, s.sessionId, query.credential, query.symbol) };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/orders/history', tag: 'trading', access: 'unlocked',
      summary: "A credential's closed orders (filled, cancelled, expired) of one symbol, newest first",
      query: z.object({ credential, symbol }).strict(),
      handler: async ({ session, query }) => {
        const s = who(session);
        return { orders: await trading.orderHistory(s.accountId, s.sessionId, query.credential, query.symbol) };
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/orders/:credential/:id', tag: 'trading', access: 'unlocked',
      summary: 'Cancel an open order (SYMBOL names its market, as most exchanges require)',
      params: z.object({ credential, id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) }).strict(),
      query: z.object({ symbol }).strict(),
      handler: async ({ session, params, query }) => {
        const s = who(session);
        return trading.cancelOrder(s.accountId, s.sessionId, params.credential, params.id, query.symbol);
      },
    }),
  ];
}
