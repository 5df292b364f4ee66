// Poloniex spot (https://api-docs.poloniex.com/spot/api, "Authentication").
// Signature: HMAC-SHA256 → base64 over `METHOD\npath\nP`, in the headers `key`, `signTimestamp`
// (ms) and `signature`. P is the TreeMap the official Java SDK builds (AuthenticationRequestInterceptor):
// every query parameter, `requestBody=<the exact body>` when there is a body, and `signTimestamp`,
// sorted by name and joined as `name=value&…`. So a GET signs its parameters SORTED, not in wire
// order (the only exchange here that does), and a POST/DELETE signs `requestBody=…&signTimestamp=…`.
//
// The SDKs disagree on how a value is written inside P: the Java and Python SDKs put it decoded,
// ccxt and the docs ("URL/UTF-8 encoded, space = %20") encoded. They agree whenever every name and
// value is made of unreserved characters (A-Z a-z 0-9 - . _ ~), which is all Poloniex's spot GET
// parameters need, so anything else is refused rather than signed one way and read another. A
// request with both a query and a body is refused too: the Python SDK would sign only the body.
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, Refusal, RenderedError } from './adapter.js';
import { classifyWith, jsonParams, singleValued, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import {
  decodePairs, headerValue, parsePairs, serializePairs, withAuthHeaders,
  type ExchangeRequest, type RawPair, type SignContext,
} from './request.js';

const ORDER: RowParse = {
  order: { symbol: 'symbol', side: 'side', type: 'type', quantity: 'quantity', price: 'price', quoteQuantity: 'amount' },
};
const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };

const pub = (path: string): EndpointRow<RowParse> => ({ method: 'GET', path, action: 'read', isPublic: true, parse: BY_SYMBOL });
const read = (path: string): EndpointRow<RowParse> => ({ method: 'GET', path, action: 'read', parse: BY_SYMBOL });

// Specific paths come before `:param` rows with the same shape (/markets/price before /markets/:symbol).
export const POLONIEX_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...['/markets', '/markets/price', '/markets/markPrice', '/markets/ticker24h', '/markets/:symbol', '/markets/:symbol/price',
    '/markets/:symbol/markPrice', '/markets/:symbol/orderBook', '/markets/:symbol/candles', '/markets/:symbol/trades',
    '/markets/:symbol/ticker24h', '/currencies', '/currencies/:currency', '/v2/currencies', '/v2/currencies/:currency', '/timestamp'].map(pub),
  ...['/accounts', '/accounts/balances', '/accounts/:id/balances', '/accounts/activity', '/feeinfo', '/orders', '/orders/history',
    '/orders/killSwitchStatus', '/orders/:id', '/orders/:id/trades', '/trades', '/smartorders', '/smartorders/history', '/smartorders/:id',
    '/margin/accountMargin', '/margin/borrowStatus', '/margin/maxSize', '/wallets/addresses', '/wallets/addresses/:currency',
    '/wallets/activity'].map(read),
  { method: 'POST', path: '/orders', action: 'trade', parse: ORDER },
  { method: 'DELETE', path: '/orders/cancelByIds', action: 'cancel' },
  { method: 'DELETE', path: '/orders/:id', action: 'cancel' },
  { method: 'DELETE', path: '/orders', action: 'cancel' },
  { method: 'POST', path: '/orders/killSwitch', action: 'cancel' },
  { method: 'DELETE', path: '/smartorders/cancelByIds', action: 'cancel' },
  { method: 'DELETE', path: '/smartorders/:id', action: 'cancel' },
  { method: 'DELETE', path: '/smartorders', action: 'cancel' },
  { method: 'POST', path: '/wallets/withdraw', action: 'withdraw' },
  { method: 'POST', path: '/v2/wallets/withdraw', action: 'withdraw' },
  { method: 'POST', path: '/accounts/transfer', action: 'transfer' },
  { method: 'POST', path: '/subaccounts/transfer', action: 'transfer' },
];

// Any path that names a withdrawal or a transfer, whatever its method, version or case
// (GET /accounts/transfer, a transfer history, is refused with them: fail closed).
export const POLONIEX_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
];

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;
/** Headers the gateway owns: whatever the client put there is dropped. */
const AUTH_HEADERS = ['key', 'signtimestamp', 'signature', 'signaturemethod', 'signatureversion'];
const AUTH_PARAMS = new Set(['signTimestamp', 'signature', 'key']);

/** The query as Poloniex will sign it: decoded pairs that read the same encoded or not. */
function queryPairs(req: ExchangeRequest): RawPair[] | string {
  const out: RawPair[] = [];
  for (const p of parsePairs(req.query)) {
    if (!p.hasValue) return `the query parameter "${p.name.slice(0, 40)}" has no value`;
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(p.name);
      value = decodeURIComponent(p.value);
    } catch {
      return 'a query parameter has a malformed %-escape';
    }
    if (!UNRESERVED.test(name) || !UNRESERVED.test(value)) {
      return 'Poloniex\'s SDKs sign characters outside A-Z a-z 0-9 - . _ ~ differently, so such a query is not signed';
    }
    out.push({ name, value, hasValue: true });
  }
  return out;
}

/** What the request carries besides the query, or why it cannot be read one way only. */
function bodyProblem(req: ExchangeRequest): string | null {
  if (req.body.length === 0) return null;
  if (req.method === 'GET') return 'a GET with a body';
  if (req.query !== '') return 'Poloniex signs either the query or the body; this request has both';
  if (!(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) return 'Poloniex reads a body only as application/json';
  if (!Buffer.from(req.body.toString('utf8'), 'utf8').equals(req.body)) return 'the body is not valid UTF-8';
  return null;
}

function paramsOf(req: ExchangeRequest): Params | string {
  const problem = bodyProblem(req);
  if (problem !== null) return problem;
  const q = queryPairs(req);
  if (typeof q === 'string') return q;
  const fromQuery = singleValued(decodePairs(q));
  if (typeof fromQuery === 'string' || req.body.length === 0) return fromQuery;
  return jsonParams(req.body);
}

/** Poloniex's own reading of an order where it differs from the kit's defaults. */
function orderParams(params: Params): Params | string {
  if (params.has('quantity') && params.has('amount')) return 'the order gives both quantity (base) and amount (quote)';
  // Poloniex defaults a missing type to MARKET; the kit would call a priced order without a type a limit.
  return params.has('type') ? params : new Map([...params, ['type', 'MARKET']]);
}

function classify(req: ExchangeRequest): Classification {
  let params = paramsOf(req);
  if (typeof params !== 'string' && req.method === 'POST' && req.path === '/orders') params = orderParams(params);
  return classifyWith(POLONIEX_ENDPOINTS, POLONIEX_VALUE_EXITS, req.method, req.path, params);
}

/**
 * The string Poloniex signs (exported for the documented string-to-sign examples). Throws a
 * TypeError when the request cannot be signed one way only.
 */
export function poloniexStringToSign(req: ExchangeRequest, signTimestamp: string): Buffer {
  const problem = bodyProblem(req);
  if (problem !== null) throw new TypeError(problem);
  const query = queryPairs(req);
  if (typeof query === 'string') throw new TypeError(query);
  const entries: [string, Buffer][] = query.filter((p) => !AUTH_PARAMS.has(p.name)).map((p) => [p.name, Buffer.from(p.value, 'utf8')]);
  if (req.body.length > 0) entries.push(['requestBody', req.body]);
  entries.push(['signTimestamp', Buffer.from(signTimestamp, 'utf8')]);
  // Names are unreserved ASCII here, so code-unit order is the Java TreeMap's and Python's sorted().
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Buffer[] = [Buffer.from(`${req.method}\n${req.path}\n`, 'utf8')];
  entries.forEach(([name, value], i) => parts.push(Buffer.from(`${i === 0 ? '' : '&'}${name}=`, 'utf8'), value));
  return Buffer.concat(parts);
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  const query = queryPairs(req);
  if (typeof query === 'string') throw new TypeError(query);
  const kept = query.filter((p) => !AUTH_PARAMS.has(p.name));
  const unsigned = { ...req, query: serializePairs(kept) };
  const ts = String(ctx.nowMs);
  const signature = key.hmac('sha256', poloniexStringToSign(unsigned, ts)).toString('base64');
  return {
    ...unsigned,
    headers: withAuthHeaders(req.headers, AUTH_HEADERS, { key: key.apiKey, signtimestamp: ts, signature }),
  };
}

// Codes from ccxt's poloniex `exceptions.exact`, so ccxt raises its usual class for each kind:
// 21600 AuthenticationError, 403 PermissionDenied, 601 BadRequest, 429 RateLimitExceeded,
// 503 ExchangeNotAvailable. The body is Poloniex's own {code, message}.
const ERRORS: Record<Refusal['kind'], { status: number; code: number }> = {
  auth: { status: 401, code: 21600 },
  forbidden: { status: 403, code: 403 },
  invalid: { status: 400, code: 601 },
  'rate-limited': { status: 429, code: 429 },
  unavailable: { status: 503, code: 503 },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.code, message: `Keyward ${refusal.code}: ${refusal.message}` }),
  };
}

export const poloniex = {
  id: 'poloniex',
  name: 'Poloniex',
  baseUrl: 'https://api.poloniex.com',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  // Poloniex has no endpoint that describes a key's own permissions (none in its docs or in
  // ccxt's map): a key's read/trade/withdraw rights show only by trying, so none is probed.
  permissions: null,
  renderError,
} satisfies ExchangeAdapter;
