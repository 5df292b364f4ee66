// The web user's trading desk. Every request it makes is the exchange's own REST request, built
// the way a bot would send it to the gateway (the Keyward token where the exchange reads its key,
// no signature), and handed to the gateway pipeline: the web user's orders meet the same policy,
// signing and audit as a bot's. Nothing here signs, and nothing here holds a key.
import { isErrorCode, KeywardError } from '@keyward/protocol/errors';
import type {
  Candles, OrderBook, PlaceOrder, Portfolio, PortfolioBalance, PortfolioExchange, Ticker,
} from '@keyward/protocol/trading-api';
import { readBody, type Pipeline } from '../gateway/index.js';
import { formatDecimal, multiply, parseDecimal, PLAIN_DECIMAL, ratio, toRoundedNumber, toRoundedString, type Scaled } from './decimal.js';
import {
  INTERVALS, splitSymbol, type Answer, type Book, type Call, type Dialect, type Interval, type NativeRequest,
  type Order, type OrderType, type Side,
} from './dialect.js';
import { FALLBACK_FEE_ESTIMATE, FEE_ESTIMATES } from './fees.js';
import { binance } from './dialects/binance.js';
import { coinbase } from './dialects/coinbase.js';
import { kraken } from './dialects/kraken.js';
import { okx } from './dialects/okx.js';

type IncomingRequest = Parameters<Pipeline['handle']>[0];

export const DIALECTS: readonly Dialect[] = [binance, okx, kraken, coinbase];

export interface TradingDeps {
  readonly pipeline: Pick<Pipeline, 'handle' | 'check'>;
  /** A live Keyward token for this credential, issued for the signed-in session (the server's). */
  appToken(accountId: string, sessionId: string, credentialName: string): Promise<string>;
  credentials(accountId: string): Promise<readonly { readonly name: string; readonly exchange: string }[]>;
  /** Passed to the pipeline as the request's source address (policies may limit it). */
  readonly sourceIp?: string;
  readonly now: () => number;
}

export type { Candles, OrderBook, PlaceOrder, Portfolio, PortfolioBalance, PortfolioExchange, Ticker } from '@keyward/protocol/trading-api';

/** A unified symbol: BASE/QUOTE in capitals. */
export const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;








export interface OrderPreview {
  readonly exchange: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: string;
  /** The limit price; for a market order the average price the visible book gives; null without a book. */
  readonly price: string | null;
  readonly quote: string;
  /** Quantity × price in the quote; null when no price could be had. */
  readonly notional: string | null;
  /** Whether the order would pay the maker or the taker rate (a limit that crosses the book takes). */
  readonly liquidity: 'maker' | 'taker';
  /** An ESTIMATE: the exchange's entry-tier rate (trading/fees.ts), not the account's own. */
  readonly feeRate: string;
  readonly feeEstimate: string | null;
  /** A buy: notional + fee (what it costs); a sell: notional − fee (what it brings). */
  readonly total: string | null;
  /** Nothing below stands in the way: the gateway's policy allows it and the balance covers it. */
  readonly allowed: boolean;
  /** Why it would not go through: policy refusals (KW_* code first) and balance shortfalls. */
  readonly reasons: readonly string[];
  /** Things worth knowing that do not stop it (a thin book, the fee being an estimate). */
  readonly notes: readonly string[];
  readonly at: number;
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

export function createTrading(deps: TradingDeps) {
  const sourceIp = deps.sourceIp ?? '127.0.0.1';
  const byExchange = new Map(DIALECTS.map((d) => [d.exchange, d]));

  const dialectOf = (exchange: string): Dialect => {
    const d = byExchange.get(exchange);
    if (d === undefined) throw new KeywardError('KW_EXCHANGE_UNKNOWN', `trading on "${exchange.slice(0, 30)}" is not supported (${[...byExchange.keys()].join(', ')})`);
    return d;
  };

  /** One request through the gateway pipeline, exactly as a bot's would arrive. */
  const incomingOf = (d: Dialect, req: NativeRequest, token: string | null): IncomingRequest => ({
    method: req.method,
    url: `/${d.exchange}${req.path}${req.query === '' ? '' : `?${req.query}`}`,
    headers: { ...req.headers, ...(token === null ? {} : d.tokenHeaders(token)) },
    body: Buffer.from(req.body, 'utf8'),
    sourceIp,
  });

  async function send(d: Dialect, req: NativeRequest, token: string | null): Promise<Answer> {
    const outcome = await deps.pipeline.handle(incomingOf(d, req, token));
    if (outcome.kind === 'refused') throw refusalError(outcome.body, outcome.status);
    let text: string;
    try {
      text = (await readBody(outcome.response.body, MAX_ANSWER_BYTES)).toString('utf8');
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
      return { exchange, symbol, interval, supported: false, reason: `${exchange} answered that it has no candles endpoint`, candles: [] };
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

  function checkOrder(o: PlaceOrder): { symbol: string; quantity: string; price: string | null } {
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
    return { symbol, quantity, price };
  }

  async function placeOrder(accountId: string, sessionId: string, o: PlaceOrder): Promise<Order> {
    const { symbol, quantity, price } = checkOrder(o);
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

  /**
   * What an order would cost and whether it would go through, WITHOUT sending it: the notional
   * (limit price, or the visible book walked for a market order), an estimated fee, the balance it
   * needs, and the gateway's policy decision for the exact request placeOrder would send
   * (`policy`; without one, the order is not called allowed). Market data and balances are read
   * through the gateway like every other read.
   */
  async function previewOrder(accountId: string, sessionId: string, o: PlaceOrder): Promise<OrderPreview> {
    const { symbol, quantity, price } = checkOrder(o);
    const { d, token } = await session(accountId, sessionId, o.credential);
    const [base, quote] = splitSymbol(symbol);
    const reasons: string[] = [];
    const notes: string[] = [];
    const qty = parseDecimal(quantity) ?? 0n;
    const fail = (e: unknown): string => (e instanceof KeywardError ? `${e.code}: ${e.message}` : 'unreadable');

    let book: Book | null = null;
    try {
      book = await run(d, d.book, { symbol, depth: 100 }, null);
    } catch (e) {
      notes.push(`the order book could not be read (${fail(e)})`);
    }
    const near = o.side === 'buy' ? book?.asks : book?.bids;
    let notional: Scaled | null = null;
    let liquidity: 'maker' | 'taker' = 'taker';
    let shownPrice: string | null = price;
    if (price !== null) {
      const limit = parseDecimal(price) ?? 0n;
      notional = multiply(qty, limit);
      const best = near?.[0] === undefined ? undefined : parseDecimal(near[0][0]);
      const crosses = best !== undefined && (o.side === 'buy' ? limit >= best : limit <= best);
      liquidity = crosses ? 'taker' : 'maker';
    } else if (near === undefined || near.length === 0) {
      reasons.push(`there is no ${o.side === 'buy' ? 'ask' : 'bid'} on the book to price a market order`);
    } else {
      let left = qty;
      let sum = 0n;
      let worst = 0n;
      for (const [p, q] of near) {
        const lp = parseDecimal(p) ?? 0n;
        const size = parseDecimal(q) ?? 0n;
        const take = size < left ? size : left;
        sum += multiply(take, lp);
        left -= take;
        worst = lp;
        if (left <= 0n) break;
      }
      if (left > 0n) {
        notes.push(`the visible book holds only ${formatDecimal(qty - left)} ${base}; the rest is priced at its worst level, and would fill worse`);
        sum += multiply(left, worst);
      }
      notional = sum;
      shownPrice = qty > 0n ? toRoundedString((sum * 10n ** 18n) / qty, 8) : null;
    }
    const rates = FEE_ESTIMATES[d.exchange] ?? FALLBACK_FEE_ESTIMATE;
    const feeRate = liquidity === 'maker' ? rates.maker : rates.taker;
    const fee = notional === null ? null : multiply(notional, parseDecimal(feeRate) ?? 0n);
    const total = notional === null || fee === null ? null : o.side === 'buy' ? notional + fee : notional - fee;
    notes.push(`the fee is an estimate at ${d.exchange}'s entry-tier ${liquidity} rate; the account's own tier may differ`);

    try {
      const held = await run(d, d.balances, null, token);
      const free = (asset: string): Scaled => parseDecimal(held.find((b) => b.asset === asset)?.free ?? '0') ?? 0n;
      if (o.side === 'buy' && total !== null && free(quote) < total) {
        reasons.push(`not enough ${quote}: ${toRoundedString(total, 8)} needed with the estimated fee, ${formatDecimal(free(quote))} free`);
      }
      if (o.side === 'sell' && free(base) < qty) {
        reasons.push(`not enough ${base}: ${quantity} needed, ${formatDecimal(free(base))} free`);
      }
    } catch (e) {
      reasons.push(`the balances could not be read (${fail(e)})`);
    }

    // The gateway decides the exact request placeOrder would send, with no audit, usage, signature
    // or sending (Pipeline.check): the same code path that decides it for real.
    const verdict = await deps.pipeline.check(incomingOf(d, d.placeOrder.request({ symbol, side: o.side, type: o.type, quantity, price }), token));
    if (!verdict.allowed) reasons.push(fail(refusalError(verdict.body, verdict.status)));

    const money = (v: Scaled | null): string | null => (v === null ? null : toRoundedString(v, 8));
    return {
      exchange: d.exchange, symbol, side: o.side, type: o.type, quantity, price: shownPrice, quote,
      notional: money(notional), liquidity, feeRate, feeEstimate: money(fee), total: money(total),
      allowed: reasons.length === 0, reasons, notes, at: deps.now(),
    };
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
    portfolio, ticker, orderBook, candles, placeOrder, previewOrder, cancelOrder, openOrders, orderHistory,
  };
}

export type Trading = ReturnType<typeof createTrading>;
