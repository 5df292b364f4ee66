// Coinbase Exchange, formerly Coinbase Pro (https://docs.cdp.coinbase.com/exchange/rest-api/authentication).
// Signature: base64(HMAC-SHA256(base64-decoded secret, timestamp + METHOD + requestPath + body)),
// where requestPath carries the query as sent and body is the raw JSON text. The timestamp is in
// seconds (within 30 s of Coinbase's clock). Key, signature, timestamp and the passphrase, in
// clear, travel in CB-ACCESS-* headers. GET parameters are in the query; POST in a JSON body;
// DELETE in either (the docs use the query, ccxt sends a JSON body), never both.
import type { KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, Refusal, RenderedError } from './adapter.js';
import { classifyWith, type Params, type RowParse } from './adapter-kit.js';
import type { Classification } from './classification.js';
import { unknownRequest } from './classification.js';
import type { EndpointRow, ValueExitRule } from './endpoint-table.js';
import {
  bodyOnly, bothSizes, passphraseHeader, queryOnly, queryParams, unsafePathReason, valueExitOfPath,
} from './okx-kucoin-coinbase-kit.js';
import { urlOf, withAuthHeaders, type ExchangeRequest, type SignContext } from './request.js';

const ORDER: RowParse = { order: { symbol: 'product_id', side: 'side', type: 'type', quantity: 'size', price: 'price', quoteQuantity: 'funds' } };
const BY_PRODUCT: RowParse = { symbolParam: 'product_id' };

const PUBLIC = ['/time', '/currencies', '/currencies/:currency', '/products', '/products/:product_id', '/products/:product_id/book',
  '/products/:product_id/ticker', '/products/:product_id/trades', '/products/:product_id/candles', '/products/:product_id/stats'];

const READS = ['/accounts', '/accounts/:account_id', '/accounts/:account_id/holds', '/accounts/:account_id/ledger',
  '/orders', '/orders/:order_id', '/fills', '/fees', '/users/self/exchange-limits', '/users/self/trailing-volume'];

export const COINBASE_EXCHANGE_ENDPOINTS: readonly EndpointRow<RowParse>[] = [
  ...PUBLIC.map((path) => ({ method: 'GET', path, action: 'read' as const, isPublic: true, parse: BY_PRODUCT })),
  ...READS.map((path) => ({ method: 'GET', path, action: 'read' as const, parse: BY_PRODUCT })),
  { method: 'POST', path: '/orders', action: 'trade', parse: ORDER },
  // `:order_id` is an order id or `client:<client_oid>`.
  { method: 'DELETE', path: '/orders/:order_id', action: 'cancel', parse: BY_PRODUCT },
  { method: 'DELETE', path: '/orders', action: 'cancel', parse: BY_PRODUCT },
  { method: 'POST', path: '/withdrawals/crypto', action: 'withdraw' },
  { method: 'POST', path: '/withdrawals/coinbase-account', action: 'withdraw' },
  { method: 'POST', path: '/withdrawals/coinbase', action: 'withdraw' },
  { method: 'POST', path: '/withdrawals/payment-method', action: 'withdraw' },
  { method: 'POST', path: '/withdrawals/counterparty', action: 'withdraw' },
  { method: 'POST', path: '/profiles/transfer', action: 'transfer' },
  { method: 'POST', path: '/profiles/margin-transfer', action: 'transfer' },
  { method: 'POST', path: '/deposits/coinbase-account', action: 'transfer' },
  { method: 'POST', path: '/deposits/payment-method', action: 'transfer' },
];

// Withdrawals and their allowlist (address book); transfers, deposits pulled from a Coinbase
// account or a bank, profile moves, USD/USDC conversions, travel-rule records, wrapped-asset
// staking, loans and margin funding. The method is not looked at: reads of these paths
// (GET /transfers, GET /profiles) are refused too.
export const COINBASE_EXCHANGE_VALUE_EXITS: readonly ValueExitRule[] = [
  { test: /withdraw/i, action: 'withdraw' },
  { test: /^\/address-book(\/|$)/i, action: 'withdraw' },
  { test: /transfer/i, action: 'transfer' },
  { test: /^\/(deposits|coinbase-accounts|profiles|conversions|travel-rules|wrapped-assets|loans|funding|payment-methods)(\/|$)/i, action: 'transfer' },
];

function orderChecks(p: Params): string | null {
  const both = bothSizes(p, 'size', 'funds');
  if (both !== null) return both;
  const side = p.get('side') ?? '';
  if (side !== 'buy' && side !== 'sell') return `the side "${side.slice(0, 20)}" is not buy or sell`;
  const type = p.get('type');
  if (type !== undefined && type !== 'limit' && type !== 'market' && type !== 'stop') return `the type "${type.slice(0, 20)}" is not limit, market or stop`;
  return null;
}

function paramsOf(req: ExchangeRequest): Params | string {
  if (req.method === 'GET') return queryOnly(req);
  if (req.method === 'DELETE') return req.body.length > 0 ? bodyOnly(req) : queryParams(req.query);
  if (req.method !== 'POST') return `the gateway signs no ${req.method} request for Coinbase Exchange`;
  const p = bodyOnly(req);
  if (typeof p === 'string' || req.path !== '/orders') return p;
  return orderChecks(p) ?? p;
}

function classify(req: ExchangeRequest): Classification {
  const exit = valueExitOfPath(COINBASE_EXCHANGE_VALUE_EXITS, req.path);
  if (exit !== null) return { action: exit, endpoint: `${req.method} ${req.path}`, isPublic: false, order: null, symbol: null, reason: null };
  const pathProblem = unsafePathReason(req.path);
  if (pathProblem !== null) return unknownRequest(req.method, req.path, pathProblem);
  return classifyWith(COINBASE_EXCHANGE_ENDPOINTS, COINBASE_EXCHANGE_VALUE_EXITS, req.method, req.path, paramsOf(req));
}

const AUTH_HEADERS = ['cb-access-key', 'cb-access-sign', 'cb-access-timestamp', 'cb-access-passphrase'];

function sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest {
  // Whole seconds, as ccxt sends; the docs also accept decimals.
  const timestamp = String(Math.floor(ctx.nowMs / 1000));
  const prehash = Buffer.from(`${timestamp}${req.method}${urlOf(req)}`, 'latin1');
  return {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: withAuthHeaders(req.headers, AUTH_HEADERS, {
      'cb-access-key': key.apiKey,
      'cb-access-sign': key.hmac('sha256', [prehash, req.body]).toString('base64'),
      'cb-access-timestamp': timestamp,
      'cb-access-passphrase': passphraseHeader(key),
    }),
    body: req.body,
  };
}

// Coinbase answers {"message": "..."}. ccxt's coinbaseexchange reads the message only for 400 and
// 404 and otherwise goes by the HTTP status, where its default map sends 403 to
// ExchangeNotAvailable (a retryable class); so `forbidden` is a 401, which ccxt raises as
// AuthenticationError. A 400 with a message ccxt does not know is an ExchangeError.
const STATUS: Record<Refusal['kind'], number> = { auth: 401, forbidden: 401, invalid: 400, 'rate-limited': 429, unavailable: 503 };

function renderError(refusal: Refusal): RenderedError {
  return {
    status: STATUS[refusal.kind],
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: `Keyward ${refusal.code}: ${refusal.message}` }),
  };
}

export const coinbaseExchange = {
  id: 'coinbase-exchange',
  name: 'Coinbase Exchange',
  baseUrl: 'https://api.exchange.coinbase.com',
  secretEncoding: 'base64',
  nonce: 'none',
  classify,
  sign,
  // Coinbase Exchange has no endpoint that reports a key's own permissions (View, Trade, Transfer,
  // Manage are fixed when the key is created and are not readable through the API); a Transfer
  // key is found only by trying a transfer, which the gateway never signs.
  permissions: null,
  renderError,
} satisfies ExchangeAdapter;
