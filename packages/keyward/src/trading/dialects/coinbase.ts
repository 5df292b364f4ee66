// Coinbase Advanced Trade (https://docs.cdp.coinbase.com/advanced-trade/reference), as a bot
// sends it: GET with a query, POST with a JSON body. A CDP client signs a JWT per request and puts
// it in Authorization; here the Keyward token goes there instead (`Bearer kw_…`), and the gateway
// makes the JWT. Order failures come as HTTP 200 with success:false and an error_response.
import { randomUUID } from 'node:crypto';
import { KeywardError } from '@keyward/protocol/errors';
import {
  dec, exchangeRefused, get, levels, obj, arr, postJson, priceOrNull, str, unreadable,
  type Answer, type Dialect, type Interval, type Order, type OrderStatus,
} from '../dialect.js';

const NAME = 'Coinbase';
const B = '/api/v3/brokerage';
const native = (symbol: string): string => symbol.replace('/', '-');
const unified = (productId: string): string => productId.replace('-', '/');

function checked(a: Answer): Record<string, unknown> {
  const b = obj(a.body);
  if (a.status >= 200 && a.status < 300) return b;
  throw exchangeRefused(NAME, `${str(b.message) ?? str(b.error) ?? `HTTP ${String(a.status)}`}${str(b.error_details) === undefined || b.error_details === b.message ? '' : `: ${str(b.error_details) ?? ''}`}`);
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  PENDING: 'open', OPEN: 'open', QUEUED: 'open', CANCEL_QUEUED: 'open', FILLED: 'filled', CANCELLED: 'cancelled', EXPIRED: 'expired', FAILED: 'rejected',
};

function order(raw: unknown): Order {
  const o = obj(raw);
  const id = str(o.order_id);
  if (id === undefined) throw unreadable(NAME, 'an order');
  // One configuration member, e.g. {"limit_limit_gtc":{"base_size":"0.001","limit_price":"50000"}}.
  const config = obj(Object.values(obj(o.order_configuration))[0]);
  const type = str(o.order_type) === 'MARKET' ? 'market' : 'limit';
  const created = Date.parse(str(o.created_time) ?? '');
  return {
    id, symbol: unified(str(o.product_id) ?? ''), side: str(o.side) === 'SELL' ? 'sell' : 'buy', type,
    quantity: dec(config.base_size ?? config.quote_size), price: type === 'market' ? null : priceOrNull(config.limit_price),
    filled: dec(o.filled_size), status: STATUS[str(o.status) ?? ''] ?? 'open', createdAt: Number.isFinite(created) ? created : null,
  };
}

const GRANULARITY: Readonly<Record<Interval, string | undefined>> = {
  '1m': 'ONE_MINUTE', '5m': 'FIVE_MINUTE', '15m': 'FIFTEEN_MINUTE', '1h': 'ONE_HOUR', '4h': undefined, '1d': 'ONE_DAY',
};
const SECONDS: Readonly<Record<Interval, number>> = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14_400, '1d': 86_400 };

export const coinbase: Dialect = {
  exchange: 'coinbase',
  tokenHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  balances: {
    request: () => get(`${B}/accounts`, { limit: '250' }),
    parse: (a) => arr(checked(a).accounts).map((x) => {
      const acct = obj(x);
      return { asset: str(acct.currency) ?? '', free: dec(obj(acct.available_balance).value), locked: dec(obj(acct.hold).value) };
    }),
  },
  ticker: {
    request: (symbol) => get(`${B}/market/products/${native(symbol)}/ticker`, { limit: '1' }),
    parse: (a) => {
      const t = checked(a);
      return { bid: priceOrNull(t.best_bid), ask: priceOrNull(t.best_ask), last: priceOrNull(obj(arr(t.trades)[0]).price) };
    },
  },
  book: {
    request: ({ symbol, depth }) => get(`${B}/market/product_book`, { product_id: native(symbol), limit: String(depth) }),
    parse: (a, { depth }) => {
      const pb = obj(checked(a).pricebook);
      const price = (r: unknown): unknown => obj(r).price;
      const size = (r: unknown): unknown => obj(r).size;
      return { bids: levels(pb.bids, depth, price, size), asks: levels(pb.asks, depth, price, size) };
    },
  },
  candles: {
    request: ({ symbol, interval, limit: wanted, nowMs }) => {
      const granularity = GRANULARITY[interval];
      // Coinbase refuses a range of more than 350 candles.
      const limit = Math.min(wanted, 350);
      if (granularity === undefined) throw new KeywardError('KW_INPUT_INVALID', `Coinbase has no ${interval} candles (1m, 5m, 15m, 1h, 1d)`);
      const end = Math.floor(nowMs / 1000);
      return get(`${B}/market/products/${native(symbol)}/candles`, {
        start: String(end - SECONDS[interval] * limit), end: String(end), granularity, limit: String(limit),
      });
    },
    parse: (a) => {
      if (a.status === 404) return null;
      return arr(checked(a).candles).map((c) => {
        const k = obj(c);
        return { time: Number(str(k.start)) * 1000, open: dec(k.open), high: dec(k.high), low: dec(k.low), close: dec(k.close), volume: dec(k.volume) };
      }).reverse();
    },
  },
  placeOrder: {
    request: (o) => postJson(`${B}/orders`, {
      client_order_id: randomUUID(), product_id: native(o.symbol), side: o.side.toUpperCase(),
      order_configuration: o.type === 'market'
        ? { market_market_ioc: { base_size: o.quantity } }
        : { limit_limit_gtc: { base_size: o.quantity, limit_price: o.price ?? '', post_only: false } },
    }),
    parse: (a) => {
      const b = checked(a);
      if (b.success !== true) {
        const e = obj(b.error_response);
        throw exchangeRefused(NAME, `${str(e.message) ?? 'order refused'} (${str(e.error) ?? str(b.failure_reason) ?? '?'})`);
      }
      const id = str(obj(b.success_response).order_id);
      if (id === undefined) throw unreadable(NAME, 'a new order');
      return id;
    },
  },
  order: {
    request: ({ id }) => get(`${B}/orders/historical/${encodeURIComponent(id)}`),
    parse: (a) => order(checked(a).order),
  },
  cancelOrder: {
    request: ({ id }) => postJson(`${B}/orders/batch_cancel`, { order_ids: [id] }),
    parse: (a) => {
      const r = obj(arr(checked(a).results)[0]);
      if (r.success !== true) throw exchangeRefused(NAME, `the order was not cancelled (${str(r.failure_reason) ?? '?'})`);
    },
  },
  openOrders: {
    request: ({ symbol }) => get(`${B}/orders/historical/batch`, { order_status: 'OPEN', ...(symbol === null ? {} : { product_ids: native(symbol) }) }),
    parse: (a) => arr(checked(a).orders).map(order),
  },
  orderHistory: {
    request: ({ symbol }) => get(`${B}/orders/historical/batch`, { product_ids: native(symbol), limit: '100' }),
    parse: (a) => arr(checked(a).orders).map(order).filter((o) => o.status !== 'open'),
  },
};
