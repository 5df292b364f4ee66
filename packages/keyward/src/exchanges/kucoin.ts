// KuCoin spot (https://www.kucoin.com/docs-new/authentication).
// Signature: base64(HMAC-SHA256(secret, timestamp + METHOD + endpoint + body)), timestamp in ms.
// The endpoint is the path plus `?query`, but KuCoin verifies it %-decoded ("the URL content
// participating in the signature should be the original information": `passphrase=abc%21%40%2311`
// is signed as `passphrase=abc!@#11`), and the official SDK signs the raw query while sending it
// encoded. The body is signed as sent. KC-API-PASSPHRASE is base64(HMAC-SHA256(secret, passphrase)).
// GET and DELETE parameters are in the query; POST parameters in a JSON body.
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import {
  bodyOnly, bothSizes, queryOnly, unsafePathReason, valueExitOfPath,
} from './okx-kucoin-coinbase-kit.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { urlOf, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';

const ORDER: RowParse = { order: { symbol: 'symbol', side: 'side', type: 'type', quantity: 'size', price: 'price', quoteQuantity: 'funds' } };
const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };
const ORDER_PATHS = new Set(['/api/v1/hf/orders', '/api/v1/hf/orders/sync', '/api/v1/orders', '/api/v1/hf/orders/test', '/api/v1/orders/test']);

const PUBLIC = ['/api/v1/timestamp', '/api/v1/status', '/api/v2/symbols', '/api/v2/symbols/:symbol', '/api/v1/market/orderbook/level1',
  '/api/v1/market/allTickers', '/api/v1/market/stats', '/api/v1/market/orderbook/level2_20', '/api/v1/market/orderbook/level2_100',
  '/api/v1/market/histories', '/api/v1/market/candles', '/api/v3/currencies', '/api/v3/currencies/:currency', '/api/v1/prices', '/api/v1/markets'];

// Literal paths come before the `:param` rows they would otherwise match (`ledgers` is not an account id).
const READS = ['/api/v1/accounts', '/api/v1/accounts/ledgers', '/api/v1/hf/accounts/ledgers', '/api/v1/accounts/:accountId',
  '/api/v1/user/api-key', '/api/v2/user-info', '/api/v1/base-fee', '/api/v1/trade-fees',
  '/api/v1/hf/orders/active', '/api/v1/hf/orders/active/symbols', '/api/v1/hf/orders/done', '/api/v1/hf/orders/dead-cancel-all/query',
  '/api/v1/hf/orders/client-order/:clientOid', '/api/v1/hf/orders/:orderId', '/api/v1/hf/fills',
  '/api/v1/orders', '/api/v1/orders/:orderId', '/api/v1/order/client-order/:clientOid', '/api/v1/fills', '/api/v1/limit/orders', '/api/v1/limit/fills'];

const CANCELS = ['/api/v1/hf/orders/cancelAll', '/api/v1/hf/orders', '/api/v1/hf/orders/client-order/:clientOid',
  '/api/v1/hf/orders/sync/client-order/:clientOid', '/api/v1/hf/orders/sync/:orderId', '/api/v1/hf/orders/cancel/:orderId',
  '/api/v1/hf/orders/:orderId', '/api/v1/orders', '/api/v1/orders/:orderId', '/api/v1/order/client-order/:clientOid'];

export const KUCOIN_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...PUBLIC.map((path) => ({ method: 'GET', path, action: 'read' as const, isPublic: true, parse: BY_SYMBOL })),
  ...READS.map((path) => ({ method: 'GET', path, action: 'read' as const, parse: BY_SYMBOL })),
  { method: 'POST', path: '/api/v1/hf/orders/test', action: 'read', parse: ORDER },
  { method: 'POST', path: '/api/v1/orders/test', action: 'read', parse: ORDER },
  { method: 'POST', path: '/api/v1/hf/orders', action: 'trade', parse: ORDER },
  { method: 'POST', path: '/api/v1/hf/orders/sync', action: 'trade', parse: ORDER },
  { method: 'POST', path: '/api/v1/orders', action: 'trade', parse: ORDER },
  ...CANCELS.map((path) => ({ method: 'DELETE', path, action: 'cancel' as const, parse: BY_SYMBOL })),
  { method: 'POST', path: '/api/v1/hf/orders/dead-cancel-all', action: 'cancel' },
  { method: 'POST', path: '/api/v3/withdrawals', action: 'withdraw' },
  { method: 'POST', path: '/api/v1/withdrawals', action: 'withdraw' },
  { method: 'DELETE', path: '/api/v1/withdrawals/:withdrawalId', action: 'withdraw' },
  { method: 'POST', path: '/api/v3/accounts/universal-transfer', action: 'transfer' },
  { method: 'POST', path: '/api/v2/accounts/sub-transfer', action: 'transfer' },
  { method: 'POST', path: '/api/v2/accounts/inner-transfer', action: 'transfer' },
  { method: 'POST', path: '/api/v3/transfer-out', action: 'transfer' },
  { method: 'POST', path: '/api/v1/transfer-in', action: 'transfer' },
];

// Withdrawals and every transfer by name; sub-account and broker administration (which creates
// sub-accounts and their API keys) as transfers. GET /api/v1/user/api-key (the key's own
// permissions) is deliberately not matched.
export const KUCOIN_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /^\/api\/v\d+\/sub\//i, action: 'transfer' },
  { test: /^\/api\/v\d+\/broker\//i, action: 'transfer' },
];

const NOT_CLASSIFIABLE: Readonly<Record<string, string>> = {
  'POST /api/v1/hf/orders/multi': 'a batch carries several orders and a classification holds one; send them one by one',
  'POST /api/v1/hf/orders/multi/sync': 'a batch carries several orders and a classification holds one; send them one by one',
  'POST /api/v1/orders/multi': 'a batch carries several orders and a classification holds one; send them one by one',
  'POST /api/v1/hf/orders/alter': 'an amendment names no side, so its new price cannot be checked; cancel and place again',
  'POST /api/v1/stop-order': 'stop orders execute at trigger prices the policy cannot check',
  'POST /api/v3/oco/order': 'OCO orders execute at trigger prices the policy cannot check',
};

function orderChecks(p: Params): string | null {
  const both = bothSizes(p, 'size', 'funds');
  if (both !== null) return both;
  const side = p.get('side') ?? '';
  if (side !== 'buy' && side !== 'sell') return `the side "${side.slice(0, 20)}" is not buy or sell`;
  const type = p.get('type') ?? '';
  if (type !== 'limit' && type !== 'market') return `the type "${type.slice(0, 20)}" is not limit or market`;
  return null;
}

function paramsOf(req: ExchangeRequest): Params | string {
  if (req.method === 'GET' || req.method === 'DELETE') return queryOnly(req);
  if (req.method !== 'POST') return `KuCoin has no ${req.method} endpoints`;
  const p = bodyOnly(req);
  if (typeof p === 'string' || !ORDER_PATHS.has(req.path)) return p;
  return orderChecks(p) ?? p;
}

function classify(req: ExchangeRequest): Classification {
  const exit = valueExitOfPath(KUCOIN_VALUE_EXITS, req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const pathProblem = unsafePathReason(req.path);
  if (pathProblem !== null) return unknownRequest(req.method, req.path, pathProblem);
  const refused = NOT_CLASSIFIABLE[`${req.method} ${req.path}`];
  if (refused !== undefined) return unknownRequest(req.method, req.path, refused);
  return classifyWith(KUCOIN_ENDPOINTS, KUCOIN_VALUE_EXITS, req.method, req.path, paramsOf(req));
}

// ccxt and the official SDK's broker mode add KC-API-PARTNER* and KC-BROKER-NAME: a broker's
// attribution, signed over the client's timestamp and API key (here the Keyward token), so it would
// not verify once the gateway sets its own. They are stripped, never re-signed.
const AUTH_HEADERS = ['kc-api-key', 'kc-api-sign', 'kc-api-timestamp', 'kc-api-passphrase', 'kc-api-key-version',
  'kc-api-partner', 'kc-api-partner-sign', 'kc-api-partner-verify', 'kc-broker-name'];

// "3" is what KuCoin's own SDKs send since 1.2.0 (2025-03-21: "Update API KEY verification version
// to 3"); ccxt still sends "2". Both mean a signed passphrase; the client's value is not kept,
// because "1" would tell KuCoin to expect the passphrase in clear.
export const KUCOIN_KEY_VERSION = '3';

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  const timestamp = String(ctx.nowMs);
  let endpoint: string;
  try {
    endpoint = decodeURIComponent(urlOf(req));
  } catch {
    throw new TypeError('the request URL has a malformed %-escape');
  }
  const prehash = Buffer.from(`${timestamp}${req.method}${endpoint}`, 'utf8');
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: withAuthHeaders(req.headers, AUTH_HEADERS, {
      'kc-api-key': key.apiKey,
      'kc-api-sign': key.hmac('sha256', [prehash, req.body]).toString('base64'),
      'kc-api-timestamp': timestamp,
      'kc-api-passphrase': key.hmacOfPassphrase('sha256').toString('base64'),
      'kc-api-key-version': KUCOIN_KEY_VERSION,
    }),
    body: req.body,
  };
}

const list = (v: unknown): string[] | null => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : null);

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  const d: unknown = r?.['data'];
  if (status !== 200 || r?.['code'] !== '200000' || typeof d !== 'object' || d === null || Array.isArray(d)) throw exchangeRefused('KuCoin', status, raw);
  const info = d as Record<string, unknown>;
  const perm = list(info['permission']);
  const has = (...names: string[]): boolean | null => (perm === null ? null : perm.some((p) => names.includes(p.toLowerCase())));
  const ips = list(info['ipWhitelist']);
  return {
    read: has('general'),
    trade: has('spot', 'margin', 'futures', 'trade'),
    // KuCoin calls the withdrawal permission "Transfer"; moves between one's own accounts are
    // "InnerTransfer" (and "FlexTransfers" for the universal transfer).
    withdraw: has('transfer'),
    transfer: has('transfer', 'innertransfer', 'flextransfers'),
    ipRestricted: ips === null ? null : ips.length > 0,
    ipAllowlist: ips,
    native: perm ?? [],
  };
}

// KuCoin codes that ccxt's kucoin.exceptions map to the matching classes. KuCoin's own rate-limit
// code 429000 is not in that map, so the message carries KuCoin's phrase that ccxt matches broadly.
const ERRORS: Record<Refusal['kind'], { status: number; code: string; suffix: string }> = {
  auth: { status: 401, code: '400003', suffix: '' },
  forbidden: { status: 403, code: '400007', suffix: '' },
  invalid: { status: 400, code: '400100', suffix: '' },
  'rate-limited': { status: 429, code: '429000', suffix: ' (Exceeded the access frequency)' },
  unavailable: { status: 503, code: '500000', suffix: '' },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: e.code, msg: `Keyward ${refusal.code}: ${refusal.message}${e.suffix}` }),
  };
}

export const kucoin = {
  id: 'kucoin',
  name: 'KuCoin',
  baseUrl: 'https://api.kucoin.com',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: '/api/v1/user/api-key', query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
