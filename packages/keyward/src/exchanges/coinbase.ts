// Coinbase Advanced Trade with CDP keys (https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/api-key-authentication).
// Every request carries `Authorization: Bearer <JWT>`, a fresh JWT per request, as the official SDK
// builds it (coinbase-advanced-py 1.8.4, jwt_generator.py):
//   header {alg: ES256 | EdDSA, kid: <key name>, nonce: <random hex>, typ: JWT}
//   claims {sub: <key name>, iss: "cdp", nbf: now, exp: now + 120, uri: "<METHOD> api.coinbase.com<path>"}
// ES256 is ECDSA P-256 with the signature as r‖s (RFC 7518 §3.4); EdDSA is Ed25519 (RFC 8037).
// ccxt still sends the older claim set (iss "coinbase-cloud", aud, iat) for ES256, and `uris` for EdDSA.
//
// The JWT binds only method, host and path: not the query, not the body. Whoever holds a signed
// request can replay its JWT for up to 120 s with any body on the same method and path, so a JWT
// must never leave the gateway (`keyward sign` output for Coinbase is a bearer credential).
import { randomBytes } from 'node:crypto';
import { KeywardError } from '@keyward/protocol/errors';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import { coinbaseOrder, namesProblem, readJsonBody, type JsonObject } from './coinbase-body.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { decodePairs, parsePairs, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';

const HOST = 'api.coinbase.com';
const JWT_LIFETIME_S = 120;
const B = '/api/v3/brokerage';

const BY_PRODUCT: RowParse = { symbolParam: 'product_id' };
const read = (path: string, parse?: RowParse): EndpointRow<RowParse> => ({ method: 'GET', path, action: 'read', ...(parse === undefined ? {} : { parse }) });
const pub = (path: string, parse?: RowParse): EndpointRow<RowParse> => ({ ...read(path, parse), isPublic: true });

/** Endpoints whose body is an order (product_id, side, order_configuration). */
const ORDER_ENDPOINTS = new Set([`POST ${B}/orders`, `POST ${B}/orders/preview`]);

export const COINBASE_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  pub(`${B}/time`),
  pub(`${B}/market/product_book`, BY_PRODUCT),
  pub(`${B}/market/products`),
  pub(`${B}/market/products/:product_id`, BY_PRODUCT),
  pub(`${B}/market/products/:product_id/candles`, BY_PRODUCT),
  pub(`${B}/market/products/:product_id/ticker`, BY_PRODUCT),
  pub('/v2/time'),
  pub('/v2/currencies'),
  pub('/v2/currencies/crypto'),
  pub('/v2/exchange-rates'),
  read(`${B}/accounts`),
  read(`${B}/accounts/:account_uuid`),
  read(`${B}/key_permissions`),
  read(`${B}/transaction_summary`),
  read(`${B}/products`),
  read(`${B}/products/:product_id`, BY_PRODUCT),
  read(`${B}/products/:product_id/candles`, BY_PRODUCT),
  read(`${B}/products/:product_id/ticker`, BY_PRODUCT),
  read(`${B}/product_book`, BY_PRODUCT),
  read(`${B}/best_bid_ask`),
  read(`${B}/orders/historical/batch`, BY_PRODUCT),
  read(`${B}/orders/historical/fills`),
  read(`${B}/orders/historical/:order_id`),
  read(`${B}/portfolios`),
  read(`${B}/portfolios/:portfolio_uuid`),
  read(`${B}/cfm/balance_summary`),
  read(`${B}/cfm/positions`),
  read(`${B}/cfm/positions/:product_id`, BY_PRODUCT),
  read(`${B}/cfm/intraday/margin_setting`),
  read(`${B}/cfm/intraday/current_margin_window`),
  read(`${B}/intx/portfolio/:portfolio_uuid`),
  read(`${B}/intx/positions/:portfolio_uuid`),
  read(`${B}/intx/positions/:portfolio_uuid/:symbol`),
  read(`${B}/intx/balances/:portfolio_uuid`),
  read(`${B}/payment_methods`),
  read(`${B}/payment_methods/:payment_method_id`),
  read(`${B}/convert/trade/:trade_id`),
  read('/v2/accounts'),
  read('/v2/accounts/:account_id'),
  read('/v2/accounts/:account_id/transactions'),
  { method: 'POST', path: `${B}/orders/preview`, action: 'read', parse: BY_PRODUCT },
  { method: 'POST', path: `${B}/orders/edit_preview`, action: 'read' },
  { method: 'POST', path: `${B}/orders`, action: 'trade', parse: BY_PRODUCT },
  { method: 'POST', path: `${B}/orders/batch_cancel`, action: 'cancel' },
  // v2 "transactions" are sends (to an address or an e-mail), transfers between accounts and money requests.
  { method: 'POST', path: '/v2/accounts/:account_id/transactions', action: 'withdraw' },
  { method: 'POST', path: '/v2/accounts/:account_id/withdrawals', action: 'withdraw' },
  { method: 'POST', path: '/v2/accounts/:account_id/withdrawals/:withdrawal_id/commit', action: 'withdraw' },
  { method: 'POST', path: '/v2/accounts/:account_id/deposits', action: 'transfer' },
  { method: 'POST', path: '/v2/accounts/:account_id/deposits/:deposit_id/commit', action: 'transfer' },
  { method: 'POST', path: `${B}/portfolios/move_funds`, action: 'transfer' },
  { method: 'POST', path: `${B}/intx/allocate`, action: 'transfer' },
  { method: 'POST', path: `${B}/cfm/sweeps/schedule`, action: 'transfer' },
  { method: 'DELETE', path: `${B}/cfm/sweeps`, action: 'transfer' },
];

// Caught by name as well, before the table, so that a new or re-spelt value exit is never unknown-and-forgotten.
export const COINBASE_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  // Anything below one v2 transaction: completing, resending or cancelling a send or a money request.
  { test: /^\/v2\/accounts\/[^/]+\/transactions\/./i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /deposit/i, action: 'transfer' },
  { test: /move_funds/i, action: 'transfer' },
  { test: /\/intx\/allocate/i, action: 'transfer' },
  { test: /\/cfm\/sweeps/i, action: 'transfer' },
];

/** Endpoints Keyward knows and will not sign, with the reason it gives. */
const REFUSED: readonly EndpointRow<string>[] = [
  { method: 'POST', path: `${B}/orders/edit`, action: 'unknown', parse: 'an edit names neither product nor side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: `${B}/orders/close_position`, action: 'unknown', parse: 'closing a position names no side or price the policy can check' },
  { method: 'POST', path: `${B}/convert/quote`, action: 'unknown', parse: 'a conversion is not an order with a price the policy can check' },
  { method: 'POST', path: `${B}/convert/trade/:trade_id`, action: 'unknown', parse: 'a conversion is not an order with a price the policy can check' },
  ...['POST', 'PUT', 'DELETE'].flatMap((method) => [`${B}/portfolios`, `${B}/portfolios/:portfolio_uuid`].map((path) => ({
    method, path, action: 'unknown' as const, parse: 'portfolio administration is not signed',
  }))),
  { method: 'POST', path: `${B}/cfm/intraday/margin_setting`, action: 'unknown', parse: 'margin settings are not signed' },
  { method: 'POST', path: `${B}/intx/multi_asset_collateral`, action: 'unknown', parse: 'margin settings are not signed' },
  { method: 'POST', path: '/v2/accounts/:account_id/addresses', action: 'unknown', parse: 'creating deposit addresses is not signed' },
];

// Coinbase's list endpoints take arrays as repeated parameters (order_status=OPEN&order_status=FILLED).
const ARRAY_PARAMS = new Set(['order_ids', 'order_status', 'order_types', 'product_ids', 'trade_ids', 'asset_filters', 'portfolio_uuids']);

/** The query as single-valued parameters; arrays are allowed only where Coinbase takes them. */
function queryParams(query: string): Params | string {
  let decoded;
  try {
    decoded = decodePairs(parsePairs(query));
  } catch {
    return 'a parameter has a malformed %-escape';
  }
  const problem = namesProblem(decoded.keys());
  if (problem !== null) return problem;
  const out = new Map<string, string>();
  for (const [name, values] of decoded) {
    if (values.length === 1) out.set(name, values[0] ?? '');
    else if (!ARRAY_PARAMS.has(name)) return `the parameter "${name.slice(0, 40)}" is given ${String(values.length)} times`;
  }
  return out;
}

/** Top-level scalars of a JSON body, as the table's parameters. */
function scalarParams(body: JsonObject): Params {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out.set(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') out.set(k, String(v));
  }
  return out;
}

/** Paths are classified only in plain form: no escapes, dot segments, empty segments or odd characters. */
function pathProblem(path: string): string | null {
  const plain = /^(\/[A-Za-z0-9._~-]+)+$/.test(path) && !path.split('/').some((seg) => seg === '.' || seg === '..');
  return plain ? null : 'the path has escapes, dot segments or characters the gateway does not classify';
}

function requestShape(req: ExchangeRequest): { params: Params; body: JsonObject } | string {
  if (req.method === 'GET' || req.method === 'DELETE') {
    if (req.body.length > 0) return `a ${req.method} with a body`;
    const params = queryParams(req.query);
    return typeof params === 'string' ? params : { params, body: {} };
  }
  // The JWT does not bind the query, and a query beside a JSON body might be read as well: refused, not guessed.
  if (req.query !== '') return `a query string on a ${req.method}`;
  const body = readJsonBody(req.body);
  return typeof body === 'string' ? body : { params: scalarParams(body), body };
}

function classify(req: ExchangeRequest): Classification {
  // A value exit is named as one even when the rest of the request is malformed or %-encoded.
  const exit = valueExitOf(COINBASE_VALUE_EXITS, req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const refused = matchEndpoint(REFUSED, req.method, req.path);
  if (refused !== null) return unknownRequest(req.method, req.path, refused.row.parse ?? 'not signed');
  const badPath = pathProblem(req.path);
  if (badPath !== null) return unknownRequest(req.method, req.path, badPath);
  const shape = requestShape(req);
  const c = classifyWith(COINBASE_ENDPOINTS, COINBASE_VALUE_EXITS, req.method, req.path, typeof shape === 'string' ? shape : shape.params);
  if (!ORDER_ENDPOINTS.has(c.endpoint) || typeof shape === 'string') return c;
  const order = coinbaseOrder(shape.body);
  if (typeof order === 'string') return unknownRequest(req.method, req.path, order);
  return { ...c, order, symbol: order.symbol };
}

const base64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  if (key.kind === 'hmac') {
    throw new KeywardError('KW_CREDENTIAL_INVALID', 'Coinbase Advanced Trade signs with a CDP key (an EC P-256 PEM or an Ed25519 key); legacy HMAC keys are not supported.');
  }
  const now = Math.floor(ctx.nowMs / 1000);
  // The nonce only makes each JWT unique; it is not secret. 32 bytes, like the SDK's token_hex().
  const header = { alg: key.kind === 'es256' ? 'ES256' : 'EdDSA', kid: key.apiKey, nonce: randomBytes(32).toString('hex'), typ: 'JWT' };
  const claims = { sub: key.apiKey, iss: 'cdp', nbf: now, exp: now + JWT_LIFETIME_S, uri: `${req.method} ${HOST}${req.path}` };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = key.sign(Buffer.from(signingInput, 'ascii')).toString('base64url');
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: withAuthHeaders(req.headers, ['cb-access-key', 'cb-access-sign', 'cb-access-timestamp', 'cb-access-passphrase'], {
      authorization: `Bearer ${signingInput}.${signature}`,
    }),
    body: req.body,
  };
}

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  const flag = (k: string): boolean | null => (r !== null && typeof r[k] === 'boolean' ? r[k] : null);
  if (status !== 200 || r === null || [flag('can_view'), flag('can_trade'), flag('can_transfer')].every((f) => f === null)) {
    throw exchangeRefused('Coinbase', status, raw);
  }
  const portfolio = typeof r['portfolio_type'] === 'string' ? [`portfolio_type=${r['portfolio_type']}`] : [];
  return {
    read: flag('can_view'),
    trade: flag('can_trade'),
    // "Transfer" is one permission on a CDP key: sends and withdrawals as well as moves between portfolios.
    withdraw: flag('can_transfer'),
    transfer: flag('can_transfer'),
    // CDP keys can carry an IP allowlist, but key_permissions does not report it.
    ipRestricted: null,
    ipAllowlist: null,
    native: [...['can_view', 'can_trade', 'can_transfer'].filter((k) => r[k] === true), ...portfolio],
  };
}

// Advanced Trade answers {error, error_details, message}. The `error` values are ones ccxt's
// exact-match table maps (coinbase.js `exceptions`); an unmapped value would raise a bare ExchangeError.
const ERRORS: Record<Refusal['kind'], { status: number; error: string }> = {
  auth: { status: 401, error: 'unauthorized' },
  forbidden: { status: 403, error: 'PERMISSION_DENIED' },
  invalid: { status: 400, error: 'INVALID_ARGUMENT' },
  'rate-limited': { status: 429, error: 'rate_limit_exceeded' },
  unavailable: { status: 503, error: 'UNAVAILABLE' },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  const message = `Keyward ${refusal.code}: ${refusal.message}`;
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: e.error, error_details: message, message }),
  };
}

export const coinbase = {
  id: 'coinbase',
  name: 'Coinbase Advanced Trade',
  baseUrl: `https://${HOST}`,
  secretEncoding: 'utf8',
  nonce: 'none',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'GET', path: `${B}/key_permissions`, query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
