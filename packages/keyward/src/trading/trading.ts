// The web user's trading desk. Every request it makes is the exchange's own REST request, built
// the way a bot would send it to the gateway (the Keyward token where the exchange reads its key,
// no signature), and handed to the gateway pipeline: the web user's orders meet the same policy,
// signing and audit as a bot's. Nothing here signs, and nothing here holds a key.
import type { Readable } from 'node:stream';
import { isErrorCode, KeywardError } from '@keyward/protocol/errors';
import type { Pipeline } from '../gateway/index.js';
import { formatDecimal, multiply, parseDecimal, PLAIN_DECIMAL, ratio, toRoundedNumber, type Scaled } from './decimal.js';
import {
  INTERVALS, type Answer, type Balance, type Book, type Call, type Candle, type Dialect, type Interval, type NativeRequest,
  type Order, type OrderType, type Quote, type Side,
} from './dialect.js';
import { binance } from './dialects/binance.js';
import { coinbase } from './dialects/coinbase.js';
import { kraken } from './dialects/kraken.js';
import { okx } from './dialects/okx.js';

type IncomingRequest = Parameters<Pipeline['handle']>[0];

export const DIALECTS: readonly Dialect[] = [binance, okx, kraken, coinbase];

export interface TradingDeps {
  readonly pipeline: Pick<Pipeline, 'handle'>;
  /** A live Keyward token for this credential, issued for the signed-in session (the server's). */
  appToken(accountId: string, sessionId: string, credentialName: string): Promise<string>;
  credentials(accountId: string): Promise<readonly { readonly name: string; readonly exchange: string }[]>;
  /** Passed to the pipeline as the request's source address (policies may limit it). */
  readonly sourceIp?: string;
  readonly now: () => number;
}

/** A unified symbol: BASE/QUOTE in capitals. */
export const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

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

function input(detail: string): KeywardError {
  return new KeywardError('KW_INPUT_INVALID', detail);
}

function checkSymbol(symbol: string): string {
  if (!SYMBOL.test(symbol)) throw input(`symbol must look like BTC/USDT, not "${symbol.slice(0, 40)}"`);
  return symbol;
}

function checkAmount(name: string, v: string): string {
  const d = PLAIN_DECIMAL.test(v) ? parseDecimal(v) : undefined;
  if (d === undefined || d <= 0n) throw input(`${name} must be a positive decimal string, e.g. "0.001"`);
  return v;
}

/**
 * A refusal in the exchange's own error format, back into the KeywardError it was made from.
 * Every adapter writes "Keyward KW_…: message" somewhere in its error body.
 */
export function refusalError(body: string, status: number): KeywardError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = body;
  }
  const texts: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') texts.push(v);
    else if (depth < 4 && typeof v === 'object' && v !== null) for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(parsed, 0);
  for (const t of texts) {
    const m = /Keyward (KW_[A-Z0-9_]+)(?::\s*([\s\S]*))?/.exec(t);
    if (m === null) continue;
    const code = m[1] ?? '';
    const message = (m[2] ?? '').slice(0, 300);
    if (isErrorCode(code)) return new KeywardError(code, message === '' ? undefined : message);
    return new KeywardError('KW_INTERNAL_ERROR', `the gateway refused the request with ${code.slice(0, 60)}`);
  }
  return new KeywardError('KW_INTERNAL_ERROR', `the gateway refused the request (HTTP ${String(status)})`);
}

async function readAnswer(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > MAX_ANSWER_BYTES) throw new RangeError('the answer is too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createTrading(deps: TradingDeps) {
  const sourceIp = deps.sourceIp ?? '127.0.0.1';
  const byExchange = new Map(DIALECTS.map((d) => [d.exchange, d]));

  const dialectOf = (exchange: string): Dialect => {
    const d = byExchange.get(exchange);
    if (d === undefined) throw new KeywardError('KW_EXCHANGE_UNKNOWN', `trading on "${exchange.slice(0, 30)}" is not supported (${[...byExchange.keys()].join(', ')})`);
    return d;
  };

  /** One request through the gateway pipeline, exactly as a bot's would arrive. */
  async function send(d: Dialect, req: NativeRequest, token: string | null): Promise<Answer> {
    const incoming: IncomingRequest = {
      method: req.method,
      url: `/${d.exchange}${req.path}${req.query === '' ? '' : `?${req.query}`}`,
      headers: { ...req.headers, ...(token === null ? {} : d.tokenHeaders(token)) },
      body: Buffer.from(req.body, 'utf8'),
      sourceIp,
    };
    const outcome = await deps.pipeline.handle(incoming);
    if (outcome.kind === 'refused') throw refusalError(outcome.body, outcome.status);
    let text: string;
    try {
      text = await readAnswer(outcome.response.body);
    } catch (e) {
      outcome.finish((e as Error).name);
      throw new KeywardError('KW_GATEWAY_UPSTREAM', 'the exchange\'s answer could not be read', { cause: e });
    }
    outcome.finish(null);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the dialect sees null and reports the HTTP status.
    }
    return { status: outcome.response.status, body };
  }

  async function run<I, O>(d: Dialect, call: Call<I, O>, arg: I, token: string | null): Promise<O> {
    return call.parse(await send(d, call.request(arg), token), arg);
  }

  /** The credential's dialect and a token for it; throws when the account has no such credential. */
  async function session(accountId: string, sessionId: string, credential: string): Promise<{ d: Dialect; token: string }> {
    const found = (await deps.credentials(accountId)).find((c) => c.name === credential);
    if (found === undefined) throw new KeywardError('KW_CREDENTIAL_NOT_FOUND', `No credential named "${credential.slice(0, 60)}".`);
    const d = dialectOf(found.exchange);
    return { d, token: await deps.appToken(accountId, sessionId, credential) };
  }

  async function ticker(exchange: string, symbol: string): Promise<Ticker> {
    const d = dialectOf(exchange);
    const q = await run(d, d.ticker, checkSymbol(symbol), null);
    return { exchange, symbol, ...q, at: deps.now() };
  }

  async function orderBook(exchange: string, symbol: string, depth = 20): Promise<OrderBook> {
    const d = dialectOf(exchange);
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > 500) throw input('depth must be a whole number from 1 to 500');
    const b = await run(d, d.book, { symbol: checkSymbol(symbol), depth }, null);
    return { exchange, symbol, ...b, at: deps.now() };
  }

  async function candles(exchange: string, symbol: string, interval: Interval = '1m', limit = 100): Promise<Candles> {
    const d = dialectOf(exchange);
    if (!(INTERVALS as readonly string[]).includes(interval)) throw input(`interval must be one of ${INTERVALS.join(', ')}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw input('limit must be a whole number from 1 to 1000');
    const list = await run(d, d.candles, { symbol: checkSymbol(symbol), interval, limit, nowMs: deps.now() }, null);
    if (list === null) {
      return { exchange, symbol, interval, supported: false, reason: `${exchange} answered that it has no candles endpoint (the sandbox exchange serves none)`, candles: [] };
    }
    return { exchange, symbol, interval, supported: true, reason: null, candles: list };
  }

  async function portfolio(accountId: string, sessionId: string, quote = 'USDT'): Promise<Portfolio> {
    if (!/^[A-Z0-9]{1,20}$/.test(quote)) throw input('quote must be an asset code such as USDT');
    // One ticker per exchange and symbol, however many credentials hold the asset.
    const prices = new Map<string, Promise<Scaled | null>>();
    const priceOf = (d: Dialect, asset: string): Promise<Scaled | null> => {
      // Only the quote itself is worth exactly one quote: USDC is not USDT.
      if (asset === quote) return Promise.resolve(parseDecimal('1') ?? null);
      const k = `${d.exchange}\n${asset}`;
      let p = prices.get(k);
      if (p === undefined) {
        p = run(d, d.ticker, `${asset}/${quote}`, null).then((t) => {
          const bid = t.bid === null ? undefined : parseDecimal(t.bid);
          const ask = t.ask === null ? undefined : parseDecimal(t.ask);
          const last = t.last === null ? undefined : parseDecimal(t.last);
          return last ?? (bid !== undefined && ask !== undefined ? (bid + ask) / 2n : null);
        }).catch(() => null);
        prices.set(k, p);
      }
      return p;
    };

    const creds = await deps.credentials(accountId);
    const exact = new Map<string, Scaled>();
    const exchanges = await Promise.all(creds.map(async (c): Promise<PortfolioExchange> => {
      try {
        const d = dialectOf(c.exchange);
        const token = await deps.appToken(accountId, sessionId, c.name);
        const held = (await run(d, d.balances, null, token)).map((b) => {
          const free = parseDecimal(b.free) ?? 0n;
          const locked = parseDecimal(b.locked) ?? 0n;
          return { ...b, totalScaled: free + locked };
        }).filter((b) => b.totalScaled > 0n && b.asset !== '');
        let sum = 0n;
        const balances = await Promise.all(held.map(async (b): Promise<PortfolioBalance> => {
          const price = await priceOf(d, b.asset);
          const value = price === null ? null : multiply(b.totalScaled, price);
          if (value !== null) {
            sum += value;
            exact.set(b.asset, (exact.get(b.asset) ?? 0n) + value);
          }
          return { asset: b.asset, free: b.free, locked: b.locked, total: formatDecimal(b.totalScaled), value: value === null ? null : toRoundedNumber(value, 2) };
        }));
        balances.sort((x, y) => (y.value ?? -1) - (x.value ?? -1) || x.asset.localeCompare(y.asset));
        return { credential: c.name, exchange: c.exchange, balances, total: toRoundedNumber(sum, 2), error: null };
      } catch (e) {
        const k = e instanceof KeywardError ? e : new KeywardError('KW_INTERNAL_ERROR', 'the balances could not be read');
        return { credential: c.name, exchange: c.exchange, balances: [], total: null, error: { code: k.code, message: k.message } };
      }
    }));
    const total = [...exact.values()].reduce((a, b) => a + b, 0n);
    const allocation = [...exact.entries()]
      .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0].localeCompare(b[0])))
      .map(([asset, value]) => ({ asset, value: toRoundedNumber(value, 2), share: ratio(value, total, 4) }));
    return { quote, total: toRoundedNumber(total, 2), exchanges, allocation, at: deps.now() };
  }

  async function placeOrder(accountId: string, sessionId: string, o: PlaceOrder): Promise<Order> {
    const symbol = checkSymbol(o.symbol);
    if (o.side !== 'buy' && o.side !== 'sell') throw input('side must be buy or sell');
    if (o.type !== 'limit' && o.type !== 'market') throw input('type must be limit or market');
    const quantity = checkAmount('quantity', o.quantity);
    let price: string | null = null;
    if (o.type === 'limit') {
      if (o.price === undefined) throw input('a limit order needs a price');
      price = checkAmount('price', o.price);
    } else if (o.price !== undefined) {
      throw input('a market order takes no price');
    }
    const { d, token } = await session(accountId, sessionId, o.credential);
    const placed = await run(d, d.placeOrder, { symbol, side: o.side, type: o.type, quantity, price }, token);
    if (typeof placed !== 'string') return placed;
    // The exchange answered with the id only: ask for the order itself (a read, through the same
    // path). If that read is refused, the order still stands: say what was sent.
    try {
      return await run(d, d.order, { symbol, id: placed }, token);
    } catch {
      return { id: placed, symbol, side: o.side, type: o.type, quantity, price, filled: '0', status: 'open', createdAt: deps.now() };
    }
  }

  async function cancelOrder(accountId: string, sessionId: string, credential: string, id: string, symbol: string): Promise<{ id: string; symbol: string; status: 'cancelled' }> {
    checkSymbol(symbol);
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw input('id is not an order id');
    const { d, token } = await session(accountId, sessionId, credential);
    await run(d, d.cancelOrder, { symbol, id }, token);
    return { id, symbol, status: 'cancelled' };
  }

  async function openOrders(accountId: string, sessionId: string, credential: string, symbol?: string): Promise<Order[]> {
    const only = symbol === undefined ? null : checkSymbol(symbol);
    const { d, token } = await session(accountId, sessionId, credential);
    return run(d, d.openOrders, { symbol: only }, token);
  }

  async function orderHistory(accountId: string, sessionId: string, credential: string, symbol: string): Promise<Order[]> {
    checkSymbol(symbol);
    const { d, token } = await session(accountId, sessionId, credential);
    return run(d, d.orderHistory, { symbol }, token);
  }

  return {
    /** Exchanges with an app dialect. */
    exchanges: (): string[] => [...byExchange.keys()],
    portfolio, ticker, orderBook, candles, placeOrder, cancelOrder, openOrders, orderHistory,
  };
}

export type Trading = ReturnType<typeof createTrading>;
