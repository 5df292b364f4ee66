// Kraken spot (https://docs.kraken.com/api/), as a bot sends it: public methods as GETs with a
// query, private methods as form POSTs to /0/private/<Method>, the key (here the Keyward token) in
// API-Key. The gateway adds the nonce and API-Sign. Answers are {"error":[...],"result":{...}}.
// Kraken keeps legacy names: XBT for BTC, XDG for DOGE, and X/Z-prefixed asset ids (XXBT, ZUSD).
import {
  at, dec, exchangeRefused, get, levels, obj, arr, postForm, priceOrNull, splitSymbol, str, unifyConcatenated, unreadable,
  type Answer, type Dialect, type Interval, type Order, type OrderStatus,
} from '../dialect.js';
import { formatDecimal, parseDecimal } from '../decimal.js';

const NAME = 'Kraken';
const ALIAS: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };
const UNALIAS: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };
/** Legacy four-letter asset ids and what everyone else calls them. */
const LEGACY_ASSETS: Readonly<Record<string, string>> = {
  XXBT: 'BTC', XETH: 'ETH', XLTC: 'LTC', XXRP: 'XRP', XXLM: 'XLM', XXMR: 'XMR', XZEC: 'ZEC', XETC: 'ETC', XREP: 'REP',
  XMLN: 'MLN', XXDG: 'DOGE', ZUSD: 'USD', ZEUR: 'EUR', ZGBP: 'GBP', ZJPY: 'JPY', ZCAD: 'CAD', ZAUD: 'AUD', ZCHF: 'CHF',
};
const QUOTES = ['USDT', 'USDC', 'ZUSD', 'ZEUR', 'ZGBP', 'USD', 'EUR', 'GBP', 'JPY', 'CAD', 'XXBT', 'XBT', 'XETH', 'ETH'];

const native = (symbol: string): string => splitSymbol(symbol).map((a) => ALIAS[a] ?? a).join('');
const asset = (id: string): string => LEGACY_ASSETS[id] ?? UNALIAS[id] ?? id;
function unified(pair: string): string {
  const u = unifyConcatenated(pair, QUOTES);
  if (!u.includes('/')) return pair;
  const [base, quote] = splitSymbol(u);
  return `${asset(base)}/${asset(quote)}`;
}

function checked(a: Answer): Record<string, unknown> {
  const b = obj(a.body);
  const errors = arr(b.error).map(str).filter((e): e is string => e !== undefined && e !== '');
  if (a.status !== 200 || errors.length > 0) throw exchangeRefused(NAME, errors.length > 0 ? errors.join('; ') : `HTTP ${String(a.status)}`);
  return obj(b.result);
}

/** Kraken's public answers are keyed by its own pair name, which may differ from the one asked for. */
const onlyValue = (result: Record<string, unknown>): unknown => Object.entries(result).find(([k]) => k !== 'last')?.[1];

const STATUS: Readonly<Record<string, OrderStatus>> = { pending: 'open', open: 'open', closed: 'filled', canceled: 'cancelled', expired: 'expired' };

function order(id: string, raw: unknown): Order {
  const o = obj(raw);
  const d = obj(o.descr);
  const type = str(d.ordertype) === 'market' ? 'market' : 'limit';
  const opened = typeof o.opentm === 'number' ? Math.round(o.opentm * 1000) : null;
  return {
    id, symbol: unified(str(d.pair) ?? ''), side: str(d.type) === 'sell' ? 'sell' : 'buy', type,
    quantity: dec(o.vol), price: type === 'market' ? null : priceOrNull(d.price), filled: dec(o.vol_exec),
    status: STATUS[str(o.status) ?? ''] ?? 'open', createdAt: opened,
  };
}

function orders(map: unknown, symbol: string | null): Order[] {
  return Object.entries(obj(map)).map(([id, o]) => order(id, o))
    .filter((o) => symbol === null || o.symbol === symbol)
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

const MINUTES: Readonly<Record<Interval, string>> = { '1m': '1', '5m': '5', '15m': '15', '1h': '60', '4h': '240', '1d': '1440' };

export const kraken: Dialect = {
  exchange: 'kraken',
  tokenHeaders: (token) => ({ 'api-key': token }),
  balances: {
    request: () => postForm('/0/private/BalanceEx', {}),
    parse: (a) => Object.entries(checked(a)).map(([id, v]) => {
      // Kraken reports the total and what open orders hold; free is the difference.
      const total = parseDecimal(dec(obj(v).balance)) ?? 0n;
      const locked = parseDecimal(dec(obj(v).hold_trade)) ?? 0n;
      return { asset: asset(id), free: formatDecimal(total > locked ? total - locked : 0n), locked: formatDecimal(locked) };
    }),
  },
  ticker: {
    request: (symbol) => get('/0/public/Ticker', { pair: native(symbol) }),
    parse: (a) => {
      const t = obj(onlyValue(checked(a)));
      return { bid: priceOrNull(arr(t.b)[0]), ask: priceOrNull(arr(t.a)[0]), last: priceOrNull(arr(t.c)[0]) };
    },
  },
  book: {
    request: ({ symbol, depth }) => get('/0/public/Depth', { pair: native(symbol), count: String(depth) }),
    parse: (a, { depth }) => {
      const b = obj(onlyValue(checked(a)));
      return { bids: levels(b.bids, depth, at(0), at(1)), asks: levels(b.asks, depth, at(0), at(1)) };
    },
  },
  candles: {
    request: ({ symbol, interval }) => get('/0/public/OHLC', { pair: native(symbol), interval: MINUTES[interval] }),
    parse: (a, { limit }) => {
      if (a.status === 404) return null;
      return arr(onlyValue(checked(a))).slice(-limit).map((k) => ({
        time: Number(arr(k)[0]) * 1000, open: dec(arr(k)[1]), high: dec(arr(k)[2]), low: dec(arr(k)[3]), close: dec(arr(k)[4]), volume: dec(arr(k)[6]),
      }));
    },
  },
  placeOrder: {
    request: (o) => postForm('/0/private/AddOrder', {
      pair: native(o.symbol), type: o.side, ordertype: o.type, volume: o.quantity, ...(o.type === 'limit' ? { price: o.price ?? '' } : {}),
    }),
    parse: (a) => {
      const id = str(arr(checked(a).txid)[0]);
      if (id === undefined) throw unreadable(NAME, 'a new order');
      return id;
    },
  },
  order: {
    request: ({ id }) => postForm('/0/private/QueryOrders', { txid: id }),
    parse: (a, { id }) => {
      const found = checked(a)[id];
      if (found === undefined) throw unreadable(NAME, 'an order');
      return order(id, found);
    },
  },
  cancelOrder: {
    request: ({ id }) => postForm('/0/private/CancelOrder', { txid: id }),
    parse: (a) => {
      checked(a);
    },
  },
  openOrders: {
    request: () => postForm('/0/private/OpenOrders', {}),
    parse: (a, { symbol }) => orders(checked(a).open, symbol),
  },
  orderHistory: {
    request: () => postForm('/0/private/ClosedOrders', {}),
    parse: (a, { symbol }) => orders(checked(a).closed, symbol),
  },
};
