// Shared pieces for adapters: reading order fields out of decoded parameters, and the
// classification that every adapter builds the same way from an endpoint-table match.
import type { Action, Classification, OrderDetails } from './classification.js';
import { notionalOf, sideOf, unknownRequest } from './classification.js';
import { parseStrictJson } from './strict-json.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';

/** Which parameter names carry the order's fields on one endpoint. */
export interface OrderFields {
  readonly symbol: string;
  readonly side: string;
  readonly type?: string;
  readonly quantity?: string;
  readonly price?: string;
  readonly quoteQuantity?: string;
  /** Maps the exchange's side words to buy/sell when they are not literally buy/sell. */
  readonly sideMap?: Readonly<Record<string, 'buy' | 'sell'>>;
  /** A fixed order type when the endpoint implies it (Bitstamp's /buy/market/). */
  readonly fixedType?: string;
  /** A fixed side when the endpoint implies it (Bitstamp's /buy/). */
  readonly fixedSide?: 'buy' | 'sell';
}

export interface RowParse {
  readonly order?: OrderFields;
  /** The parameter naming the symbol of a read or cancel. */
  readonly symbolParam?: string;
}

export type Params = ReadonlyMap<string, string>;

export function orderFrom(fields: OrderFields, params: Params, pathParams: Readonly<Record<string, string>> = {}): OrderDetails | string {
  // A field the path names is the one the exchange acts on: the same name in the query or body as
  // well would let policy check one value while the exchange trades another.
  const clash = [fields.symbol, fields.side, fields.type, fields.quantity, fields.price, fields.quoteQuantity]
    .find((n) => n !== undefined && Object.hasOwn(pathParams, n) && params.has(n));
  if (clash !== undefined) return `"${clash}" is given both in the path and in the parameters`;
  const get = (name: string | undefined): string | null => (name === undefined ? null : pathParams[name] ?? params.get(name) ?? null);
  const symbol = get(fields.symbol);
  const rawSide = get(fields.side);
  const side = fields.fixedSide ?? (rawSide === null ? null : fields.sideMap?.[rawSide] ?? sideOf(rawSide));
  if (symbol === null || symbol === '') return 'the order names no symbol';
  if (side === null) return 'the order has no buy or sell side';
  const quantity = get(fields.quantity);
  const price = get(fields.price);
  const quoteQuantity = get(fields.quoteQuantity);
  if (quantity !== null && quoteQuantity !== null) return 'the order gives both a base and a quote quantity';
  for (const [name, v] of [['quantity', quantity], ['price', price], ['quote quantity', quoteQuantity]] as const) {
    if (v !== null && !/^\d+(\.\d+)?$/.test(v)) return `the order's ${name} is not a plain decimal`;
  }
  const type = (fields.fixedType ?? get(fields.type) ?? (price === null ? 'market' : 'limit')).toLowerCase();
  return { symbol, side, type, quantity, price: type === 'market' ? null : price, quoteQuantity, notional: notionalOf(quantity, type === 'market' ? null : price, quoteQuantity) };
}

/**
 * The common classification: value-exit keywords first, then the table, then the order fields.
 * `params` are the decoded parameters the exchange will read; null when they were ambiguous.
 */
export function classifyWith(
  rows: readonly EndpointRow<RowParse>[],
  valueExits: readonly ValueExitRule[],
  method: string,
  path: string,
  params: Params | string,
): Classification {
  const exit = valueExitOf(valueExits, path);
  if (exit !== null) return { action: exit, endpoint: `${method} ${path}`, isPublic: false, order: null, symbol: null, reason: null };
  const match = matchEndpoint(rows, method, path);
  if (match === null) return unknownRequest(method, path, 'not in the endpoint table');
  const { row } = match;
  const endpoint = `${row.method} ${row.path}`;
  if (row.action === 'withdraw' || row.action === 'transfer') return { action: row.action, endpoint, isPublic: false, order: null, symbol: null, reason: null };
  if (typeof params === 'string') return unknownRequest(method, path, params);
  let order: OrderDetails | null = null;
  if (row.parse?.order !== undefined) {
    const o = orderFrom(row.parse.order, params, match.params);
    if (typeof o === 'string') return unknownRequest(method, path, o);
    order = o;
  }
  const sp = row.parse?.symbolParam;
  if (sp !== undefined && Object.hasOwn(match.params, sp) && params.has(sp)) return unknownRequest(method, path, `"${sp}" is given both in the path and in the parameters`);
  const symbol = order?.symbol ?? (sp === undefined ? null : match.params[sp] ?? params.get(sp) ?? null);
  return { action: row.action as Action, endpoint, isPublic: row.isPublic === true, order, symbol, reason: null };
}

/** Decoded single-valued parameters; a name given twice makes the request ambiguous. */
export function singleValued(decoded: ReadonlyMap<string, readonly string[]>): Params | string {
  const out = new Map<string, string>();
  for (const [k, vs] of decoded) {
    if (vs.length !== 1) return `the parameter "${k}" is given ${String(vs.length)} times`;
    out.set(k, vs[0] ?? '');
  }
  return out;
}

/** JSON object bodies as string parameters (numbers kept as their JSON text). */
export function jsonParams(body: Buffer): Params | string {
  if (body.length === 0) return new Map();
  const result = parseStrictJson(body.toString('utf8'));
  if ('error' in result) return result.error;
  const parsed = result.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the body is not a JSON object';
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === 'string') out.set(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.set(k, String(v));
  }
  return out;
}
