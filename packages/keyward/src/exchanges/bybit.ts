// Bybit v5 (https://bybit-exchange.github.io/docs/v5/guide). HMAC-SHA256, hex, over
//   timestamp + apiKey + recvWindow + (queryString for GET | raw JSON body for POST)
// exactly as sent, in the headers X-BAPI-API-KEY, X-BAPI-TIMESTAMP (ms), X-BAPI-RECV-WINDOW and
// X-BAPI-SIGN. Bybit accepts `server_time - recv_window <= timestamp < server_time + 1000`.
// Self-generated RSA keys sign the same string with RSA-SHA256; the vault has no RSA keys, so only
// system-generated HMAC keys are supported.
import { KeywardError } from '@keyward/protocol/errors';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, singleValued, type Params, type RowParse } from './adapter-kit.js';
import type { Classification, OrderDetails } from './classification.js';
import { notionalOf, unknownRequest } from './classification.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { decodePairs, headerValue, parsePairs, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';
import { parseStrictJson } from './strict-json.js';

const DEFAULT_RECV_WINDOW = '5000';
const MAX_RECV_WINDOW = 60_000;

const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };
const get = (path: string, isPublic = false): EndpointRow<RowParse> => ({ method: 'GET', path, action: 'read', parse: BY_SYMBOL, ...(isPublic ? { isPublic } : {}) });

const PUBLIC = ['time', 'kline', 'mark-price-kline', 'index-price-kline', 'premium-index-price-kline', 'instruments-info', 'orderbook',
  'tickers', 'funding/history', 'recent-trade', 'open-interest', 'historical-volatility', 'insurance', 'risk-limit', 'delivery-price', 'account-ratio'];

export const BYBIT_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...PUBLIC.map((p) => get(`/v5/market/${p}`, true)),
  get('/v5/announcements/index', true),
  get('/v5/order/realtime'),
  get('/v5/order/history'),
  get('/v5/order/spot-borrow-check'),
  get('/v5/execution/list'),
  get('/v5/position/list'),
  get('/v5/position/closed-pnl'),
  get('/v5/account/wallet-balance'),
  get('/v5/account/fee-rate'),
  get('/v5/account/info'),
  get('/v5/account/transaction-log'),
  get('/v5/account/collateral-info'),
  get('/v5/account/borrow-history'),
  get('/v5/user/query-api'),
  get('/v5/asset/coin/query-info'),
  get('/v5/asset/deposit/query-record'),
  get('/v5/asset/deposit/query-address'),
  get('/v5/asset/transfer/query-account-coins-balance'),
  get('/v5/asset/transfer/query-account-coin-balance'),
  { method: 'POST', path: '/v5/order/create', action: 'trade', parse: BY_SYMBOL },
  { method: 'POST', path: '/v5/order/cancel', action: 'cancel', parse: BY_SYMBOL },
  { method: 'POST', path: '/v5/order/cancel-all', action: 'cancel', parse: BY_SYMBOL },
  { method: 'POST', path: '/v5/order/cancel-batch', action: 'cancel' },
  { method: 'POST', path: '/v5/asset/withdraw/create', action: 'withdraw' },
  { method: 'POST', path: '/v5/asset/withdraw/cancel', action: 'withdraw' },
  { method: 'POST', path: '/v5/asset/transfer/inter-transfer', action: 'transfer' },
  { method: 'POST', path: '/v5/asset/transfer/universal-transfer', action: 'transfer' },
  { method: 'POST', path: '/v5/asset/transfer/save-transfer-sub-member', action: 'transfer' },
];

// Checked before the table. The two funding-balance reads under /asset/transfer/ are let through
// to the table (where only their GET rows exist); every other path naming a transfer is one.
export const BYBIT_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /^(?!\/v5\/asset\/transfer\/query-account-coins?-balance$).*transfer/i, action: 'transfer' },
  // Broker rewards paid to other accounts, P2P trades (releasing coins to a buyer), Bybit Pay.
  { test: /^\/v5\/broker\/award\//i, action: 'transfer' },
  { test: /\/p2p\//i, action: 'transfer' },
  { test: /\/(bybit)?pay\//i, action: 'transfer' },
];

const ADMIN = ['create-sub-api', 'update-api', 'update-sub-api', 'delete-api', 'delete-sub-api', 'create-sub-member', 'frozen-sub-member', 'del-submember'];

/** Endpoints Keyward knows and will not sign, with the reason it gives. */
const REFUSED: readonly EndpointRow<string>[] = [
  { method: 'POST', path: '/v5/order/amend', action: 'unknown', parse: 'an amendment names no side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: '/v5/order/amend-batch', action: 'unknown', parse: 'an amendment names no side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: '/v5/order/create-batch', action: 'unknown', parse: 'a batch carries several orders; send them one at a time' },
  ...ADMIN.map((p) => ({ method: 'POST', path: `/v5/user/${p}`, action: 'unknown' as const, parse: 'API-key and sub-account administration is not signed' })),
  { method: 'POST', path: '/v5/asset/exchange/quote-apply', action: 'unknown', parse: 'a conversion is not an order with a price the policy can check' },
  { method: 'POST', path: '/v5/asset/exchange/convert-execute', action: 'unknown', parse: 'a conversion is not an order with a price the policy can check' },
];

const TPSL = ['takeProfit', 'stopLoss', 'tpLimitPrice', 'slLimitPrice'];
/** The names Keyward reads; each must appear exactly so spelt. */
const READ_NAMES = ['category', 'symbol', 'side', 'orderType', 'qty', 'price', 'marketUnit', ...TPSL];
const fieldKey = (name: string): string => name.toLowerCase().replace(/_/g, '');
const READ_BY_KEY = new Map(READ_NAMES.map((n) => [fieldKey(n), n]));

/**
 * Why these names could be read otherwise by Bybit than by Keyward, or null: not ASCII, two names
 * a case-insensitive parser (Go's encoding/json) reads as one, or a field Keyward reads spelt
 * another way (`MarketUnit` would be ignored here and honoured by such a parser).
 */
function namesProblem(names: Iterable<string>): string | null {
  const seen = new Map<string, string>();
  for (const name of names) {
    if (!/^[\x20-\x7e]*$/.test(name)) return `the name "${name.slice(0, 40)}" is not printable ASCII`;
    const key = fieldKey(name);
    const other = seen.get(key);
    if (other !== undefined) return `"${other.slice(0, 40)}" and "${name.slice(0, 40)}" name the same field`;
    seen.set(key, name);
    const canonical = READ_BY_KEY.get(key);
    if (canonical !== undefined && canonical !== name) return `"${name.slice(0, 40)}" must be spelt "${canonical}"`;
  }
  return null;
}

interface Shape {
  readonly params: Params;
  /** The body's top-level values, for the fields that must be JSON strings. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** Paths are classified only in plain form: no escapes, dot segments, empty segments or odd characters. */
function pathProblem(path: string): string | null {
  const plain = /^(\/[A-Za-z0-9._-]+)+$/.test(path) && !path.split('/').some((seg) => seg === '.' || seg === '..');
  return plain ? null : 'the path has escapes, dot segments or characters the gateway does not classify';
}

function requestShape(req: ExchangeRequest): Shape | string {
  if (req.method === 'GET') {
    if (req.body.length > 0) return 'a GET with a body';
    let decoded;
    try {
      decoded = decodePairs(parsePairs(req.query));
    } catch {
      return 'a parameter has a malformed %-escape';
    }
    const problem = namesProblem(decoded.keys());
    if (problem !== null) return problem;
    const params = singleValued(decoded);
    return typeof params === 'string' ? params : { params, body: {} };
  }
  if (req.method !== 'POST') return 'Bybit v5 takes only GET and POST';
  // Bybit signs only the body of a POST; a query beside it would be read unsigned, or not at all.
  if (req.query !== '') return 'a query string on a POST';
  if (req.body.length === 0) return { params: new Map(), body: {} };
  const parsed = parseStrictJson(req.body.toString('utf8'));
  if ('error' in parsed) return parsed.error;
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body is not a JSON object';
  const problem = namesProblem(Object.keys(v));
  if (problem !== null) return problem;
  const params = new Map<string, string>();
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') params.set(k, x);
    else if (typeof x === 'number' || typeof x === 'boolean') params.set(k, String(x));
  }
  return { params, body: v as Record<string, unknown> };
}

const DECIMAL = /^\d+(\.\d+)?$/;
const SIDES: Readonly<Record<string, 'buy' | 'sell'>> = { Buy: 'buy', Sell: 'sell' };

/**
 * The order a /v5/order/create body asks for. The unit of `qty` depends on the category: base coin
 * for linear and options, USD contracts for inverse, and for spot market orders `marketUnit`, whose
 * default is the quote coin for a buy and the base coin for a sell.
 */
function bybitOrder({ params, body }: Shape): OrderDetails | string {
  const category = params.get('category');
  if (category !== 'spot' && category !== 'linear' && category !== 'inverse' && category !== 'option') return 'the order names no category Bybit knows';
  const symbol = params.get('symbol');
  if (symbol === undefined || symbol === '') return 'the order names no symbol';
  const side = SIDES[params.get('side') ?? ''];
  if (side === undefined) return 'the order\'s side is not "Buy" or "Sell"';
  const type = params.get('orderType');
  if (type !== 'Market' && type !== 'Limit') return 'the order\'s orderType is not "Market" or "Limit"';
  for (const k of TPSL) if (Object.hasOwn(body, k)) return 'attached take-profit/stop-loss orders carry prices the policy does not check';
  const decimal = (name: string): string | null | { error: string } => {
    if (!Object.hasOwn(body, name)) return null;
    const v = body[name];
    return typeof v === 'string' && DECIMAL.test(v) ? v : { error: `the order's ${name} is not a plain decimal in a JSON string` };
  };
  const qty = decimal('qty');
  if (typeof qty !== 'string') return qty?.error ?? 'the order has no qty';
  let price: string | null = null;
  if (type === 'Limit') {
    const p = decimal('price');
    if (typeof p !== 'string') return p?.error ?? 'a limit order needs a price';
    price = p;
  }
  const marketUnit = params.get('marketUnit');
  let qtyIsQuote = category === 'inverse';
  if (category === 'spot' && type === 'Market') {
    if (marketUnit === undefined) qtyIsQuote = side === 'buy';
    else if (marketUnit === 'quoteCoin' || marketUnit === 'baseCoin') qtyIsQuote = marketUnit === 'quoteCoin';
    else return 'marketUnit is not "baseCoin" or "quoteCoin"';
  } else if (Object.hasOwn(body, 'marketUnit')) {
    return 'marketUnit applies only to spot market orders';
  }
  const quantity = qtyIsQuote ? null : qty;
  const quoteQuantity = qtyIsQuote ? qty : null;
  return { symbol, side, type: type.toLowerCase(), quantity, price, quoteQuantity, notional: notionalOf(quantity, price, quoteQuantity) };
}

function classify(req: ExchangeRequest): Classification {
  // A value exit is named as one even when the rest of the request is malformed or %-encoded.
  const exit = valueExitOf(BYBIT_VALUE_EXITS, req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const refused = matchEndpoint(REFUSED, req.method, req.path);
  if (refused !== null) return unknownRequest(req.method, req.path, refused.row.parse ?? 'not signed');
  const badPath = pathProblem(req.path);
  if (badPath !== null) return unknownRequest(req.method, req.path, badPath);
  const shape = requestShape(req);
  const c = classifyWith(BYBIT_ENDPOINTS, BYBIT_VALUE_EXITS, req.method, req.path, typeof shape === 'string' ? shape : shape.params);
  if (c.action !== 'trade' || typeof shape === 'string') return c;
  const order = bybitOrder(shape);
  return typeof order === 'string' ? unknownRequest(req.method, req.path, order) : { ...c, order, symbol: order.symbol };
}

/** The client's recv window when it is a sane number of milliseconds, else Bybit's default. */
function recvWindowOf(req: ExchangeRequest): string {
  const v = headerValue(req, 'x-bapi-recv-window');
  return v !== undefined && /^[1-9]\d{0,4}$/.test(v) && Number(v) <= MAX_RECV_WINDOW ? v : DEFAULT_RECV_WINDOW;
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  if (key.kind !== 'hmac') throw new KeywardError('KW_CREDENTIAL_INVALID', 'Bybit keys are signed with their HMAC secret; self-generated RSA keys are not supported.');
  const timestamp = String(ctx.nowMs);
  const recvWindow = recvWindowOf(req);
  const payload = req.method === 'GET' ? Buffer.from(req.query, 'latin1') : req.body;
  const signature = key.hmac('sha256', [Buffer.from(timestamp + key.apiKey + recvWindow, 'utf8'), payload]).toString('hex');
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: withAuthHeaders(req.headers, ['x-bapi-sign-type'], {
      'x-bapi-api-key': key.apiKey,
      'x-bapi-timestamp': timestamp,
      'x-bapi-recv-window': recvWindow,
      'x-bapi-sign': signature,
    }),
    body: req.body,
  };
}

const TRADING = ['ContractTrade', 'Spot', 'Options', 'Derivatives'];

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  const result = r?.['result'];
  if (status !== 200 || r === null || r['retCode'] !== 0 || typeof result !== 'object' || result === null) throw exchangeRefused('Bybit', status, raw);
  const k = result as Record<string, unknown>;
  const perms = typeof k['permissions'] === 'object' && k['permissions'] !== null ? (k['permissions'] as Record<string, unknown>) : null;
  const list = (group: string): string[] | null => {
    const v = perms?.[group];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;
  };
  const has = (group: string, ...names: string[]): boolean => (list(group) ?? []).some((p) => names.includes(p));
  const readOnly = k['readOnly'] === 1 ? true : k['readOnly'] === 0 ? false : null;
  const ips = Array.isArray(k['ips']) ? k['ips'].filter((x): x is string => typeof x === 'string') : null;
  const unrestricted = ips !== null && (ips.length === 0 || ips.includes('*'));
  return {
    read: true,
    trade: readOnly === true ? false : perms === null ? null : TRADING.some((g) => (list(g) ?? []).length > 0),
    // P2P and Bybit Pay hand coins to someone else: counted as withdrawals.
    withdraw: perms === null ? null : has('Wallet', 'Withdraw') || (list('FiatP2P') ?? []).length > 0 || ['FiatBybitPay', 'FiatBitPay', 'FiatGlobalPay'].some((f) => (list(f) ?? []).length > 0),
    transfer: perms === null ? null : has('Wallet', 'AccountTransfer', 'SubMemberTransfer'),
    ipRestricted: ips === null ? null : !unrestricted,
    ipAllowlist: ips === null || unrestricted ? null : ips,
    native: [...(readOnly === true ? ['readOnly'] : []), ...Object.keys(perms ?? {}).flatMap((g) => (list(g) ?? []).map((p) => `${g}:${p}`))],
  };
}

// Bybit answers errors with HTTP 200 and a retCode; so must Keyward, because the official SDK
// (pybit) hides the body of any non-200 answer behind a generic message. The codes are ones ccxt's
// exact-match table maps (bybit.js `exceptions`). 10018 rather than 10006 for rate limits: pybit
// retries 10006 and reads a reset-time header that a refusal has no value for.
const ERRORS: Record<Refusal['kind'], number> = {
  auth: 10003,
  forbidden: 10005,
  invalid: 10001,
  'rate-limited': 10018,
  unavailable: 10016,
};

function renderError(refusal: Refusal): RenderedError {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retCode: ERRORS[refusal.kind], retMsg: `Keyward ${refusal.code}: ${refusal.message}`, result: {}, retExtInfo: {} }),
  };
}

export const bybit = {
  id: 'bybit',
  name: 'Bybit',
  baseUrl: 'https://api.bybit.com',
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: '/v5/user/query-api', query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
