// The trading desk's calls (packages/keyward/src/api/trading-routes.ts, shapes from
// packages/keyward/src/trading/): portfolio, market data and orders. Amounts are decimal strings
// both ways; only valuations are numbers.
import { request } from './http.js';

import type {
  Candles, Interval, Order, OrderBook, OrderStatus, PlaceOrder, Portfolio, Ticker,
} from '@keyward/protocol/trading-api';

export { INTERVALS } from '@keyward/protocol/trading-api';
export type {
  Balance, Candle, Candles, Interval, Level, Order, OrderBook, OrderStatus, OrderType, Portfolio, PortfolioBalance, PortfolioExchange, Side, Ticker,
} from '@keyward/protocol/trading-api';
/** POST /orders: the server's PlaceOrder. */
export type NewOrder = PlaceOrder;

/**
 * POST /orders/preview (trading.ts OrderPreview): amounts are decimal strings, null when no price
 * could be had. `allowed` means the gateway's policy and the balance both let it through; `reasons`
 * say why not (a KW_* code first for a policy refusal). Nothing is sent to the exchange.
 */
export interface ServerPreview {
  readonly notional: string | null;
  readonly feeEstimate: string | null;
  readonly total: string | null;
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly price?: string | null;
  readonly quote?: string;
  readonly liquidity?: 'maker' | 'taker';
  readonly feeRate?: string;
  readonly notes?: readonly string[];
}

export interface ValuePoint {
  readonly at: number;
  readonly total: number;
}

const seg = (s: string): string => encodeURIComponent(s);
/** BTC/USDT travels as BTC-USDT in paths and queries (the server accepts both). */
const sym = (s: string): string => seg(s.replace('/', '-'));

export const getPortfolio = (quote = 'USDT'): Promise<Portfolio> => request('GET', `/portfolio?quote=${seg(quote)}`);
export const getTicker = (exchange: string, symbol: string): Promise<Ticker> => request('GET', `/markets/${seg(exchange)}/${sym(symbol)}/ticker`);
export const getBook = (exchange: string, symbol: string, depth = 12): Promise<OrderBook> =>
  request('GET', `/markets/${seg(exchange)}/${sym(symbol)}/book?depth=${String(depth)}`);
export const getCandles = (exchange: string, symbol: string, interval: Interval, limit = 120): Promise<Candles> =>
  request('GET', `/markets/${seg(exchange)}/${sym(symbol)}/candles?interval=${interval}&limit=${String(limit)}`);
export const placeOrder = (order: NewOrder): Promise<Order> => request('POST', '/orders', order);
export const previewOrderOnServer = (order: NewOrder): Promise<ServerPreview> => request('POST', '/orders/preview', order);
/** Snapshots the server took when the portfolio was read (at most one per 5 minutes), oldest first. */
export const getPortfolioHistory = (quote = 'USDT', days = 30): Promise<{ quote: string; points: ValuePoint[] }> =>
  request('GET', `/portfolio/history?quote=${seg(quote)}&days=${String(days)}`);
export const openOrders = (credential: string, symbol?: string): Promise<{ orders: Order[] }> =>
  request('GET', `/orders/open?credential=${seg(credential)}${symbol === undefined ? '' : `&symbol=${sym(symbol)}`}`);
export const orderHistory = (credential: string, symbol: string): Promise<{ orders: Order[] }> =>
  request('GET', `/orders/history?credential=${seg(credential)}&symbol=${sym(symbol)}`);
export const cancelOrder = (credential: string, id: string, symbol: string): Promise<{ id: string; status: OrderStatus }> =>
  request('DELETE', `/orders/${seg(credential)}/${seg(id)}?symbol=${sym(symbol)}`);
