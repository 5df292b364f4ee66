// Binance Spot v3 (https://developers.binance.com/docs/binance-spot-api-docs/rest-api), as a bot
// sends it: parameters in the query for reads and cancels, a form body for orders, the key (here
// the Keyward token) in X-MBX-APIKEY. The gateway adds timestamp and signature.
import {
  at, dec, exchangeRefused, get, levels, obj, arr, postForm, priceOrNull, splitSymbol, str, unifyConcatenated, unreadable,
  type Answer, type Dialect, type Interval, type Order, type OrderStatus,
} from '../dialect.js';

const NAME = 'Binance';
const native = (symbol: string): string => splitSymbol(symbol).join('');

/** The exchange's message when the answer is an error ({"code":-2010,"msg":"..."}), else null. */
function failure(a: Answer): string | null {
  const b = obj(a.body);
  if (a.status === 200 && !(typeof b.code === 'number' && b.code < 0)) return null;
  return `${str(b.msg) ?? `HTTP ${String(a.status)}`}${typeof b.code === 'number' ? ` (${String(b.code)})` : ''}`;
}

function checked(a: Answer): unknown {
  const f = failure(a);
  if (f !== null) throw exchangeRefused(NAME, f);
  return a.body;
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: 'open', PARTIALLY_FILLED: 'open', PENDING_NEW: 'open', FILLED: 'filled', CANCELED: 'cancelled', PENDING_CANCEL: 'open',
  REJECTED: 'rejected', EXPIRED: 'expired', EXPIRED_IN_MATCH: 'expired',
};

function order(raw: unknown, symbol: string | null): Order {
  const o = obj(raw);
  const id = str(o.orderId);
  if (id === undefined) throw unreadable(NAME, 'an order');
  const type = str(o.type) === 'MARKET' ? 'market' : 'limit';
  return {
    id,
    symbol: symbol ?? unifyConcatenated(str(o.symbol) ?? ''),
    side: str(o.side) === 'SELL' ? 'sell' : 'buy',
    type,
    quantity: dec(o.origQty),
    price: type === 'market' ? null : priceOrNull(o.price),
    filled: dec(o.executedQty),
    status: STATUS[str(o.status) ?? ''] ?? 'open',
    createdAt: typeof o.time === 'number' ? o.time : typeof o.transactTime === 'number' ? o.transactTime : null,
  };
}

const INTERVAL: Readonly<Record<Interval, string>> = { '1m': '1m', '5m': '5m', '15m': '15m', '1h': '1h', '4h': '4h', '1d': '1d' };
// Binance accepts only these depths; the next one up is asked for and the answer cut.
const DEPTHS = [5, 10, 20, 50, 100, 500, 1000, 5000];

export const binance: Dialect = {
  exchange: 'binance',
  tokenHeaders: (token) => ({ 'x-mbx-apikey': token }),
  balances: {
    request: () => get('/api/v3/account', { omitZeroBalances: 'true' }),
    parse: (a) => arr(obj(checked(a)).balances).map((b) => ({ asset: str(obj(b).asset) ?? '', free: dec(obj(b).free), locked: dec(obj(b).locked) })),
  },
  ticker: {
    request: (symbol) => get('/api/v3/ticker/24hr', { symbol: native(symbol) }),
    parse: (a) => {
      const t = obj(checked(a));
      return { bid: priceOrNull(t.bidPrice), ask: priceOrNull(t.askPrice), last: priceOrNull(t.lastPrice) };
    },
  },
  book: {
    request: ({ symbol, depth }) => get('/api/v3/depth', { symbol: native(symbol), limit: String(DEPTHS.find((d) => d >= depth) ?? 5000) }),
    parse: (a, { depth }) => {
      const b = obj(checked(a));
      return { bids: levels(b.bids, depth, at(0), at(1)), asks: levels(b.asks, depth, at(0), at(1)) };
    },
  },
  candles: {
    request: ({ symbol, interval, limit }) => get('/api/v3/klines', { symbol: native(symbol), interval: INTERVAL[interval], limit: String(limit) }),
    parse: (a) => {
      if (a.status === 404) return null;
      return arr(checked(a)).map((k) => ({
        time: Number(arr(k)[0]), open: dec(arr(k)[1]), high: dec(arr(k)[2]), low: dec(arr(k)[3]), close: dec(arr(k)[4]), volume: dec(arr(k)[5]),
      }));
    },
  },
  placeOrder: {
    request: (o) => postForm('/api/v3/order', {
      symbol: native(o.symbol), side: o.side.toUpperCase(), type: o.type.toUpperCase(),
      ...(o.type === 'limit' ? { timeInForce: 'GTC', price: o.price ?? '' } : {}),
      quantity: o.quantity, newOrderRespType: 'RESULT',
    }),
    parse: (a, o) => order(checked(a), o.symbol),
  },
  order: {
    request: ({ symbol, id }) => get('/api/v3/order', { symbol: native(symbol), orderId: id }),
    parse: (a, { symbol }) => order(checked(a), symbol),
  },
  cancelOrder: {
    request: ({ symbol, id }) => ({ ...get('/api/v3/order', { symbol: native(symbol), orderId: id }), method: 'DELETE' }),
    parse: (a) => {
      checked(a);
    },
  },
  openOrders: {
    request: ({ symbol }) => get('/api/v3/openOrders', symbol === null ? {} : { symbol: native(symbol) }),
    parse: (a, { symbol }) => arr(checked(a)).map((o) => order(o, symbol)),
  },
  orderHistory: {
    request: ({ symbol }) => get('/api/v3/allOrders', { symbol: native(symbol) }),
    parse: (a, { symbol }) => arr(checked(a)).map((o) => order(o, symbol)).filter((o) => o.status !== 'open').reverse(),
  },
};
