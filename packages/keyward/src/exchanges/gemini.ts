// Gemini (https://developer.gemini.com/authentication/api-key, "Private API invocation").
// Every private call is a POST, reads included. The request is a JSON payload
// {"request": <path>, "nonce": <increasing per key>, ...parameters}, sent base64-encoded in
// X-GEMINI-PAYLOAD; X-GEMINI-SIGNATURE = hex( HMAC-SHA384( secret, <that base64 text> ) ); the key
// travels in X-GEMINI-APIKEY.
//
// The body. Gemini's docs send none (Content-Length 0, text/plain); ccxt also sends the parameters
// as a JSON body. The gateway accepts either, and a body alone (then it builds the payload from
// it), but a body that disagrees with the payload is refused. It forwards an empty body: the
// payload is the only copy of the parameters that is signed, so it is the only copy that travels,
// and nothing unsigned is left for Gemini to read instead.
import { isDeepStrictEqual } from 'node:util';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, KeyPermissions, Refusal, RenderedError } from './adapter.js';
import { classifyWith, singleValued, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import { matchEndpoint, valueExitOf, type EndpointRow, type ValueExitRule } from './endpoint-table.js';
import { caseCollision, readJsonBody, readJsonObject, scalarMembers, withMember, type JsonObjectText } from './kraken-json.js';
import { exchangeRefused, jsonObject } from './permission-kit.js';
import { decodePairs, headerValue, parsePairs, type ExchangeRequest, type SignContext } from './request.js';

const BY_SYMBOL: RowParse = { symbolParam: 'symbol' };
const ORDER: RowParse = { order: { symbol: 'symbol', side: 'side', type: 'type', quantity: 'amount', price: 'price' } };

const pub = (path: string, parse?: RowParse): EndpointRow<RowParse> =>
  ({ method: 'GET', path, action: 'read', isPublic: true, ...(parse === undefined ? {} : { parse }) });
const post = (path: string, action: 'read' | 'trade' | 'cancel' | 'withdraw' | 'transfer', parse?: RowParse): EndpointRow<RowParse> =>
  ({ method: 'POST', path, action, ...(parse === undefined ? {} : { parse }) });

export const GEMINI_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  pub('/v1/symbols'),
  pub('/v1/symbols/details/:symbol', BY_SYMBOL),
  pub('/v1/pubticker/:symbol', BY_SYMBOL),
  pub('/v2/ticker/:symbol', BY_SYMBOL),
  pub('/v1/book/:symbol', BY_SYMBOL),
  pub('/v1/trades/:symbol', BY_SYMBOL),
  pub('/v2/candles/:symbol/:time_frame', BY_SYMBOL),
  pub('/v1/pricefeed'),
  ...['/v1/balances', '/v1/notionalbalances/:currency', '/v1/orders', '/v1/order/status', '/v1/orders/history', '/v1/tradevolume',
    '/v1/notionalvolume', '/v1/transfers', '/v2/transfers', '/v1/transactions', '/v1/roles', '/v1/account', '/v1/account/list',
    '/v1/heartbeat', '/v1/addresses/:network', '/v1/payments/methods', '/v1/approvedAddresses/account/:network',
    '/v1/balances/staking', '/v1/staking/rewards', '/v1/staking/history'].map((p) => post(p, 'read')),
  post('/v1/mytrades', 'read', BY_SYMBOL),
  post('/v1/order/new', 'trade', ORDER),
  post('/v1/order/cancel', 'cancel'),
  post('/v1/order/cancel/all', 'cancel'),
  post('/v1/order/cancel/session', 'cancel'),
  post('/v1/withdraw/:currency', 'withdraw'),
  post('/v2/withdraw/:network/:ticker', 'withdraw'),
  post('/v1/payments/sen/withdraw', 'withdraw'),
  post('/v1/account/transfer/:currency', 'transfer'),
];

// Caught by name before the table. The approved-address list and the bank accounts are where
// withdrawals go, so changing them counts as a withdrawal. "/v1/transfers" (a history) is a read;
// every other "transfer" is a move. Clearing settles OTC trades by moving funds to a counterparty;
// staking moves funds between the exchange and staking balances.
export const GEMINI_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /^\/v1\/approvedaddresses\/[^/]+\/(request|remove)$/i, action: 'withdraw' },
  { test: /^\/v1\/payments\/addbank/i, action: 'withdraw' },
  { test: /transfer(?!s$)/i, action: 'transfer' },
  { test: /^\/v1\/clearing\//i, action: 'transfer' },
  { test: /^\/v1\/staking\/(un)?stake$/i, action: 'transfer' },
];

/** Endpoints Keyward knows and will not sign, with the reason it gives. */
const REFUSED: readonly EndpointRow<string>[] = [
  { method: 'POST', path: '/v1/instant/execute', action: 'unknown', parse: 'an instant order executes a quote the policy cannot check; use /v1/order/new' },
  { method: 'POST', path: '/v1/wrap/:symbol', action: 'unknown', parse: 'wrapping is a conversion the policy cannot check' },
  { method: 'POST', path: '/v1/account/create', action: 'unknown', parse: 'account administration is not signed' },
  { method: 'POST', path: '/v1/account/rename', action: 'unknown', parse: 'account administration is not signed' },
  { method: 'POST', path: '/v1/oauth/revokeByToken', action: 'unknown', parse: 'account administration is not signed' },
  { method: 'POST', path: '/v1/deposit/:network/newAddress', action: 'unknown', parse: 'creating a deposit address is not signed' },
];

/** The order types whose `price` is the worst execution price (Gemini's API places no market orders). */
const ORDER_TYPES = new Set(['exchange limit', 'exchange stop limit']);
/** Members of the payload that are the envelope, not parameters. */
const ENVELOPE = new Set(['request', 'nonce']);

function parameters(obj: JsonObjectText): Map<string, unknown> {
  return new Map(obj.members.filter((m) => !ENVELOPE.has(m.name)).map((m) => [m.name, JSON.parse(m.raw) as unknown]));
}

/** A base64 header value, decoded only when it is base64 and nothing else. */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '') ? bytes : null;
}

/**
 * The payload Gemini will read: the client's X-GEMINI-PAYLOAD, or its JSON body, or an empty one.
 * When both are sent they must carry the same parameters.
 */
function payloadOf(req: ExchangeRequest): JsonObjectText | string {
  const header = headerValue(req, 'x-gemini-payload');
  let fromHeader: JsonObjectText | null = null;
  if (header !== undefined) {
    const bytes = decodeBase64(header);
    if (bytes === null) return 'X-GEMINI-PAYLOAD is not base64';
    const p = readJsonBody(bytes);
    if (typeof p === 'string') return `X-GEMINI-PAYLOAD: ${p}`;
    const collision = caseCollision(p.members.map((m) => m.name));
    if (collision !== null) return `X-GEMINI-PAYLOAD: ${collision}`;
    fromHeader = p;
  }
  let fromBody: JsonObjectText | null = null;
  if (req.body.length > 0) {
    const b = readJsonBody(req.body);
    if (typeof b === 'string') return `the body: ${b}`;
    const collision = caseCollision(b.members.map((m) => m.name));
    if (collision !== null) return `the body: ${collision}`;
    fromBody = b;
  }
  if (fromHeader !== null && fromBody !== null && !isDeepStrictEqual(parameters(fromHeader), parameters(fromBody))) {
    return 'the body and X-GEMINI-PAYLOAD carry different parameters';
  }
  const payload = fromHeader ?? fromBody ?? readJsonObject('{}');
  if (typeof payload === 'string') return payload;
  for (const source of [fromHeader, fromBody]) {
    const request = source?.members.find((m) => m.name === 'request');
    if (request !== undefined && JSON.parse(request.raw) !== req.path) {
      return 'the payload\'s "request" names another endpoint than the path';
    }
  }
  return payload;
}

function paramsOf(req: ExchangeRequest): Params | string {
  if (req.method !== 'POST') {
    if (req.body.length > 0) return 'a public request with a body';
    try {
      return singleValued(decodePairs(parsePairs(req.query)));
    } catch {
      return 'a parameter has a malformed %-escape';
    }
  }
  if (req.query !== '') return 'a private request with a query string (only the payload is signed)';
  const payload = payloadOf(req);
  if (typeof payload === 'string') return payload;
  const params = scalarMembers(payload);
  for (const name of ENVELOPE) params.delete(name);
  return params;
}

/** A value exit spelt with %-escapes (/v1/%77ithdraw/btc) is still one: routers decode paths. */
function exitOf(path: string): 'withdraw' | 'transfer' | null {
  return valueExitOf(GEMINI_VALUE_EXITS, path);
}

function classify(req: ExchangeRequest): Classification {
  const exit = exitOf(req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const refused = matchEndpoint(REFUSED, req.method, req.path);
  if (refused !== null) return unknownRequest(req.method, req.path, refused.row.parse ?? 'not signed');
  const params = paramsOf(req);
  const c = classifyWith(GEMINI_ENDPOINTS, GEMINI_VALUE_EXITS, req.method, req.path, params);
  if (c.action === 'trade' && typeof params !== 'string' && !ORDER_TYPES.has(params.get('type') ?? '')) {
    return unknownRequest(req.method, req.path, `the order type "${(params.get('type') ?? '').slice(0, 30)}" is not one Keyward can price`);
  }
  return c;
}

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  if (req.method !== 'POST') throw new TypeError('Gemini signs only POST requests');
  if (req.query !== '') throw new TypeError('a private request with a query string');
  let payload = payloadOf(req);
  if (typeof payload === 'string') throw new TypeError(payload);
  const nonce = ctx.nonce.toString();
  // Kept a string or a number, as the client wrote it; a payload the gateway builds uses a string, as ccxt does.
  const current = payload.members.find((m) => m.name === 'nonce');
  payload = withMember(payload, 'nonce', current !== undefined && !current.raw.startsWith('"') ? nonce : JSON.stringify(nonce));
  if (!payload.members.some((m) => m.name === 'request')) payload = withMember(payload, 'request', JSON.stringify(req.path));
  const encoded = Buffer.from(payload.text, 'utf8').toString('base64');
  const signature = key.hmac('sha384', Buffer.from(encoded, 'ascii')).toString('hex');
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.toLowerCase().startsWith('x-gemini-') && !['content-type', 'content-length'].includes(k.toLowerCase())));
  return {
    method: 'POST',
    path: req.path,
    query: '',
    headers: { ...headers, 'content-type': 'text/plain', 'x-gemini-apikey': key.apiKey, 'x-gemini-payload': encoded, 'x-gemini-signature': signature },
    body: Buffer.alloc(0),
  };
}

function parsePermissions(status: number, raw: Buffer): KeyPermissions {
  const r = jsonObject(raw);
  if (status !== 200 || r === null || r.result === 'error') throw exchangeRefused('Gemini', status, raw);
  const role = (k: string): boolean | null => (typeof r[k] === 'boolean' ? r[k] : null);
  const auditor = role('isAuditor');
  const trader = role('isTrader');
  const fundManager = role('isFundManager');
  const roles = [auditor, trader, fundManager];
  return {
    // Every role can see balances and orders.
    read: roles.includes(true) ? true : roles.every((x) => x === false) ? false : null,
    trade: trader,
    // Fund Manager withdraws and moves funds between accounts.
    withdraw: fundManager,
    transfer: fundManager,
    ipRestricted: null,
    ipAllowlist: null,
    native: [['Auditor', auditor], ['Trader', trader], ['Fund Manager', fundManager]].filter(([, v]) => v === true).map(([n]) => String(n)),
  };
}

// Gemini's error shape, with the reasons ccxt's exact-match table maps to its usual classes and
// the statuses Gemini documents for them.
const ERRORS: Record<Refusal['kind'], { status: number; reason: string }> = {
  auth: { status: 400, reason: 'InvalidApiKey' },
  forbidden: { status: 403, reason: 'MissingRole' },
  invalid: { status: 400, reason: 'InvalidJson' },
  'rate-limited': { status: 429, reason: 'RateLimit' },
  unavailable: { status: 503, reason: 'Maintenance' },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  return {
    status: e.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ result: 'error', reason: e.reason, message: `Keyward ${refusal.code}: ${refusal.message}` }),
  };
}

export const gemini = {
  id: 'gemini',
  name: 'Gemini',
  baseUrl: 'https://api.gemini.com',
  secretEncoding: 'utf8',
  nonce: 'increasing',
  classify,
  sign,
  permissions: {
    request: () => ({ method: 'POST', path: '/v1/roles', query: '', headers: {}, body: Buffer.alloc(0) }),
    parse: parsePermissions,
  },
  renderError,
} satisfies ExchangeAdapter;
