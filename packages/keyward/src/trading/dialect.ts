// What every exchange's app dialect provides: for each operation, the exchange's own REST request
// (as a bot would send it to the gateway, unsigned, without its key) and a parser of the
// exchange's own answer into the normalised shape. A dialect never signs and never sends: the
// trading service hands its requests to the gateway pipeline.
import { KeywardError } from '@keyward/protocol/errors';
import type { Side, OrderType, Interval, Balance, Quote, Level, Book, Candle, Order } from '@keyward/protocol/trading-api';
import { normaliseDecimal } from './decimal.js';

export { INTERVALS } from '@keyward/protocol/trading-api';
export type { Side, OrderType, OrderStatus, Interval, Balance, Quote, Level, Book, Candle, Order } from '@keyward/protocol/trading-api';








export interface PlaceInput {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: string;
  readonly price: string | null;
}

/** A request in the exchange's own dialect, as it travels to the gateway (no key, no signature). */
export interface NativeRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** Already encoded, without '?'; '' when there is none. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The exchange's answer: HTTP status and its JSON body (null when it was not JSON). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface Call<I, O> {
  request(input: I): NativeRequest;
  parse(answer: Answer, input: I): O;
}

export interface Dialect {
  readonly exchange: string;
  /** Where the exchange's clients put their API key, holding the Keyward token instead. */
  tokenHeaders(token: string): Record<string, string>;
  readonly balances: Call<null, Balance[]>;
  readonly ticker: Call<string, Quote>;
  readonly book: Call<{ readonly symbol: string; readonly depth: number }, Book>;
  /** null: the exchange answered that it has no such endpoint. */
  readonly candles: Call<{ readonly symbol: string; readonly interval: Interval; readonly limit: number; readonly nowMs: number }, Candle[] | null>;
  /** A whole order, or only its id when the exchange's answer carries no more. */
  readonly placeOrder: Call<PlaceInput, Order | string>;
  readonly order: Call<{ readonly symbol: string; readonly id: string }, Order>;
  readonly cancelOrder: Call<{ readonly symbol: string; readonly id: string }, void>;
  readonly openOrders: Call<{ readonly symbol: string | null }, Order[]>;
  /** Closed orders (filled, cancelled, expired) of one symbol, newest first. */
  readonly orderHistory: Call<{ readonly symbol: string }, Order[]>;
}

// Reading the exchanges' JSON without trusting its shape.
export const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** A decimal field in its shortest plain form; `fallback` when it is missing or unreadable. */
export function dec(v: unknown, fallback = '0'): string {
  return normaliseDecimal(v) ?? fallback;
}

/** A price that is zero or missing means "none" (a market order's price, an empty book side). */
export function priceOrNull(v: unknown): string | null {
  const d = normaliseDecimal(v);
  return d === undefined || d === '0' ? null : d;
}

export function levels(rows: unknown, depth: number, price: (r: unknown) => unknown, qty: (r: unknown) => unknown): Level[] {
  return arr(rows).slice(0, depth).map((r) => [dec(price(r)), dec(qty(r))] as const);
}

export const at = (i: number) => (r: unknown): unknown => arr(r)[i];

/** An exchange's own refusal of a request the gateway signed and forwarded. */
export function exchangeRefused(exchange: string, message: string): KeywardError {
  return new KeywardError('KW_EXCHANGE_REFUSED', `${exchange}: ${message.slice(0, 300)}`);
}

/** The answer was not the shape the dialect expects (a changed API, a proxy page). */
export function unreadable(exchange: string, what: string): KeywardError {
  return new KeywardError('KW_EXCHANGE_REFUSED', `${exchange}: the answer to ${what} could not be read`);
}

export function get(path: string, params: Readonly<Record<string, string>> = {}): NativeRequest {
  return { method: 'GET', path, query: new URLSearchParams(params).toString(), headers: {}, body: '' };
}

export function postForm(path: string, params: Readonly<Record<string, string>>): NativeRequest {
  return { method: 'POST', path, query: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() };
}

export function postJson(path: string, body: unknown): NativeRequest {
  return { method: 'POST', path, query: '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** 'BTC/USDT' → ['BTC', 'USDT']; the caller has validated the shape. */
export function splitSymbol(symbol: string): [string, string] {
  const [base = '', quote = ''] = symbol.split('/');
  return [base, quote];
}

/** Quote currencies, longest first, for exchanges whose native symbols have no separator. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'DAI', 'USD', 'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'BTC', 'ETH', 'BNB'];

/** 'BTCUSDT' → 'BTC/USDT'; an unknown quote leaves the native symbol as it is. */
export function unifyConcatenated(native: string, knownQuotes: readonly string[] = QUOTES): string {
  for (const q of knownQuotes) {
    if (native.length > q.length && native.endsWith(q)) return `${native.slice(0, -q.length)}/${q}`;
  }
  return native;
}
