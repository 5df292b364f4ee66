/**
 * @module trading
 * The web user's trading desk: portfolio, market data and orders, each sent as the exchange's
 * own request through the gateway pipeline (policy, signing, audit), never signed here.
 * See README.md.
 */
export {
  createTrading, refusalError, DIALECTS, SYMBOL,
  type Candles, type OrderBook, type OrderPreview, type PlaceOrder, type Portfolio, type PortfolioBalance, type PortfolioExchange, type Ticker,
  type Trading, type TradingDeps,
} from './trading.js';
export { INTERVALS, type Balance, type Candle, type Interval, type Order, type OrderStatus, type OrderType, type Side } from './dialect.js';
export { PLAIN_DECIMAL } from './decimal.js';
export { FEE_ESTIMATES, type FeeRates } from './fees.js';
