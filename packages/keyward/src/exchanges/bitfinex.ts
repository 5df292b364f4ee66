// Bitfinex v2 (https://docs.bitfinex.com/docs/rest-auth).
// Authenticated endpoints are POSTs to /v2/auth/... with a JSON body. The signature is
//   bfx-signature = hex( HMAC-SHA384( secret, "/api" + path + nonce + body ) )
// where path is the wire path (/v2/auth/r/wallets, so the string starts "/api/v2/..."), nonce the
// bfx-nonce header (strictly increasing per key) and body the exact JSON sent ("{}" when there are
// no parameters: an empty body is sent as "{}" so what is signed is what travels). The key travels
// in bfx-apikey. Bitfinex publishes no worked example with a key, nonce and signature.
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError, Tri } from './adapter.js';
import { classifyWith, singleValued, type Params, type RowParse } from './adapter-kit.js';
import type { Classification, OrderDetails } from './classification.js';
import { notionalOf, unknownRequest } from './classification.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';
import { caseCollision, readJsonBody, scalarMembers } from './kraken-json.js';
import { exchangeRefused, jsonValue } from './permission-kit.js';
import { decodePairs, headerValue, parsePairs, type ExchangeRequest, type SignContext } from './request.js';

const AUTH = '/v2/auth/';
const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };

const pub = (path: string, parse?: RowParse): EndpointRow<RowParse> =>
  ({ method: 'GET', path: `/v2/${path}`, action: 'read', isPublic: true, ...(parse === undefined ? {} : { parse }) });
const auth = (path: string, action: 'read' | 'trade' | 'cancel' | 'withdraw' | 'transfer', parse?: RowParse): EndpointRow<RowParse> =>
  ({ method: 'POST', path: `${AUTH}${path}`, action, ...(parse === undefined ? {} : { parse }) });

export const BITFINEX_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  pub('platform/status'),
  pub('tickers'),
  pub('ticker/:symbol', BY_SYMBOL),
  pub('trades/:symbol/hist', BY_SYMBOL),
  pub('book/:symbol/:precision', BY_SYMBOL),
  pub('candles/:key/:section'),
  pub('conf/:key'),
  ...['wallets', 'wallets/hist', 'orders', 'orders/hist', 'trades/hist', 'ledgers/hist', 'positions', 'positions/hist',
    'positions/audit', 'positions/snap', 'info/user', 'info/margin/:key', 'info/funding/:key', 'summary', 'permissions',
    'movements/hist', 'movements/:currency/hist', 'movements/info', 'funding/offers', 'funding/loans', 'funding/credits',
    'deposit/address/all', 'settings', 'alerts', 'logins/hist', 'audit/hist', 'order/:symbolAndId/trades', 'ledgers/:currency/hist',
  ].map((p) => auth(`r/${p}`, 'read')),
  auth('r/orders/:symbol', 'read', BY_SYMBOL),
  auth('r/orders/:symbol/hist', 'read', BY_SYMBOL),
  auth('r/trades/:symbol/hist', 'read', BY_SYMBOL),
  auth('calc/order/avail', 'read', BY_SYMBOL),
  // The order is read by orderOf(): Bitfinex's side is the sign of `amount`.
  auth('w/order/submit', 'trade'),
  auth('w/order/cancel', 'cancel'),
  auth('w/order/cancel/multi', 'cancel'),
  auth('w/withdraw', 'withdraw'),
  auth('w/ext/wallets/withdrawals/request', 'withdraw'),
  // Mints an auth token whose caps may include `wd` (withdraw): a path to a withdrawal.
  auth('w/token', 'withdraw'),
  auth('w/transfer', 'transfer'),
  auth('w/ext/wallets/deposits/request', 'transfer'),
];

// Caught by name before the table. Funding offers lend the funding wallet's balance to other
// users; ext/ covers Bitfinex Pay and external-wallet moves.
export const BITFINEX_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /^\/v2\/auth\/w\/token$/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /^\/v2\/auth\/w\/funding\//i, action: 'transfer' },
  { test: /^\/v2\/auth\/w\/ext\//i, action: 'transfer' },
];

/** Endpoints Keyward knows and will not sign, with the reason it gives. */
const REFUSED: readonly EndpointRow<string>[] = [
  { method: 'POST', path: `${AUTH}w/order/update`, action: 'unknown', parse: 'an update names neither symbol nor side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: `${AUTH}w/order/multi`, action: 'unknown', parse: 'a multi-operation carries several orders; the policy checks one order per request' },
  { method: 'POST', path: `${AUTH}w/position/close`, action: 'unknown', parse: 'closing a position names no price the policy can check' },
  { method: 'POST', path: `${AUTH}w/settings/set`, action: 'unknown', parse: 'account settings are not signed' },
  { method: 'POST', path: `${AUTH}w/settings/del`, action: 'unknown', parse: 'account settings are not signed' },
  { method: 'POST', path: `${AUTH}w/deposit/address`, action: 'unknown', parse: 'creating a deposit address is not signed' },
  { method: 'POST', path: `${AUTH}w/deposit/invoice`, action: 'unknown', parse: 'creating a deposit invoice is not signed' },
];

// Bitfinex order types: the limit-priced ones, the ones that fill at market (at once or when a
// stop triggers), and STOP LIMIT, whose limit is price_aux_limit (price is the trigger).
const LIMIT_TYPES = new Set(['LIMIT', 'EXCHANGE LIMIT', 'FOK', 'EXCHANGE FOK', 'IOC', 'EXCHANGE IOC']);
const MARKET_TYPES = new Set(['MARKET', 'EXCHANGE MARKET', 'STOP', 'EXCHANGE STOP', 'TRAILING STOP', 'EXCHANGE TRAILING STOP']);
const STOP_LIMIT_TYPES = new Set(['STOP LIMIT', 'EXCHANGE STOP LIMIT']);
/** The OCO flag adds a stop order at price_oco_stop, which fills at market. */
const FLAG_OCO = 16384;
const DECIMAL = /^\d+(\.\d+)?$/;

/** The order in a submit body, or why the policy could not check it. */
function orderOf(params: Params): OrderDetails | string {
  const symbol = params.get('symbol') ?? '';
  const type = params.get('type') ?? '';
  const amount = params.get('amount') ?? '';
  if (symbol === '') return 'the order names no symbol';
  if (!/^-?\d+(\.\d+)?$/.test(amount) || Number(amount) === 0) return 'the order\'s amount is not a plain, non-zero decimal';
  const side = amount.startsWith('-') ? 'sell' : 'buy';
  const quantity = amount.replace(/^-/, '');
  const flags = params.get('flags') ?? '0';
  if (!/^\d{1,10}$/.test(flags)) return 'the order\'s flags are not a plain integer';
  let price: string | null;
  if (LIMIT_TYPES.has(type)) price = params.get('price') ?? null;
  else if (STOP_LIMIT_TYPES.has(type)) price = params.get('price_aux_limit') ?? null;
  else if (MARKET_TYPES.has(type)) price = null;
  else return `the order type "${type.slice(0, 30)}" is not one Keyward can price`;
  if (price !== null && !DECIMAL.test(price)) return 'the order\'s price is not a plain decimal';
  if (!MARKET_TYPES.has(type) && price === null) return 'a limit order without a limit price';
  if ((Number(flags) & FLAG_OCO) !== 0) price = null;
  return { symbol, side, type: type.toLowerCase(), quantity, price, quoteQuantity: null, notional: notionalOf(quantity, price, null) };
}

/** The parameters Bitfinex reads: a public request's query, or an authenticated request's JSON body. */
function paramsOf(req: ExchangeRequest): Params | string {
  if (!req.path.startsWith(AUTH)) {
    if (req.body.length > 0) return 'a public request with a body';
    try {
      return singleValued(decodePairs(parsePairs(req.query)));
    } catch {
      return 'a parameter has a malformed %-escape';
    }
  }
  if (req.query !== '') return 'an authenticated request with a query string (only the body is signed)';
  if (req.body.length === 0) return new Map();
  if (!isJson(req)) return 'Bitfinex reads a body only as application/json';
  const obj = readJsonBody(req.body);
  if (typeof obj === 'string') return obj;
  return caseCollision(obj.members.map((m) => m.name)) ?? scalarMembers(obj);
}

function isJson(req: ExchangeRequest): boolean {
  return (headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json');
}

/** A value exit spelt with %-escapes (/v2/auth/w/%77ithdraw) is still one: routers decode paths. */
function exitOf(path: string): 'withdraw' | 'transfer' | null {
  return valueExitOf(BITFINEX_VALUE_EXITS, path);
}

function classify(req: ExchangeRequest): Classification {
  const exit = exitOf(req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const refused = matchEndpoint(REFUSED, req.method, req.path);
  if (refused !== null) return unknownRequest(req.method, req.path, refused.row.parse ?? 'not signed');
  const params = paramsOf(req);
  const c = classifyWith(BITFINEX_ENDPOINTS, BITFINEX_VALUE_EXITS, req.method, req.path, params);
  if (c.action !== 'trade' || typeof params === 'string') return c;
  const order = orderOf(params);
  if (typeof order === 'string') return unknownRequest(req.method, req.path, order);
  return { ...c, order, symbol: order.symbol };
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  if (req.method !== 'POST' || !req.path.startsWith(AUTH)) throw new TypeError('Bitfinex signs only POST /v2/auth/ requests');
  if (req.query !== '') throw new TypeError('an authenticated request with a query string');
  if (req.body.length > 0 && !isJson(req)) throw new TypeError('Bitfinex reads a body only as JSON');
  const body = req.body.length === 0 ? Buffer.from('{}') : req.body;
  const nonce = ctx.nonce.toString();
  const signature = key.hmac('sha384', [Buffer.from(`/api${req.path}${nonce}`, 'utf8'), body]).toString('hex');
  // Every bfx-* header goes: the client's key, nonce and signature, and a bfx-token that would
  // authenticate the request as someone else.
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.toLowerCase().startsWith('bfx-') && !['content-type', 'content-length'].includes(k.toLowerCase())));
  return {
    method: req.method,
    path: req.path,
    query: '',
    headers: { ...headers, 'content-type': 'application/json', 'bfx-nonce': nonce, 'bfx-apikey': key.apiKey, 'bfx-signature': signature },
    body,
  };
}

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const v = jsonValue(raw);
  if (status !== 200 || !Array.isArray(v) || v[0] === 'error' || !v.every((row) => Array.isArray(row) && typeof row[0] === 'string')) {
    throw exchangeRefused('Bitfinex', status, raw);
  }
  const scopes = new Map<string, { read: boolean; write: boolean }>();
  for (const row of v as unknown[][]) scopes.set(String(row[0]), { read: row[1] === 1, write: row[2] === 1 });
  const any = (names: string[], kind: 'read' | 'write'): Tri => {
    const known = names.map((n) => scopes.get(n)).filter((s) => s !== undefined);
    if (known.some((s) => s[kind])) return true;
    return known.length === names.length ? false : null;
  };
  return {
    read: any(['wallets', 'orders', 'history', 'account'], 'read'),
    trade: any(['orders'], 'write'),
    withdraw: any(['withdraw', 'ui_withdraw'], 'write'),
    // Wallets write moves funds between wallets; bfxpay write sends Bitfinex Pay funds; funding write lends.
    transfer: any(['wallets', 'bfxpay', 'funding'], 'write'),
    ipRestricted: null,
    ipAllowlist: null,
    native: [...scopes].flatMap(([name, s]) => [...(s.read ? [`${name}:read`] : []), ...(s.write ? [`${name}:write`] : [])]),
  };
}

// Bitfinex answers errors as ["error", <code>, "<text>"] with HTTP 500, and ccxt reads the code;
// its 503 answer is an object, which ccxt maps to ExchangeNotAvailable.
const ERRORS: Record<Exclude<Refusal['kind'], 'unavailable'>, { status: number; code: number }> = {
  auth: { status: 500, code: 10100 },
  forbidden: { status: 500, code: 10001 },
  invalid: { status: 500, code: 10020 },
  'rate-limited': { status: 429, code: 11010 },
};

function renderError(refusal: Refusal): RenderedError {
  const text = `Keyward ${refusal.code}: ${refusal.message}`;
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  if (refusal.kind === 'unavailable') {
    return { status: 503, headers, body: JSON.stringify({ code: 503, error: 'temporarily_unavailable', error_description: text }) };
  }
  const e = ERRORS[refusal.kind];
  return { status: e.status, headers, body: JSON.stringify(['error', e.code, text]) };
}

export const bitfinex = {
  id: 'bitfinex',
  name: 'Bitfinex',
  baseUrl: 'https://api.bitfinex.com',
  secretEncoding: 'utf8',
  nonce: 'increasing',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'POST', path: `${AUTH}r/permissions`, query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
