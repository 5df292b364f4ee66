// OKX v5 (https://www.okx.com/docs-v5/en/), spot in cash mode, as a bot sends it: GET parameters
// in the query, POST parameters as a JSON body, the key (here the Keyward token) in OK-ACCESS-KEY.
// The gateway adds the timestamp, passphrase and signature headers. Every answer is
// {"code":"0","msg":"","data":[...]}; per-order failures carry sCode/sMsg on each item.
import {
  at, dec, exchangeRefused, get, levels, obj, arr, postJson, priceOrNull, str, unreadable,
  type Answer, type Dialect, type Interval, type Order, type OrderStatus,
} from '../dialect.js';

const NAME = 'OKX';
const native = (symbol: string): string => symbol.replace('/', '-');
const unified = (instId: string): string => instId.replace('-', '/');

function checked(a: Answer): unknown[] {
  const b = obj(a.body);
  if (a.status !== 200 || str(b.code) !== '0') {
    const item = obj(arr(b.data)[0]);
    const s = str(item.sMsg);
    throw exchangeRefused(NAME, `${s !== undefined && s !== '' ? s : str(b.msg) ?? `HTTP ${String(a.status)}`} (${str(item.sCode) ?? str(b.code) ?? '?'})`);
  }
  return arr(b.data);
}

const STATE: Readonly<Record<string, OrderStatus>> = {
  live: 'open', partially_filled: 'open', filled: 'filled', canceled: 'cancelled', mmp_canceled: 'cancelled',
};

function order(raw: unknown): Order {
  const o = obj(raw);
  const id = str(o.ordId);
  if (id === undefined) throw unreadable(NAME, 'an order');
  const type = str(o.ordType) === 'market' ? 'market' : 'limit';
  const created = Number(str(o.cTime));
  return {
    id, symbol: unified(str(o.instId) ?? ''), side: str(o.side) === 'sell' ? 'sell' : 'buy', type,
    quantity: dec(o.sz), price: type === 'market' ? null : priceOrNull(o.px), filled: dec(o.accFillSz),
    status: STATE[str(o.state) ?? ''] ?? 'open', createdAt: Number.isFinite(created) && created > 0 ? created : null,
  };
}

const BAR: Readonly<Record<Interval, string>> = { '1m': '1m', '5m': '5m', '15m': '15m', '1h': '1H', '4h': '4H', '1d': '1Dutc' };

export const okx: Dialect = {
  exchange: 'okx',
  tokenHeaders: (token) => ({ 'ok-access-key': token }),
  balances: {
    request: () => get('/api/v5/account/balance'),
    parse: (a) => arr(obj(checked(a)[0]).details).map((d) => ({ asset: str(obj(d).ccy) ?? '', free: dec(obj(d).availBal), locked: dec(obj(d).frozenBal) })),
  },
  ticker: {
    request: (symbol) => get('/api/v5/market/ticker', { instId: native(symbol) }),
    parse: (a) => {
      const t = obj(checked(a)[0]);
      return { bid: priceOrNull(t.bidPx), ask: priceOrNull(t.askPx), last: priceOrNull(t.last) };
    },
  },
  book: {
    request: ({ symbol, depth }) => get('/api/v5/market/books', { instId: native(symbol), sz: String(depth) }),
    parse: (a, { depth }) => {
      const b = obj(checked(a)[0]);
      return { bids: levels(b.bids, depth, at(0), at(1)), asks: levels(b.asks, depth, at(0), at(1)) };
    },
  },
  candles: {
    request: ({ symbol, interval, limit }) => get('/api/v5/market/candles', { instId: native(symbol), bar: BAR[interval], limit: String(Math.min(limit, 300)) }),
    parse: (a) => {
      if (a.status === 404) return null;
      // Newest first on the wire; oldest first here, like the other exchanges.
      return checked(a).map((k) => ({
        time: Number(arr(k)[0]), open: dec(arr(k)[1]), high: dec(arr(k)[2]), low: dec(arr(k)[3]), close: dec(arr(k)[4]), volume: dec(arr(k)[5]),
      })).reverse();
    },
  },
  placeOrder: {
    request: (o) => postJson('/api/v5/trade/order', {
      instId: native(o.symbol), tdMode: 'cash', side: o.side, ordType: o.type, sz: o.quantity,
      // A market buy is sized in the quote currency unless it says otherwise; quantities here are base.
      ...(o.type === 'market' ? { tgtCcy: 'base_ccy' } : { px: o.price ?? '' }),
    }),
    parse: (a) => {
      const id = str(obj(checked(a)[0]).ordId);
      if (id === undefined || id === '') throw unreadable(NAME, 'a new order');
      return id;
    },
  },
  order: {
    request: ({ symbol, id }) => get('/api/v5/trade/order', { instId: native(symbol), ordId: id }),
    parse: (a) => order(checked(a)[0]),
  },
  cancelOrder: {
    request: ({ symbol, id }) => postJson('/api/v5/trade/cancel-order', { instId: native(symbol), ordId: id }),
    parse: (a) => {
      checked(a);
    },
  },
  openOrders: {
    request: ({ symbol }) => get('/api/v5/trade/orders-pending', { instType: 'SPOT', ...(symbol === null ? {} : { instId: native(symbol) }) }),
    parse: (a) => checked(a).map(order),
  },
  orderHistory: {
    request: ({ symbol }) => get('/api/v5/trade/orders-history', { instType: 'SPOT', instId: native(symbol) }),
    parse: (a) => checked(a).map(order),
  },
};
