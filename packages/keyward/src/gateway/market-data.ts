// Reference prices and book depth for the policy's price band and thin-book checks, fetched by the
// gateway from the exchange's own public order book (unsigned) and cached briefly. When a book
// cannot be had, the reference is null and a policy that needs one refuses (fail closed).
import type { ExchangeRequest } from '../exchanges/index.js';
import { readJson, type Forwarder } from './forward.js';

export interface Book {
  /** Best first: bids high to low, asks low to high; [price, base quantity]. */
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
}

interface BookSource {
  request(symbol: string): ExchangeRequest;
  parse(body: unknown): Book | null;
}

const get = (path: string, query: Record<string, string>): ExchangeRequest => ({
  method: 'GET', path, query: new URLSearchParams(query).toString(), headers: {}, body: Buffer.alloc(0),
});

const levels = (rows: unknown, price: (r: unknown) => unknown, qty: (r: unknown) => unknown): [number, number][] | null => {
  if (!Array.isArray(rows)) return null;
  const out: [number, number][] = [];
  for (const r of rows) {
    const p = Number(price(r));
    const q = Number(qty(r));
    if (!Number.isFinite(p) || !Number.isFinite(q) || p <= 0 || q < 0) return null;
    out.push([p, q]);
  }
  return out;
};
const at = (i: number) => (r: unknown): unknown => (Array.isArray(r) ? (r as unknown[])[i] : undefined);
const field = (k: string) => (r: unknown): unknown => (typeof r === 'object' && r !== null ? (r as Record<string, unknown>)[k] : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? v as Record<string, unknown> : {});
const book = (bids: [number, number][] | null, asks: [number, number][] | null): Book | null => {
  if (bids === null || asks === null) return null;
  return { bids: [...bids].sort((a, b) => b[0] - a[0]), asks: [...asks].sort((a, b) => a[0] - b[0]) };
};

const SOURCES: Readonly<Record<string, BookSource>> = {
  binance: {
    request: (s) => get('/api/v3/depth', { symbol: s, limit: '100' }),
    parse: (b) => book(levels(obj(b).bids, at(0), at(1)), levels(obj(b).asks, at(0), at(1))),
  },
  kraken: {
    request: (s) => get('/0/public/Depth', { pair: s, count: '100' }),
    parse: (b) => {
      const result = Object.values(obj(obj(b).result))[0];
      return book(levels(obj(result).bids, at(0), at(1)), levels(obj(result).asks, at(0), at(1)));
    },
  },
  okx: {
    request: (s) => get('/api/v5/market/books', { instId: s, sz: '100' }),
    parse: (b) => {
      const d = Array.isArray(obj(b).data) ? (obj(b).data as unknown[])[0] : undefined;
      return book(levels(obj(d).bids, at(0), at(1)), levels(obj(d).asks, at(0), at(1)));
    },
  },
  coinbase: {
    request: (s) => get('/api/v3/brokerage/market/product_book', { product_id: s, limit: '100' }),
    parse: (b) => {
      const pb = obj(obj(b).pricebook);
      return book(levels(pb.bids, field('price'), field('size')), levels(pb.asks, field('price'), field('size')));
    },
  },
  bybit: {
    request: (s) => get('/v5/market/orderbook', { category: 'spot', symbol: s, limit: '50' }),
    parse: (b) => book(levels(obj(obj(b).result).b, at(0), at(1)), levels(obj(obj(b).result).a, at(0), at(1))),
  },
  kucoin: {
    request: (s) => get('/api/v1/market/orderbook/level2_100', { symbol: s }),
    parse: (b) => book(levels(obj(obj(b).data).bids, at(0), at(1)), levels(obj(obj(b).data).asks, at(0), at(1))),
  },
  gate: {
    request: (s) => get('/api/v4/spot/order_book', { currency_pair: s, limit: '100' }),
    parse: (b) => book(levels(obj(b).bids, at(0), at(1)), levels(obj(b).asks, at(0), at(1))),
  },
  gemini: {
    request: (s) => get(`/v1/book/${encodeURIComponent(s)}`, {}),
    parse: (b) => book(levels(obj(b).bids, field('price'), field('amount')), levels(obj(b).asks, field('price'), field('amount'))),
  },
  bitstamp: {
    request: (s) => get(`/api/v2/order_book/${encodeURIComponent(s)}/`, {}),
    parse: (b) => book(levels(obj(b).bids, at(0), at(1)), levels(obj(b).asks, at(0), at(1))),
  },
  'coinbase-exchange': {
    request: (s) => get(`/products/${encodeURIComponent(s)}/book`, { level: '2' }),
    parse: (b) => book(levels(obj(b).bids, at(0), at(1)), levels(obj(b).asks, at(0), at(1))),
  },
};

/** The mid price, or null for an empty or crossed book. */
export function midPrice(b: Book): number | null {
  const bid = b.bids[0]?.[0];
  const ask = b.asks[0]?.[0];
  if (bid === undefined || ask === undefined || bid > ask) return null;
  return (bid + ask) / 2;
}

/**
 * The quote notional a market order on `side` can take without going past `limitPrice`
 * (a buy takes asks up to it, a sell takes bids down to it).
 */
export function depthWithin(b: Book, side: 'buy' | 'sell', limitPrice: number): number {
  const rows = side === 'buy' ? b.asks.filter(([p]) => p <= limitPrice) : b.bids.filter(([p]) => p >= limitPrice);
  return rows.reduce((sum, [p, q]) => sum + p * q, 0);
}

export interface MarketData {
  book(exchange: string, symbol: string): Promise<Book | null>;
}

/** createMarketData's `fetch` over the gateway's own forwarder: the exchange's upstream, or null without one. */
export function fetchVia(forwarder: Pick<Forwarder, 'send'>, upstream: (exchange: string) => string | undefined) {
  return async (exchange: string, req: ExchangeRequest): Promise<{ status: number; body: unknown } | null> => {
    const base = upstream(exchange);
    if (base === undefined) return null;
    const res = await forwarder.send(base, req);
    return { status: res.status, body: await readJson(res.body) };
  };
}

export function createMarketData(deps: {
  fetch: (exchange: string, req: ExchangeRequest) => Promise<{ status: number; body: unknown } | null>;
  now: () => number;
  ttlMs?: number;
}): MarketData {
  const cache = new Map<string, { at: number; book: Promise<Book | null> }>();
  const ttl = deps.ttlMs ?? 2000;
  return {
    book(exchange, symbol) {
      const source = SOURCES[exchange];
      if (source === undefined) return Promise.resolve(null);
      const k = `${exchange}\n${symbol}`;
      const hit = cache.get(k);
      if (hit !== undefined && deps.now() - hit.at < ttl) return hit.book;
      const fresh = deps.fetch(exchange, source.request(symbol))
        .then((r) => (r === null || r.status !== 200 ? null : source.parse(r.body)))
        .catch(() => null);
      cache.set(k, { at: deps.now(), book: fresh });
      return fresh;
    },
  };
}
