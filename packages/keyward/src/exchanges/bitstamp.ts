// Bitstamp HTTP API v2 (https://www.bitstamp.net/api/, "Authentication").
// Signature: HMAC-SHA256 → hex over
//   "BITSTAMP " + key + METHOD + host + path + query + Content-Type + nonce + timestamp + "v2" + body
// with the Content-Type part empty when there is no body. Headers: X-Auth ("BITSTAMP <key>"),
// X-Auth-Signature, X-Auth-Nonce (a UUID, single use: Bitstamp refuses a nonce it has seen, not a
// lower one, so `nonce` is 'none'), X-Auth-Timestamp (ms), X-Auth-Version ("v2").
//
// Private endpoints are POSTs with a form body. Whether a query enters the string with its "?" is
// not documented (the docs' sample has an empty query), so a private request with a query is
// refused; public market data needs no signature. ccxt sends `foo=bar` on otherwise empty POSTs
// (an empty body earns API0020, ccxt issue 6846); the gateway signs whatever body the client sent.
import { randomUUID } from 'node:crypto';
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, Refusal, RenderedError } from './adapter.js';
import { classifyWith, singleValued, type OrderFields, type Params, type RowParse } from './adapter-kit.js';
import { unknownRequest, type Classification } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import { decodePairs, isFormBody, parsePairs, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';

const HOST = 'www.bitstamp.net';
const V2 = '/api/v2';
const FORM = 'application/x-www-form-urlencoded';

// The side and pair come from the path (/buy/{pair}/, /sell/market/{pair}/); `amount` is in the
// base currency except on an instant buy, where Bitstamp reads it in the counter (quote) currency.
const order = (side: 'buy' | 'sell', kind: 'limit' | 'market' | 'instant'): RowParse => {
  const fields: OrderFields = kind === 'limit'
    ? { symbol: 'pair', side: '', fixedSide: side, fixedType: 'limit', quantity: 'amount', price: 'price' }
    : kind === 'instant' && side === 'buy'
      ? { symbol: 'pair', side: '', fixedSide: side, fixedType: 'market', quoteQuantity: 'amount' }
      : { symbol: 'pair', side: '', fixedSide: side, fixedType: 'market', quantity: 'amount' };
  return { order: fields };
};
const BY_PAIR: RowParse = { symbolParam: 'pair' };
const pairOf = (path: string): RowParse => (path.includes(':pair') ? BY_PAIR : {});
const post = (path: string, action: EndpointRow<RowParse>['action'], parse: RowParse = pairOf(path)): EndpointRow<RowParse> =>
  ({ method: 'POST', path: V2 + path, action, parse });

// `all` before `:pair` (open_orders/all/); market/instant rows have one more segment than /buy/:pair/.
export const BITSTAMP_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...['/ohlc/:pair/', '/order_book/:pair/', '/ticker/', '/ticker/:pair/', '/ticker_hour/:pair/', '/transactions/:pair/',
    '/trading-pairs-info/', '/markets/', '/currencies/', '/eur_usd/'].map((p) => ({ method: 'GET', path: V2 + p, action: 'read' as const, isPublic: true, parse: pairOf(p) })),
  ...['/account_balances/', '/account_balances/:currency/', '/balance/', '/user_transactions/', '/open_orders/all/',
    '/order_status/', '/my_trading_pairs/', '/fees/trading/', '/fees/trading/:pair', '/websockets_token/', '/balance/:pair/',
    '/user_transactions/:pair/', '/open_orders/:pair/'].map((p) => post(p, 'read')),
  post('/buy/market/:pair/', 'trade', order('buy', 'market')),
  post('/sell/market/:pair/', 'trade', order('sell', 'market')),
  post('/buy/instant/:pair/', 'trade', order('buy', 'instant')),
  post('/sell/instant/:pair/', 'trade', order('sell', 'instant')),
  post('/buy/:pair/', 'trade', order('buy', 'limit')),
  post('/sell/:pair/', 'trade', order('sell', 'limit')),
  post('/cancel_order/', 'cancel'),
  post('/cancel_all_orders/', 'cancel'),
  post('/cancel_all_orders/:pair/', 'cancel'),
  post('/withdrawal/open/', 'withdraw'),
  post('/withdrawal/cancel/', 'withdraw'),
  post('/transfer-to-main/', 'transfer'),
  post('/transfer-from-main/', 'transfer'),
];

// About a hundred per-currency withdrawals (btc_withdrawal/, ripple_withdrawal/, 1inch_withdrawal/,
// and the v1 bitcoin_withdrawal/), fiat withdrawal/open/, and sub-account transfers: matched by
// name, whatever the method, version or case. Withdrawal fee and status reads go with them.
export const BITSTAMP_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /_withdrawal\/?$/i, action: 'withdraw' },
  { test: /withdraw/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
];

const AUTH_HEADERS = ['x-auth', 'x-auth-signature', 'x-auth-nonce', 'x-auth-timestamp', 'x-auth-version', 'content-type'];
const PAIR = /^[a-z0-9]+$/;

function paramsOf(req: ExchangeRequest): Params | string {
  if (req.method !== 'GET' && req.query !== '') return 'Bitstamp\'s signature over a query string is not documented; send parameters in the form body';
  if (req.body.length > 0) {
    if (req.method === 'GET') return 'a GET with a body';
    if (!isFormBody(req)) return 'Bitstamp reads a body only as application/x-www-form-urlencoded';
    if (!/^[\x21-\x7e]*$/.test(req.body.toString('latin1'))) return 'the form body has spaces, control or non-ASCII bytes';
  }
  const pairs = [...parsePairs(req.query), ...parsePairs(req.body.toString('latin1'))];
  const bare = pairs.find((p) => !p.hasValue);
  if (bare !== undefined) return `the parameter "${bare.name.slice(0, 40)}" has no value`;
  let params: Params | string;
  try {
    params = singleValued(decodePairs(pairs));
  } catch {
    return 'a parameter has a malformed %-escape';
  }
  // Bitstamp reads the pair from the path only; the kit would let a `pair` parameter stand in for
  // it, so the policy could check one pair while another trades.
  if (typeof params !== 'string' && params.has('pair')) return 'the pair is read from the path; a "pair" parameter is refused';
  return params;
}

/** Bitstamp's own readings of an order that the endpoint table cannot express. */
function orderProblem(req: ExchangeRequest, params: Params): string | null {
  // limit_price places a second order at another price once this one fills: policy cannot see it.
  if (params.has('limit_price')) return 'limit_price places a second order the policy cannot check';
  if (req.path.startsWith(`${V2}/sell/instant/`) && params.has('amount_in_counter')) {
    return 'amount_in_counter changes the currency the amount is read in';
  }
  return null;
}

function classify(req: ExchangeRequest): Classification {
  const params = paramsOf(req);
  const c = classifyWith(BITSTAMP_ENDPOINTS, BITSTAMP_VALUE_EXITS, req.method, req.path, params);
  if (c.action !== 'trade' && c.action !== 'cancel' && c.action !== 'read') return c;
  const pair = c.order?.symbol ?? c.symbol;
  // /buy/market/ (no pair) would otherwise match /buy/:pair/ with the pair "market".
  if (pair !== null && (!PAIR.test(pair) || pair === 'market' || pair === 'instant' || pair === 'all')) {
    return unknownRequest(req.method, req.path, `"${pair.slice(0, 20)}" is not a Bitstamp pair`);
  }
  const problem = c.order === null || typeof params === 'string' ? null : orderProblem(req, params);
  return problem === null ? c : unknownRequest(req.method, req.path, problem);
}

export interface BitstampDeps {
  /** The single-use X-Auth-Nonce; a UUID v4 (node:crypto's randomUUID; not a secret). */
  readonly uuid: () => string;
}

export function createBitstampAdapter(deps: BitstampDeps): ExchangeAdapter {
  function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
    if (req.body.length > 0 && !isFormBody(req)) throw new TypeError('Bitstamp reads a body only as application/x-www-form-urlencoded');
    const nonce = deps.uuid();
    const timestamp = String(ctx.nowMs);
    const contentType = req.body.length > 0 ? FORM : '';
    const xAuth = `BITSTAMP ${key.apiKey}`;
    const query = req.query === '' ? '' : `?${req.query}`;
    const head = `${xAuth}${req.method}${HOST}${req.path}${query}${contentType}${nonce}${timestamp}v2`;
    const signature = key.hmac('sha256', Buffer.concat([Buffer.from(head, 'utf8'), req.body])).toString('hex');
    return {
      ...req,
      headers: withAuthHeaders(req.headers, AUTH_HEADERS, {
        'x-auth': xAuth,
        'x-auth-nonce': nonce,
        'x-auth-timestamp': timestamp,
        'x-auth-version': 'v2',
        ...(contentType === '' ? {} : { 'content-type': contentType }),
        'x-auth-signature': signature,
      }),
    };
  }

  return {
    id: 'bitstamp',
    name: 'Bitstamp',
    baseUrl: `https://${HOST}`,
    secretEncoding: 'utf8',
    nonce: 'none',
    classify,
    sign,
    // Bitstamp has no endpoint that describes a key's own permissions (none in its docs or in
    // ccxt's map): its rights are chosen at creation and show only by trying, so none is probed.
    permissions: null,
    renderError,
  };
}

// ccxt's bitstamp handleErrors matches each string of `reason.__all__` against its `exact`
// phrases, so the first string is the Bitstamp phrase for the kind and the second carries
// Keyward's code and message: "Authentication failed" → AuthenticationError, "No permission found"
// → PermissionDenied. Bitstamp's own validation errors reach ccxt as ExchangeError, and so does
// "invalid". Rate limiting and outages carry no status "error", so ccxt falls back to the HTTP
// status: 429 → RateLimitExceeded, 503 → ExchangeNotAvailable.
const ERRORS: Record<Refusal['kind'], { status: number; phrase: string | null }> = {
  auth: { status: 403, phrase: 'Authentication failed' },
  forbidden: { status: 403, phrase: 'No permission found' },
  invalid: { status: 400, phrase: '' },
  'rate-limited': { status: 429, phrase: null },
  unavailable: { status: 503, phrase: null },
};

function renderError(refusal: Refusal): RenderedError {
  const e = ERRORS[refusal.kind];
  const message = `Keyward ${refusal.code}: ${refusal.message}`;
  const body = e.phrase === null
    ? { reason: message }
    : { status: 'error', reason: { __all__: e.phrase === '' ? [message] : [e.phrase, message] } };
  return { status: e.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export const bitstamp = createBitstampAdapter({ uuid: randomUUID });
