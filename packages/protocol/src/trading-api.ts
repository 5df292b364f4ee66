// The trading desk's wire shapes (the app API's /portfolio, /markets, /orders), shared by the
// server (packages/keyward/src/trading) and the web app, so the two cannot drift apart.

export type Side = 'buy' | 'sell';

export type OrderType = 'limit' | 'market';

/** A partly filled order is 'open' with `filled` above zero. */
export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'expired' | 'rejected';

export const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;

export type Interval = (typeof INTERVALS)[number];

export interface Balance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

export interface Quote {
  readonly bid: string | null;
  readonly ask: string | null;
  readonly last: string | null;
}

/** [price, base quantity], best first. */
export type Level = readonly [string, string];

export interface Book {
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export interface Candle {
  /** Open time, epoch ms. */
  readonly time: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

export interface Order {
  readonly id: string;
  /** Unified, e.g. BTC/USDT. */
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: string;
  /** The limit price; null for a market order. */
  readonly price: string | null;
  readonly filled: string;
  readonly status: OrderStatus;
  /** Epoch ms; null when the exchange did not say. */
  readonly createdAt: number | null;
}

export interface Ticker extends Quote {
  readonly exchange: string;
  readonly symbol: string;
  readonly at: number;
}

export interface OrderBook extends Book {
  readonly exchange: string;
  readonly symbol: string;
  readonly at: number;
}

export interface Candles {
  readonly exchange: string;
  readonly symbol: string;
  readonly interval: Interval;
  /** False when the exchange (or the sandbox standing in for it) has no candles endpoint. */
  readonly supported: boolean;
  readonly reason: string | null;
  readonly candles: readonly Candle[];
}

export interface PortfolioBalance extends Balance {
  readonly total: string;
  /** In the portfolio's quote, 2 dp; null when no price for it could be had. */
  readonly value: number | null;
}

export interface PortfolioExchange {
  readonly credential: string;
  readonly exchange: string;
  readonly balances: readonly PortfolioBalance[];
  /** Sum of the balances with a value (those without one are left out); null when the exchange failed. */
  readonly total: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface Portfolio {
  readonly quote: string;
  readonly total: number;
  readonly exchanges: readonly PortfolioExchange[];
  /** Valued assets across every exchange, largest first; share of the total in [0, 1], 4 dp. */
  readonly allocation: readonly { readonly asset: string; readonly value: number; readonly share: number }[];
  readonly at: number;
}

export interface PlaceOrder {
  readonly credential: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: string;
  readonly price?: string | undefined;
}
