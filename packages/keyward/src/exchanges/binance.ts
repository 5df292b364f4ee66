// Binance Spot (https://developers.binance.com/docs/binance-spot-api-docs/rest-api).
// Signature: HMAC-SHA256 hex, or Ed25519 base64 then %-encoded, over query string + body exactly
// as sent (no '&' between them); `signature` goes last in the body when there is one, else in the
// query. The key travels in X-MBX-APIKEY; `timestamp` (ms) is a parameter.
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, singleValued, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import {
  decodePairs, isFormBody, parsePairs, serializePairs, setParam, withAuthHeaders, withoutParam,
  type ExchangeRequest, type RawPair, type SignContext,
} from './request.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';

const ORDER: RowParse = {
  order: { symbol: 'symbol', side: 'side', type: 'type', quantity: 'quantity', price: 'price', quoteQuantity: 'quoteOrderQty' },
};
const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };

const PUBLIC = ['/api/v3/ping', '/api/v3/time', '/api/v3/exchangeInfo', '/api/v3/depth', '/api/v3/trades', '/api/v3/historicalTrades',
  '/api/v3/aggTrades', '/api/v3/klines', '/api/v3/uiKlines', '/api/v3/avgPrice', '/api/v3/ticker/24hr', '/api/v3/ticker/price',
  '/api/v3/ticker/bookTicker', '/api/v3/ticker', '/api/v3/ticker/tradingDay'];

export const BINANCE_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...PUBLIC.map((path) => ({ method: 'GET', path, action: 'read' as const, isPublic: true, parse: BY_SYMBOL })),
  { method: 'GET', path: '/api/v3/account', action: 'read' },
  { method: 'GET', path: '/api/v3/order', action: 'read', parse: BY_SYMBOL },
  { method: 'GET', path: '/api/v3/openOrders', action: 'read', parse: BY_SYMBOL },
  { method: 'GET', path: '/api/v3/allOrders', action: 'read', parse: BY_SYMBOL },
  { method: 'GET', path: '/api/v3/myTrades', action: 'read', parse: BY_SYMBOL },
  { method: 'GET', path: '/api/v3/openOrderList', action: 'read' },
  { method: 'GET', path: '/api/v3/allOrderList', action: 'read' },
  { method: 'GET', path: '/api/v3/rateLimit/order', action: 'read' },
  { method: 'GET', path: '/api/v3/account/commission', action: 'read', parse: BY_SYMBOL },
  { method: 'GET', path: '/sapi/v1/account/apiRestrictions', action: 'read' },
  // Coins and their networks: ccxt's loadMarkets reads it whenever a key is set.
  { method: 'GET', path: '/sapi/v1/capital/config/getall', action: 'read' },
  { method: 'POST', path: '/api/v3/order/test', action: 'read', parse: ORDER },
  { method: 'POST', path: '/api/v3/order', action: 'trade', parse: ORDER },
  { method: 'POST', path: '/api/v3/order/cancelReplace', action: 'trade', parse: ORDER },
  { method: 'DELETE', path: '/api/v3/order', action: 'cancel', parse: BY_SYMBOL },
  { method: 'DELETE', path: '/api/v3/openOrders', action: 'cancel', parse: BY_SYMBOL },
  { method: 'DELETE', path: '/api/v3/orderList', action: 'cancel', parse: BY_SYMBOL },
  { method: 'POST', path: '/sapi/v1/capital/withdraw/apply', action: 'withdraw' },
  { method: 'POST', path: '/sapi/v1/asset/transfer', action: 'transfer' },
];

// Binance has dozens of value-exit endpoints across sapi products; match them by name too
// (universal transfer, sub-account transfers, gift cards, Pay, travel-rule withdrawals).
export const BINANCE_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /^\/sapi\/v\d+\/giftcard\//, action: 'transfer' },
  { test: /^\/sapi\/v\d+\/pay\//, action: 'transfer' },
  { test: /^\/sapi\/v\d+\/(sub-account|managed-subaccount|broker)\//, action: 'transfer' },
];

/** The parameters Binance reads: the query and a form body, as one list. */
function paramsOf(req: ExchangeRequest): { query: RawPair[]; body: RawPair[] } | string {
  if (req.body.length > 0 && !isFormBody(req)) return 'Binance reads a body only as application/x-www-form-urlencoded';
  return { query: parsePairs(req.query), body: parsePairs(req.body.toString('latin1')) };
}

function classify(req: ExchangeRequest): Classification {
  const p = paramsOf(req);
  if (typeof p === 'string') return unknownRequest(req.method, req.path, p);
  let decoded;
  try {
    decoded = singleValued(decodePairs([...p.query, ...p.body]));
  } catch {
    return unknownRequest(req.method, req.path, 'a parameter has a malformed %-escape');
  }
  return classifyWith(BINANCE_ENDPOINTS, BINANCE_VALUE_EXITS, req.method, req.path, decoded);
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  const p = paramsOf(req);
  if (typeof p === 'string') throw new TypeError(p);
  let query = withoutParam(p.query, 'signature');
  let body = withoutParam(p.body, 'signature');
  const ts = String(ctx.nowMs);
  const inQuery = setParam(query, 'timestamp', ts);
  const inBody = setParam(body, 'timestamp', ts);
  query = inQuery.pairs;
  body = inBody.pairs;
  if (!inQuery.found && !inBody.found) {
    if (body.length > 0) body = [...body, { name: 'timestamp', value: ts, hasValue: true }];
    else query = [...query, { name: 'timestamp', value: ts, hasValue: true }];
  }
  const payload = Buffer.from(serializePairs(query) + serializePairs(body), 'latin1');
  const signature = key.kind === 'hmac'
    ? key.hmac('sha256', payload).toString('hex')
    : encodeURIComponent(key.sign(payload).toString('base64'));
  const sig = { name: 'signature', value: signature, hasValue: true };
  if (body.length > 0) body = [...body, sig];
  else query = [...query, sig];
  return {
    method: req.method,
    path: req.path,
    query: serializePairs(query),
    headers: withAuthHeaders(req.headers, [], { 'x-mbx-apikey': key.apiKey }),
    body: body.length > 0 ? Buffer.from(serializePairs(body), 'latin1') : Buffer.alloc(0),
  };
}

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  if (status !== 200 || r === null) throw exchangeRefused('Binance', status, raw);
  const flag = (k: string): boolean | null => (typeof r[k] === 'boolean' ? r[k] : null);
  const transfer = [flag('enableInternalTransfer'), flag('permitsUniversalTransfer')];
  return {
    read: flag('enableReading'),
    trade: flag('enableSpotAndMarginTrading'),
    withdraw: flag('enableWithdrawals'),
    transfer: transfer.includes(true) ? true : transfer.every((t) => t === false) ? false : null,
    ipRestricted: flag('ipRestrict'),
    ipAllowlist: null,
    native: Object.entries(r).filter(([, v]) => v === true).map(([k]) => k),
  };
}

// Binance codes that ccxt and the official SDKs map to the right error classes.
const ERRORS: Record<Refusal['kind'], { status: number; code: number }> = {
  auth: { status: 401, code: -2015 },
  forbidden: { status: 403, code: -2015 },
  invalid: { status: 400, code: -1104 },
  'rate-limited': { status: 429, code: -1003 },
  unavailable: { status: 503, code: -1001 },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify({ code: e.code, msg: `Keyward ${refusal.code}: ${refusal.message}` }),
  };
}

export const binance = {
  id: 'binance',
  name: 'Binance',
  baseUrl: 'https://api.binance.com',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: '/sapi/v1/account/apiRestrictions', query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
