// Gate API v4 (https://www.gate.com/docs/developers/apiv4/, "Authentication").
// Signature: HMAC-SHA512 → hex over
//   METHOD \n /api/v4<path> \n <query> \n hex(SHA-512(body)) \n <timestamp in seconds>
// in the headers KEY, Timestamp and SIGN. <query> is the query string DECODED: the official SDK
// signs `unquote_plus(urlencode(query))` (gateapi-python api_client.py) and ccxt `rawencode(query)`,
// while both send it encoded. The gateway decodes the wire query the same way (`+` is a space),
// so what it signs is what the exchange rebuilds from what is sent. SHA-512 of an empty body is
// cf83e135…927da3e (FIPS 180-4 test vector; research §3).
import { createHash } from 'node:crypto';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, jsonParams, singleValued, type Params, type RowParse } from './adapter-kit.js';
import { notionalOf, unknownRequest, type Classification } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { decodeComponent, decodePairs, headerValue, parsePairs, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';
import { parseStrictJson } from './strict-json.js';

const V4 = '/api/v4';
const ORDER: RowParse = { order: { symbol: 'currency_pair', side: 'side', type: 'type', quantity: 'amount', price: 'price' } };
const BY_PAIR: RowParse = { symbolParam: 'currency_pair' };
const BATCH_CANCEL = `${V4}/spot/cancel_batch_orders`;

const row = (method: string, path: string, action: EndpointRow<RowParse>['action'], parse: RowParse = BY_PAIR): EndpointRow<RowParse> =>
  ({ method, path: V4 + path, action, parse });

export const GATE_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...['/spot/currencies', '/spot/currencies/:currency', '/spot/currency_pairs', '/spot/currency_pairs/:currency_pair', '/spot/tickers',
    '/spot/order_book', '/spot/trades', '/spot/candlesticks', '/spot/time'].map((p) => ({ ...row('GET', p, 'read'), isPublic: true })),
  ...['/spot/accounts', '/spot/account_book', '/spot/open_orders', '/spot/orders', '/spot/orders/:order_id', '/spot/my_trades', '/spot/fee',
    '/spot/batch_fee', '/spot/price_orders', '/spot/price_orders/:order_id', '/account/detail', '/account/rate_limit', '/wallet/total_balance',
    '/wallet/fee', '/wallet/deposits', '/wallet/deposit_address', '/unified/accounts'].map((p) => row('GET', p, 'read')),
  row('POST', '/spot/orders', 'trade', ORDER),
  row('DELETE', '/spot/orders/:order_id', 'cancel'),
  row('DELETE', '/spot/orders', 'cancel'),
  row('POST', '/spot/cancel_batch_orders', 'cancel', {}),
  row('POST', '/spot/countdown_cancel_all', 'cancel'),
  row('DELETE', '/spot/price_orders/:order_id', 'cancel'),
  row('DELETE', '/spot/price_orders', 'cancel'),
  row('POST', '/withdrawals', 'withdraw'),
  row('DELETE', '/withdrawals/:withdrawal_id', 'withdraw'),
  row('POST', '/withdrawals/push', 'transfer'),
  row('POST', '/wallet/transfers', 'transfer'),
  row('POST', '/wallet/sub_account_transfers', 'transfer'),
  row('POST', '/wallet/sub_account_to_sub_account', 'transfer'),
];

// By name, whatever the method or case. /withdrawals/push sends coins to ANOTHER Gate user by UID
// (research §7.9): it is matched by the word "push" anywhere, before the withdraw rule, so it
// counts as a transfer (ccxt even sends it as /api/v4/push). Sub-account endpoints create keys
// for and move funds between accounts: all of them are transfers. Reads of these histories are
// refused with them (fail closed).
export const GATE_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /push/i, action: 'transfer' },
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /sub_account/i, action: 'transfer' },
];

const AUTH_HEADERS = ['key', 'timestamp', 'sign'];

function bodyParams(req: ExchangeRequest): Params | string {
  if (req.method === 'GET') return 'a GET with a body';
  if (!(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) return 'Gate reads a body only as application/json';
  const text = req.body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(req.body)) return 'the body is not valid UTF-8';
  if (req.method === 'POST' && req.path === BATCH_CANCEL) {
    // A JSON array of {currency_pair, id}; a cancel needs no order fields, only an unambiguous body.
    const parsed = parseStrictJson(text);
    if ('error' in parsed) return parsed.error;
    return Array.isArray(parsed.value) ? new Map() : 'the body is not a JSON array';
  }
  return jsonParams(req.body);
}

function paramsOf(req: ExchangeRequest): Params | string {
  const pairs = parsePairs(req.query);
  const bare = pairs.find((p) => !p.hasValue);
  if (bare !== undefined) return `the query parameter "${bare.name.slice(0, 40)}" has no value`;
  let fromQuery: Params | string;
  try {
    fromQuery = singleValued(decodePairs(pairs));
  } catch {
    return 'a parameter has a malformed %-escape';
  }
  if (typeof fromQuery === 'string' || req.body.length === 0) return fromQuery;
  // The spot endpoints in the table read a body or a query, never both: a query beside a body
  // could name a field the classifier reads and Gate ignores.
  if (pairs.length > 0) return 'Gate reads this request\'s parameters from the body; it also has a query';
  return bodyParams(req);
}

function classify(req: ExchangeRequest): Classification {
  let params = paramsOf(req);
  const isOrder = req.method === 'POST' && req.path === `${V4}/spot/orders`;
  // Gate defaults a missing type to limit; the kit would call an unpriced order without one a market order.
  if (isOrder && typeof params !== 'string' && !params.has('type')) params = new Map([...params, ['type', 'limit']]);
  const c = classifyWith(GATE_ENDPOINTS, GATE_VALUE_EXITS, req.method, req.path, params);
  const o = c.order;
  if (o === null) return c;
  if (o.type !== 'limit' && o.type !== 'market') return unknownRequest(req.method, req.path, `Gate spot orders are limit or market, not "${o.type.slice(0, 20)}"`);
  if (o.type !== 'market' || o.side !== 'buy') return c;
  // A market buy's `amount` is in the quote currency (USDT for BTC_USDT), per Gate's order docs.
  return { ...c, order: { ...o, quantity: null, quoteQuantity: o.quantity, notional: notionalOf(null, null, o.quantity) } };
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  const timestamp = String(Math.floor(ctx.nowMs / 1000));
  const query = decodeComponent(req.query); // throws URIError on a malformed escape: nothing is signed
  const bodyHash = createHash('sha512').update(req.body).digest('hex');
  const payload = Buffer.from([req.method, req.path, query, bodyHash, timestamp].join('\n'), 'utf8');
  const signature = key.hmac('sha512', payload).toString('hex');
  return { ...req, headers: withAuthHeaders(req.headers, AUTH_HEADERS, { key: key.apiKey, timestamp, sign: signature }) };
}

const stringList = (v: unknown): string[] | null => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null);

/**
 * GET /api/v4/account/detail tells the key's IP allowlist, the pairs it is limited to and the
 * account mode; it says nothing about the key's read / trade / withdraw rights, so those stay
 * unknown (null). The per-key `perms` live behind /account/main_keys, not probed here.
 */
function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  if (status !== 200 || r === null || 'label' in r) throw exchangeRefused('Gate', status, raw);
  const ips = stringList(r.ip_whitelist);
  const pairs = stringList(r.currency_pairs);
  const key = r.key;
  const mode = typeof key === 'object' && key !== null && 'mode' in key ? (key as { mode: unknown }).mode : undefined;
  const native = [
    `ip_whitelist: ${ips === null ? 'not given' : ips.length === 0 ? 'none' : ips.join(', ')}`,
    `currency_pairs: ${pairs === null ? 'not given' : pairs.length === 0 ? 'any' : pairs.join(', ')}`,
    ...(typeof mode === 'number' ? [`key.mode: ${String(mode)} (${mode === 2 ? 'unified account' : mode === 1 ? 'classic account' : 'other'})`] : []),
  ];
  return { read: null, trade: null, withdraw: null, transfer: null, ipRestricted: ips === null ? null : ips.length > 0, ipAllowlist: ips, native };
}

// Labels from ccxt's gate `exceptions.exact`: INVALID_KEY → AuthenticationError, FORBIDDEN →
// PermissionDenied, INVALID_PARAM_VALUE → BadRequest, TOO_MANY_REQUESTS → RateLimitExceeded,
// SERVER_ERROR → ExchangeNotAvailable. The body is Gate's own {label, message}.
const ERRORS: Record<Refusal['kind'], { status: number; label: string }> = {
  auth: { status: 401, label: 'INVALID_KEY' },
  forbidden: { status: 403, label: 'FORBIDDEN' },
  invalid: { status: 400, label: 'INVALID_PARAM_VALUE' },
  'rate-limited': { status: 429, label: 'TOO_MANY_REQUESTS' },
  unavailable: { status: 503, label: 'SERVER_ERROR' },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: e.label, message: `Keyward ${refusal.code}: ${refusal.message}` }),
  };
}

export const gate = {
  id: 'gate',
  name: 'Gate',
  baseUrl: 'https://api.gateio.ws',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: `${V4}/account/detail`, query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
