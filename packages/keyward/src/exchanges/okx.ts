// OKX v5 (https://www.okx.com/docs-v5/en/#overview-rest-authentication).
// Signature: base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)), where
// requestPath carries the query as sent (`/api/v5/account/balance?ccy=BTC`) and body is the raw
// JSON text ('' when there is none). The timestamp is ISO 8601 UTC with milliseconds
// (2020-12-08T09:08:57.715Z, ±30 s). Key, signature, timestamp and the passphrase, in clear, travel
// in OK-ACCESS-* headers. GET parameters are in the query; POST parameters in a JSON body.
import type { KeyHandle } from '../vault/index.js';
import { parseStrictJson } from './strict-json.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import {
  objectParams, passphraseHeader, queryOnly, strictJsonBody, unsafePathReason, valueExitOfPath,
} from './okx-kucoin-coinbase-kit.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { urlOf, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';

// Where the order's size goes once tgtCcy is read; client JSON keys cannot contain '#'.
const BASE_SZ = '#baseSz';
const QUOTE_SZ = '#quoteSz';
const ORDER_PATH = '/api/v5/trade/order';
const BATCH_CANCEL_PATH = '/api/v5/trade/cancel-batch-orders';

const ORDER: RowParse = { order: { symbol: 'instId', side: 'side', type: 'ordType', quantity: BASE_SZ, price: 'px', quoteQuantity: QUOTE_SZ } };
const BY_INST: RowParse = { symbolParam: 'instId' };

const PUBLIC = ['/api/v5/public/time', '/api/v5/public/instruments', '/api/v5/system/status', '/api/v5/market/ticker', '/api/v5/market/tickers',
  '/api/v5/market/books', '/api/v5/market/candles', '/api/v5/market/history-candles', '/api/v5/market/trades', '/api/v5/market/history-trades'];

const READS = ['/api/v5/account/balance', '/api/v5/account/config', '/api/v5/account/positions', '/api/v5/account/bills',
  '/api/v5/account/trade-fee', '/api/v5/account/max-size', '/api/v5/account/max-avail-size', '/api/v5/asset/balances',
  // Coins and their chains: ccxt's loadMarkets reads it whenever a key is set.
  '/api/v5/asset/currencies',
  '/api/v5/trade/order', '/api/v5/trade/orders-pending', '/api/v5/trade/orders-history', '/api/v5/trade/orders-history-archive',
  '/api/v5/trade/fills', '/api/v5/trade/fills-history'];

export const OKX_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...PUBLIC.map((path) => ({ method: 'GET', path, action: 'read' as const, isPublic: true, parse: BY_INST })),
  ...READS.map((path) => ({ method: 'GET', path, action: 'read' as const, parse: BY_INST })),
  { method: 'POST', path: ORDER_PATH, action: 'trade', parse: ORDER },
  { method: 'POST', path: '/api/v5/trade/cancel-order', action: 'cancel', parse: BY_INST },
  // Each element is checked and all must name one instrument (see batchCancelParams).
  { method: 'POST', path: BATCH_CANCEL_PATH, action: 'cancel', parse: BY_INST },
  { method: 'POST', path: '/api/v5/trade/mass-cancel', action: 'cancel', parse: { symbolParam: 'instFamily' } },
  { method: 'POST', path: '/api/v5/trade/cancel-all-after', action: 'cancel' },
  { method: 'POST', path: '/api/v5/asset/withdrawal', action: 'withdraw' },
  { method: 'POST', path: '/api/v5/asset/withdrawal-lightning', action: 'withdraw' },
  { method: 'POST', path: '/api/v5/asset/cancel-withdrawal', action: 'withdraw' },
  { method: 'POST', path: '/api/v5/fiat/create-withdrawal', action: 'withdraw' },
  { method: 'POST', path: '/api/v5/asset/transfer', action: 'transfer' },
  { method: 'POST', path: '/api/v5/asset/subaccount/transfer', action: 'transfer' },
];

// Withdrawals (crypto, lightning, fiat, grid income), transfers (own accounts, sub-accounts,
// set-transfer-out), and sub-account and API-key administration, which can mint a key that withdraws.
export const OKX_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /apikey/i, action: 'transfer' },
  { test: /^\/api\/v5\/users\/subaccount\//i, action: 'transfer' },
  { test: /^\/api\/v5\/(asset\/)?broker\//i, action: 'transfer' },
];

// Endpoints the gateway knows and will not sign, with the reason the caller is shown.
const NOT_CLASSIFIABLE: Readonly<Record<string, string>> = {
  'POST /api/v5/trade/amend-order': 'an amendment names no side, so its new price cannot be checked; cancel and place again',
  'POST /api/v5/trade/amend-batch-orders': 'an amendment names no side, so its new price cannot be checked; cancel and place again',
  'POST /api/v5/trade/order-algo': 'algo orders (trigger, OCO, iceberg, TWAP) execute at prices the policy cannot check',
  'POST /api/v5/trade/close-position': 'closing a position is a market order of unknown size',
};

const SPOT_ORD_TYPES = new Set(['market', 'limit', 'post_only', 'fok', 'ioc']);
// Fields that attach orders or set prices outside px: the policy could not check them.
const UNCHECKED_ORDER_FIELDS = ['attachAlgoOrds', 'tpTriggerPx', 'tpOrdPx', 'slTriggerPx', 'slOrdPx', 'pxUsd', 'pxVol'];

/** A spot order's parameters, with sz moved to the base or the quote slot as OKX reads it. */
function orderParams(req: ExchangeRequest): Params | string {
  if (req.query !== '') return 'OKX reads POST parameters from the body; this request also has a query';
  const body = strictJsonBody(req);
  if (typeof body === 'string') return body;
  const p = objectParams(body.value);
  if (typeof p === 'string') return p;
  const fields = typeof body.value === 'object' && body.value !== null ? body.value : {};
  const hidden = UNCHECKED_ORDER_FIELDS.find((k) => Object.hasOwn(fields, k));
  if (hidden !== undefined) return `the order carries "${hidden}", an attached order or price the policy cannot check`;
  const instId = p.get('instId') ?? '';
  // Derivatives are sized in contracts whose value the request does not state.
  if (!/^[A-Z0-9]+-[A-Z0-9]+$/.test(instId)) return `"${instId.slice(0, 40)}" is not a spot instrument; only spot orders can be sized from the request`;
  const side = p.get('side') ?? '';
  if (side !== 'buy' && side !== 'sell') return `the side "${side.slice(0, 20)}" is not buy or sell`;
  const ordType = p.get('ordType') ?? '';
  if (!SPOT_ORD_TYPES.has(ordType)) return `the ordType "${ordType.slice(0, 20)}" is not a spot order type the gateway knows`;
  const out = new Map(p);
  const sz = p.get('sz');
  if (sz === undefined) return out;
  // A spot market order's sz is in the quote currency for a buy and the base for a sell, unless
  // tgtCcy says otherwise; every other order type is sized in the base currency.
  const tgtCcy = p.get('tgtCcy') ?? (side === 'buy' ? 'quote_ccy' : 'base_ccy');
  if (tgtCcy !== 'quote_ccy' && tgtCcy !== 'base_ccy') return `the tgtCcy "${tgtCcy.slice(0, 20)}" is neither base_ccy nor quote_ccy`;
  out.set(ordType === 'market' && tgtCcy === 'quote_ccy' ? QUOTE_SZ : BASE_SZ, sz);
  return out;
}

/** A batch cancel is a JSON array; every element must be a cancel of one order, all on one instrument. */
function batchCancelParams(req: ExchangeRequest): Params | string {
  if (req.query !== '') return 'OKX reads POST parameters from the body; this request also has a query';
  const body = strictJsonBody(req);
  if (typeof body === 'string') return body;
  if (!Array.isArray(body.value) || body.value.length === 0) return 'a batch cancel must be a non-empty JSON array';
  const instIds = new Set<string>();
  for (const element of body.value) {
    const p = objectParams(element);
    if (typeof p === 'string') return `a batch element: ${p}`;
    const instId = p.get('instId');
    if (instId === undefined || instId === '') return 'a batch element names no instId';
    if (!p.has('ordId') && !p.has('clOrdId')) return 'a batch element names no ordId or clOrdId';
    instIds.add(instId);
  }
  if (instIds.size !== 1) return 'a batch cancel spans several instruments; send one batch per instrument';
  return new Map([['instId', [...instIds][0] ?? '']]);
}

function paramsOf(req: ExchangeRequest): Params | string {
  if (req.method === 'GET') return queryOnly(req);
  if (req.method !== 'POST') return `OKX has no ${req.method} endpoints`;
  if (req.path === ORDER_PATH) return orderParams(req);
  if (req.path === BATCH_CANCEL_PATH) return batchCancelParams(req);
  if (req.query !== '') return 'OKX reads POST parameters from the body; this request also has a query';
  const body = strictJsonBody(req);
  return typeof body === 'string' ? body : objectParams(body.value);
}

const BATCH_ORDERS_PATH = '/api/v5/trade/batch-orders';

/**
 * ccxt places every single OKX order through batch-orders, as a one-element array. A batch of one
 * is read as that one order, with the same checks; a longer batch is unknown (a classification
 * holds one order).
 */
function classifyBatchOfOne(req: ExchangeRequest): Classification {
  if (req.query !== '') return unknownRequest(req.method, req.path, 'a POST with a query string');
  const parsed = parseStrictJson(req.body.toString('utf8'));
  if ('error' in parsed) return unknownRequest(req.method, req.path, parsed.error);
  if (!Array.isArray(parsed.value) || parsed.value.length !== 1) {
    return unknownRequest(req.method, req.path, 'a batch of several orders; send them one by one to /api/v5/trade/order');
  }
  const single = classifyWith(OKX_ENDPOINTS, OKX_VALUE_EXITS, 'POST', '/api/v5/trade/order',
    paramsOf({ ...req, path: '/api/v5/trade/order', body: Buffer.from(JSON.stringify(parsed.value[0]), 'utf8') }));
  return single.action === 'unknown' ? unknownRequest(req.method, req.path, single.reason ?? 'the order cannot be read') : { ...single, endpoint: `POST ${BATCH_ORDERS_PATH} (one order)` };
}

function classify(req: ExchangeRequest): Classification {
  const exit = valueExitOfPath(OKX_VALUE_EXITS, req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const pathProblem = unsafePathReason(req.path);
  if (pathProblem !== null) return unknownRequest(req.method, req.path, pathProblem);
  const refused = NOT_CLASSIFIABLE[`${req.method} ${req.path}`];
  if (refused !== undefined) return unknownRequest(req.method, req.path, refused);
  if (req.method === 'POST' && req.path === BATCH_ORDERS_PATH) return classifyBatchOfOne(req);
  return classifyWith(OKX_ENDPOINTS, OKX_VALUE_EXITS, req.method, req.path, paramsOf(req));
}

const AUTH_HEADERS = ['ok-access-key', 'ok-access-sign', 'ok-access-timestamp', 'ok-access-passphrase'];

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  const timestamp = new Date(ctx.nowMs).toISOString();
  // latin1 keeps the path and query byte for byte as they arrived.
  const prehash = Buffer.from(`${timestamp}${req.method}${urlOf(req)}`, 'latin1');
  const signature = key.hmac('sha256', [prehash, req.body]).toString('base64');
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: withAuthHeaders(req.headers, AUTH_HEADERS, {
      'ok-access-key': key.apiKey,
      'ok-access-sign': signature,
      'ok-access-timestamp': timestamp,
      'ok-access-passphrase': passphraseHeader(key),
    }),
    body: req.body,
  };
}

const list = (v: unknown): string[] | null => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : null);

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  const data = r?.['data'];
  const row: unknown = Array.isArray(data) ? data[0] : undefined;
  if (status !== 200 || r?.['code'] !== '0' || typeof row !== 'object' || row === null) throw exchangeRefused('OKX', status, raw);
  const config = row as Record<string, unknown>;
  const perm = list(config['perm']);
  const has = (p: string): boolean | null => (perm === null ? null : perm.includes(p));
  const ips = list(config['ip']);
  return {
    read: has('read_only'),
    trade: has('trade'),
    withdraw: has('withdraw'),
    // POST /api/v5/asset/transfer and sub-account transfers need only the Trade permission.
    transfer: has('trade'),
    ipRestricted: ips === null ? null : ips.length > 0,
    ipAllowlist: ips,
    native: perm ?? [],
  };
}

// OKX codes that ccxt's okx.exceptions map to the matching classes; the HTTP status is OKX's own.
// 50120 ("API key doesn't have permission") would read better for `forbidden`, but ccxt knows only
// 50110 among the permission codes and raises PermissionDenied for it.
const ERRORS: Record<Refusal['kind'], { status: number; code: string }> = {
  auth: { status: 401, code: '50111' },
  forbidden: { status: 403, code: '50110' },
  invalid: { status: 400, code: '51000' },
  'rate-limited': { status: 429, code: '50011' },
  unavailable: { status: 503, code: '50013' },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.code, msg: `Keyward ${refusal.code}: ${refusal.message}`, data: [] }),
  };
}

export const okx = {
  id: 'okx',
  name: 'OKX',
  baseUrl: 'https://www.okx.com',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: '/api/v5/account/config', query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
