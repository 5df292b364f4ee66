// Kraken spot (https://docs.kraken.com/api/docs/guides/spot-rest-auth).
// Private methods are POSTs to /0/private/<Method>; the body is form-encoded or JSON and carries
// `nonce`, an always-increasing unsigned 64-bit integer per key. The signature is
//   API-Sign = base64( HMAC-SHA512( base64decode(secret), URIpath ‖ SHA256( nonce ‖ POSTdata ) ) )
// over the exact body sent; the nonce inside the hash is the same string as the body's. The key
// travels in API-Key.
import { createHash } from 'node:crypto';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, singleValued, type OrderFields, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';
import { caseCollision, readJsonBody, scalarMembers, withMember } from './kraken-json.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import {
  decodeComponent, decodePairs, headerValue, isFormBody, parsePairs, serializePairs, setParam, withAuthHeaders,
  type ExchangeRequest, type SignContext,
} from './request.js';

const PRIVATE = '/0/private/';
const BY_PAIR: RowParse = { symbolParam: 'pair' };

const pub = (method: string): EndpointRow<RowParse> => ({ method: 'GET', path: `/0/public/${method}`, action: 'read', isPublic: true, parse: BY_PAIR });
const priv = (method: string, action: 'read' | 'trade' | 'cancel' | 'withdraw' | 'transfer', parse?: RowParse): EndpointRow<RowParse> =>
  ({ method: 'POST', path: `${PRIVATE}${method}`, action, ...(parse === undefined ? {} : { parse }) });

export const KRAKEN_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...['Time', 'SystemStatus', 'Assets', 'AssetPairs', 'Ticker', 'OHLC', 'Depth', 'Trades', 'Spread', 'GroupedBook'].map(pub),
  ...['Balance', 'BalanceEx', 'TradeBalance', 'CreditLines', 'OpenOrders', 'ClosedOrders', 'QueryOrders', 'OrderAmends',
    'TradesHistory', 'QueryTrades', 'OpenPositions', 'Ledgers', 'QueryLedgers', 'TradeVolume', 'GetApiKeyInfo',
    'ListWalletAccounts', 'DepositMethods', 'DepositAddresses', 'DepositStatus', 'Earn/Strategies', 'Earn/Allocations',
    'Earn/AllocateStatus', 'Earn/DeallocateStatus'].map((m) => priv(m, 'read')),
  // The order fields depend on `ordertype`; classify() puts the right reading in front of this row.
  priv('AddOrder', 'trade'),
  priv('CancelOrder', 'cancel'),
  priv('CancelAll', 'cancel'),
  priv('CancelAllOrdersAfter', 'cancel'),
  priv('CancelOrderBatch', 'cancel'),
  priv('Withdraw', 'withdraw'),
  priv('WithdrawCancel', 'withdraw'),
  priv('WalletTransfer', 'transfer'),
  priv('AccountTransfer', 'transfer'),
  priv('Earn/Allocate', 'transfer'),
  priv('Earn/Deallocate', 'transfer'),
];

// Kraken's own method names carry the words; matched without regard to case, because a
// case-insensitive router upstream must not turn "withdraw" into an unknown-and-forgotten request.
// Earn (and the older Stake/Unstake) move funds between the spot wallet and earn strategies.
export const KRAKEN_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /\/earn\/(de)?allocate$/i, action: 'transfer' },
  { test: /^\/0\/private\/(un)?stake$/i, action: 'transfer' },
];

/** Methods Keyward knows and will not sign, with the reason it gives. */
const REFUSED: readonly EndpointRow<string>[] = [
  { method: 'POST', path: `${PRIVATE}GetWebSocketsToken`, action: 'unknown', parse: 'a WebSocket token lets its holder trade over Kraken\'s WebSocket API, outside the gateway and its policy' },
  { method: 'POST', path: `${PRIVATE}AddOrderBatch`, action: 'unknown', parse: 'a batch carries several orders; the policy checks one order per request, so send them one by one' },
  { method: 'POST', path: `${PRIVATE}EditOrder`, action: 'unknown', parse: 'an edit names no side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: `${PRIVATE}AmendOrder`, action: 'unknown', parse: 'an amendment names neither pair nor side, so the policy cannot check it; cancel and place a new order' },
  { method: 'POST', path: `${PRIVATE}CreateSubaccount`, action: 'unknown', parse: 'account administration is not signed' },
];

const ORDER_BASE = { symbol: 'pair', side: 'type', type: 'ordertype', quantity: 'volume' } as const;

/**
 * How each order type's worst execution price is read. `price` is the limit for limit-like types;
 * for the *-limit types `price` is the trigger and `price2` the limit; the rest (market, and
 * stop-loss / take-profit / trailing-stop, which become market orders when triggered) have no
 * worst price, and the policy treats them as at market.
 */
const ORDER_TYPES: Readonly<Record<string, OrderFields>> = {
  market: ORDER_BASE,
  limit: { ...ORDER_BASE, price: 'price' },
  iceberg: { ...ORDER_BASE, price: 'price' },
  'stop-loss': ORDER_BASE,
  'take-profit': ORDER_BASE,
  'trailing-stop': ORDER_BASE,
  'stop-loss-limit': { ...ORDER_BASE, price: 'price2' },
  'take-profit-limit': { ...ORDER_BASE, price: 'price2' },
  'trailing-stop-limit': { ...ORDER_BASE, price: 'price2' },
};

interface Body {
  readonly params: Params;
  /** Every top-level name, nested objects and arrays included. */
  readonly names: ReadonlySet<string>;
}

/** The parameters Kraken reads from a private request's body: form or JSON, nothing else. */
function bodyOf(req: ExchangeRequest): Body | string {
  if (req.body.length === 0) return { params: new Map(), names: new Set() };
  if (isFormBody(req)) {
    let decoded;
    try {
      decoded = decodePairs(parsePairs(req.body.toString('latin1')));
    } catch {
      return 'a parameter has a malformed %-escape';
    }
    const params = singleValued(decoded);
    if (typeof params === 'string') return params;
    return caseCollision(params.keys()) ?? { params, names: new Set(params.keys()) };
  }
  if (isJsonBody(req)) {
    const obj = readJsonBody(req.body);
    if (typeof obj === 'string') return obj;
    const names = obj.members.map((m) => m.name);
    return caseCollision(names) ?? { params: scalarMembers(obj), names: new Set(names) };
  }
  return 'Kraken reads a body only as application/x-www-form-urlencoded or application/json';
}

function isJsonBody(req: ExchangeRequest): boolean {
  return (headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json');
}

/** The order reading for AddOrder, or why the policy could not check the order. */
function addOrderFields(body: Body): OrderFields | string {
  const ordertype = body.params.get('ordertype') ?? '';
  const fields = Object.hasOwn(ORDER_TYPES, ordertype) ? ORDER_TYPES[ordertype] : undefined;
  if (fields === undefined) return `the ordertype "${ordertype.slice(0, 30)}" is not one Keyward can price`;
  if ([...body.names].some((n) => n === 'close' || n.startsWith('close['))) {
    return 'a conditional close order carries a second price the policy cannot check; place it as its own order';
  }
  if ((body.params.get('oflags') ?? '').split(',').includes('viqc')) return 'volume in quote currency (viqc) is not supported';
  return fields;
}

/** A public request's parameters: the query only. */
function queryOf(req: ExchangeRequest): Params | string {
  if (req.body.length > 0) return 'a public request with a body';
  try {
    return singleValued(decodePairs(parsePairs(req.query)));
  } catch {
    return 'a parameter has a malformed %-escape';
  }
}

/** A value exit spelt with %-escapes (/0/private/%57ithdraw) is still one: routers decode paths. */
function exitOf(path: string): 'withdraw' | 'transfer' | null {
  return valueExitOf(KRAKEN_VALUE_EXITS, path);
}

function classify(req: ExchangeRequest): Classification {
  const exit = exitOf(req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const refused = matchEndpoint(REFUSED, req.method, req.path);
  if (refused !== null) return unknownRequest(req.method, req.path, refused.row.parse ?? 'not signed');
  if (!req.path.startsWith(PRIVATE)) return classifyWith(KRAKEN_ENDPOINTS, KRAKEN_VALUE_EXITS, req.method, req.path, queryOf(req));
  // Private methods read the body; a query string beside it could be read as well, or instead.
  const body = req.query === '' ? bodyOf(req) : 'a private method with a query string';
  if (typeof body === 'string') return classifyWith(KRAKEN_ENDPOINTS, KRAKEN_VALUE_EXITS, req.method, req.path, body);
  let rows = KRAKEN_ENDPOINTS;
  if (req.method === 'POST' && req.path === `${PRIVATE}AddOrder`) {
    const fields = addOrderFields(body);
    if (typeof fields === 'string') return classifyWith(KRAKEN_ENDPOINTS, KRAKEN_VALUE_EXITS, req.method, req.path, fields);
    rows = [priv('AddOrder', 'trade', { order: fields }), ...KRAKEN_ENDPOINTS];
  }
  if (req.method === 'POST' && req.path === `${PRIVATE}DepositAddresses` && !['', 'false'].includes(body.params.get('new') ?? '')) {
    return unknownRequest(req.method, req.path, 'creating a deposit address is not signed');
  }
  return classifyWith(rows, KRAKEN_VALUE_EXITS, req.method, req.path, body.params);
}

/** The body with the gateway's nonce where the client's stood (or first), and its content type. */
function bodyWithNonce(req: ExchangeRequest, nonce: string): { body: Buffer; contentType: string } {
  if (req.body.length > 0 && isJsonBody(req)) {
    const obj = readJsonBody(req.body);
    if (typeof obj === 'string') throw new TypeError(obj);
    // Kept a string or a number, as the client wrote it; ccxt sends a string.
    const current = obj.members.find((m) => m.name === 'nonce');
    const next = withMember(obj, 'nonce', current !== undefined && !current.raw.startsWith('"') ? nonce : JSON.stringify(nonce));
    return { body: Buffer.from(next.text, 'utf8'), contentType: headerValue(req, 'content-type') ?? 'application/json' };
  }
  if (req.body.length > 0 && !isFormBody(req)) throw new TypeError('Kraken reads a body only as form or JSON');
  const pairs = parsePairs(req.body.toString('latin1'));
  if (pairs.filter((p) => decodeComponent(p.name) === 'nonce').length > 1) throw new TypeError('the body has two nonces');
  const set = setParam(pairs, 'nonce', nonce);
  const out = set.found ? set.pairs : [{ name: 'nonce', value: nonce, hasValue: true }, ...pairs];
  return { body: Buffer.from(serializePairs(out), 'latin1'), contentType: headerValue(req, 'content-type') ?? 'application/x-www-form-urlencoded' };
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  if (req.method !== 'POST' || !req.path.startsWith(PRIVATE)) throw new TypeError('Kraken signs only POST /0/private/ requests');
  if (req.query !== '') throw new TypeError('a private method with a query string');
  const nonce = ctx.nonce.toString();
  const { body, contentType } = bodyWithNonce(req, nonce);
  const inner = createHash('sha256').update(nonce, 'utf8').update(body).digest();
  const signature = key.hmac('sha512', [Buffer.from(req.path, 'utf8'), inner]).toString('base64');
  return {
    method: req.method,
    path: req.path,
    query: '',
    // The body's length changes with the nonce; the forwarder sets it.
    headers: withAuthHeaders(req.headers, ['content-length'], {
      'content-type': contentType,
      'api-key': key.apiKey,
      'api-sign': signature,
    }),
    body,
  };
}

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  const errors = r?.error;
  const result = r?.result;
  if (status !== 200 || r === null || (Array.isArray(errors) && errors.length > 0) || typeof result !== 'object' || result === null) {
    throw exchangeRefused('Kraken', status, raw);
  }
  const info = result as Record<string, unknown>;
  const list = Array.isArray(info.permissions) ? info.permissions.filter((p): p is string => typeof p === 'string') : null;
  const has = (...names: string[]): boolean | null => (list === null ? null : names.some((n) => list.includes(n)));
  const allow = Array.isArray(info.ipAllowlist) ? info.ipAllowlist.filter((ip): ip is string => typeof ip === 'string') : null;
  return {
    read: has('query-funds', 'query-open-trades', 'query-closed-trades', 'query-ledger'),
    trade: has('modify-trades'),
    // Adding or changing a withdrawal address prepares a withdrawal: counted as one.
    withdraw: has('withdraw-funds', 'add-withdraw-address', 'update-withdraw-address'),
    // Kraken has no transfer permission of its own: wallet transfers need withdraw-funds, and
    // earn allocations (funds moved between wallets) need earn-funds.
    transfer: has('withdraw-funds', 'earn-funds'),
    ipRestricted: allow === null ? null : allow.length > 0,
    ipAllowlist: allow,
    native: list ?? [],
  };
}

// Kraken answers HTTP 200 with {"error": [...]}. The first entry is the Kraken code that ccxt's
// exact-match table (and Kraken's own SDKs) turn into the right error; the second carries
// Keyward's code and message, and ccxt puts the whole body in its error message.
const ERRORS: Record<Refusal['kind'], string> = {
  auth: 'EAPI:Invalid key',
  forbidden: 'EGeneral:Permission denied',
  invalid: 'EGeneral:Invalid arguments',
  'rate-limited': 'EAPI:Rate limit exceeded',
  unavailable: 'EService:Unavailable',
};

function renderError(refusal: Refusal): RenderedError {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: [ERRORS[refusal.kind], `EGeneral:Keyward ${refusal.code}: ${refusal.message}`] }),
  };
}

export const kraken = {
  id: 'kraken',
  name: 'Kraken',
  baseUrl: 'https://api.kraken.com',
  secretEncoding: 'base64',
  nonce: 'increasing',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'POST', path: `${PRIVATE}GetApiKeyInfo`, query: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
