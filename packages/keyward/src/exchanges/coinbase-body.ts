// Reading a Coinbase Advanced Trade JSON body the way Coinbase reads it. Coinbase's REST layer
// decodes JSON into protobuf messages (grpc-gateway + protojson), which accepts each field under
// its proto name (`product_id`) and its JSON name (`productId`), and reads enums from names or
// numbers. So a body is refused when two keys could land on one field, when a field the gateway
// reads is spelt any other way than the SDK spells it, or when a key is not ASCII (parsers differ
// on Unicode case folding). The order itself sits in `order_configuration`, nested one level per
// order kind; only the kinds listed here are classified, anything else is unknown.
import type { OrderDetails } from './classification.js';
import { notionalOf } from './classification.js';
import { parseStrictJson } from './strict-json.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export interface ConfigurationShape {
  readonly type: string;
  readonly hasLimitPrice: boolean;
  /** Which size fields the kind takes; exactly one of them must be given. */
  readonly sizes: readonly ('base_size' | 'quote_size')[];
}

const MARKET: ConfigurationShape = { type: 'market', hasLimitPrice: false, sizes: ['base_size', 'quote_size'] };
const LIMIT: ConfigurationShape = { type: 'limit', hasLimitPrice: true, sizes: ['base_size', 'quote_size'] };
const STOP_LIMIT: ConfigurationShape = { type: 'stop_limit', hasLimitPrice: true, sizes: ['base_size'] };
const BRACKET: ConfigurationShape = { type: 'bracket', hasLimitPrice: true, sizes: ['base_size'] };

// The kinds the official SDK (coinbase-advanced-py rest/orders.py) and ccxt build. TWAP and
// scaled orders spread one request over many orders and are left unknown.
export const ORDER_CONFIGURATIONS: Readonly<Record<string, ConfigurationShape>> = {
  market_market_ioc: MARKET,
  market_market_fok: MARKET,
  sor_limit_ioc: LIMIT,
  limit_limit_gtc: LIMIT,
  limit_limit_gtd: LIMIT,
  limit_limit_fok: LIMIT,
  stop_limit_stop_limit_gtc: STOP_LIMIT,
  stop_limit_stop_limit_gtd: STOP_LIMIT,
  trigger_bracket_gtc: BRACKET,
  trigger_bracket_gtd: BRACKET,
};

/** The names Keyward reads; each must appear exactly so spelt. */
const READ_NAMES = [
  'product_id', 'product_ids', 'side', 'order_configuration', 'attached_order_configuration', 'base_size', 'quote_size', 'limit_price',
  ...Object.keys(ORDER_CONFIGURATIONS),
];

/** proto name and JSON name of one field normalise alike: `product_id`, `productId` -> `productid`. */
export function fieldKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

const READ_BY_KEY = new Map(READ_NAMES.map((n) => [fieldKey(n), n]));

/** Why these names (one object's keys, or the query's parameter names) are ambiguous, or null. */
export function namesProblem(names: Iterable<string>): string | null {
  const seen = new Map<string, string>();
  for (const name of names) {
    if (!/^[\x20-\x7e]*$/.test(name)) return `the name "${name.slice(0, 40)}" is not printable ASCII`;
    const key = fieldKey(name);
    const other = seen.get(key);
    if (other !== undefined && other !== name) return `"${other.slice(0, 40)}" and "${name.slice(0, 40)}" name the same field`;
    seen.set(key, name);
    const canonical = READ_BY_KEY.get(key);
    if (canonical !== undefined && canonical !== name) return `"${name.slice(0, 40)}" must be spelt "${canonical}"`;
  }
  return null;
}

function jsonNamesProblem(value: unknown): string | null {
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = jsonNamesProblem(v);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const p = namesProblem(Object.keys(value));
  if (p !== null) return p;
  for (const v of Object.values(value)) {
    const q = jsonNamesProblem(v);
    if (q !== null) return q;
  }
  return null;
}

/** The body as one JSON object, or why Coinbase might read it otherwise than Keyward. */
export function readJsonBody(body: Buffer): JsonObject | string {
  if (body.length === 0) return {};
  const parsed = parseStrictJson(body.toString('utf8'));
  if ('error' in parsed) return parsed.error;
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body is not a JSON object';
  return jsonNamesProblem(v) ?? (v as JsonObject);
}

const DECIMAL = /^\d+(\.\d+)?$/;

function decimalField(o: JsonObject, name: string): string | null | { error: string } {
  if (!Object.hasOwn(o, name)) return null;
  const v = o[name];
  if (typeof v !== 'string' || !DECIMAL.test(v)) return { error: `the order's ${name} is not a plain decimal in a JSON string` };
  return v;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The order a create-order (or preview) body asks for, or why it cannot be told. */
export function coinbaseOrder(body: JsonObject): OrderDetails | string {
  const symbol = body['product_id'];
  if (typeof symbol !== 'string' || symbol === '') return 'the order names no product_id';
  const side = body['side'];
  // protojson also reads enum numbers (1 = BUY); only the names are accepted here.
  if (side !== 'BUY' && side !== 'SELL') return 'the order\'s side is not "BUY" or "SELL"';
  if (Object.hasOwn(body, 'attached_order_configuration')) return 'attached take-profit/stop-loss orders carry prices the policy does not check';
  const config = body['order_configuration'];
  if (!isObject(config)) return 'the order has no order_configuration object';
  const kinds = Object.keys(config);
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) return 'order_configuration must name exactly one order kind';
  const shape = ORDER_CONFIGURATIONS[kind];
  const spec = config[kind];
  if (shape === undefined) return `the order kind "${kind.slice(0, 40)}" is not classified`;
  if (!isObject(spec)) return `order_configuration.${kind} is not an object`;

  const sizes = shape.sizes.map((n) => [n, decimalField(spec, n)] as const).filter(([, v]) => v !== null);
  for (const name of ['base_size', 'quote_size'] as const) {
    if (!shape.sizes.includes(name) && Object.hasOwn(spec, name)) return `${kind} does not take ${name}`;
  }
  if (sizes.length !== 1) return `${kind} needs exactly one of ${shape.sizes.join(' or ')}`;
  const [sizeName, size] = sizes[0] ?? ['base_size', null];
  if (typeof size !== 'string') return size?.error ?? 'the order has no size';
  let price: string | null = null;
  if (shape.hasLimitPrice) {
    const p = decimalField(spec, 'limit_price');
    if (typeof p !== 'string') return p?.error ?? `${kind} needs a limit_price`;
    price = p;
  } else if (Object.hasOwn(spec, 'limit_price')) {
    return `${kind} does not take limit_price`;
  }
  const quantity = sizeName === 'base_size' ? size : null;
  const quoteQuantity = sizeName === 'quote_size' ? size : null;
  return { symbol, side: side === 'BUY' ? 'buy' : 'sell', type: shape.type, quantity, price, quoteQuantity, notional: notionalOf(quantity, price, quoteQuantity) };
}
