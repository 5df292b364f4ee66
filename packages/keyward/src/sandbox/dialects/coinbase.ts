// Coinbase Advanced Trade (/api/v3/brokerage/*) with CDP keys, plus the v2 endpoints ccxt reads
// while loading markets and the v2 "send" that is Coinbase's crypto withdrawal. Authentication
// failures answer 401 {"error":"unauthorized",...}; a key without the scope answers 403
// {"error":"PERMISSION_DENIED",...}; order failures answer 200 with success:false and an
// error_response, as the Advanced Trade API does. v2 paths use v2's {"errors":[{id,message}]}.
import { parseDec, toPlain, ZERO, type Dec } from '../decimal.js';
import type { Permission, StoredKey } from '../keys.js';
import type { MarketSpec } from '../markets.js';
import { averagePrice, type Order, type RejectReason } from '../matching-engine.js';
import { isResponse, json, parseForm, parseJsonObject, scalar, type WireRequest, type WireResponse } from '../wire.js';
import { verifyCdpJwt } from './coinbase-auth.js';
import { buildCandles } from '../candles.js';
import { performWithdrawal, seededUuid, type Dialect, type DialectContext } from './dialect.js';

/** The host real CDP tokens name in their uri claim. */
const COINBASE_HOST = 'api.coinbase.com';

interface Call {
  readonly path: RegExpExecArray;
  readonly query: Readonly<Record<string, string>>;
  /** Every value of each query parameter (order_status=OPEN&order_status=FILLED). */
  readonly multi: (name: string) => string[];
  readonly body: Record<string, unknown> | undefined;
  readonly key: StoredKey | undefined;
  readonly now: number;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly auth: boolean;
  readonly permission?: Permission;
  readonly v2?: boolean;
  run(call: Call): WireResponse;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const money = (value: Dec, currency: string): { value: string; currency: string } => ({ value: toPlain(value), currency });

const REJECTIONS: Record<RejectReason, { error: string; message: string; preview: string }> = {
  UNKNOWN_SYMBOL: { error: 'INVALID_PRODUCT_ID', message: 'Invalid product_id', preview: 'PREVIEW_INVALID_PRODUCT_ID' },
  UNKNOWN_ACCOUNT: { error: 'UNKNOWN_FAILURE_REASON', message: 'Unknown account', preview: 'UNKNOWN_PREVIEW_FAILURE_REASON' },
  INVALID_QUANTITY: { error: 'INVALID_SIZE_PRECISION', message: 'Too many decimals in order amount', preview: 'PREVIEW_INVALID_SIZE_PRECISION' },
  ABOVE_MAX_QTY: { error: 'INVALID_ORDER_SIZE', message: 'Order size too large', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_LARGE' },
  BELOW_MIN_QTY: { error: 'INVALID_ORDER_SIZE', message: 'Order size too small', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL' },
  BELOW_MIN_NOTIONAL: { error: 'INVALID_ORDER_SIZE', message: 'Order size too small', preview: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL' },
  INVALID_PRICE: { error: 'INVALID_PRICE_PRECISION', message: 'Too many decimals in order price', preview: 'PREVIEW_INVALID_PRICE_PRECISION' },
  INSUFFICIENT_FUNDS: { error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', preview: 'PREVIEW_INSUFFICIENT_FUND' },
  POST_ONLY_WOULD_TAKE: { error: 'INVALID_LIMIT_PRICE_POST_ONLY', message: 'Limit price too high or too low for post only order', preview: 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY' },
  DUPLICATE_CLIENT_ORDER_ID: { error: 'UNKNOWN_FAILURE_REASON', message: 'Duplicate client_order_id', preview: 'UNKNOWN_PREVIEW_FAILURE_REASON' },
};

/** Candle granularities the sandbox cuts, in seconds (Advanced Trade's enum). */
const GRANULARITY: Readonly<Record<string, number>> = {
  ONE_MINUTE: 60, FIVE_MINUTE: 300, FIFTEEN_MINUTE: 900, THIRTY_MINUTE: 1800, ONE_HOUR: 3600, TWO_HOUR: 7200,
  SIX_HOUR: 21_600, ONE_DAY: 86_400,
};
const MAX_CANDLES = 350;

/** The key name a bearer token claims, without verifying anything. */
function jwtSubject(authorization: string | undefined): string | undefined {
  const payload = /^Bearer [^.]+\.([^.]+)\./.exec(authorization ?? '')?.[1];
  if (payload === undefined) return undefined;
  const claims = parseJsonObject(Buffer.from(payload, 'base64url').toString('utf8'));
  return typeof claims?.sub === 'string' ? claims.sub : undefined;
}

export function productId(m: MarketSpec): string {
  return `${m.base}-${m.quote}`;
}

export function createCoinbaseDialect(ctx: DialectContext): Dialect {
  const byId = new Map(ctx.markets.map((m) => [productId(m), m]));
  const accountUuid = (accountId: string, asset: string): string => seededUuid(ctx.seed, `coinbase-account/${accountId}/${asset}`, 0);
  const portfolioUuid = (accountId: string): string => seededUuid(ctx.seed, `coinbase-portfolio/${accountId}`, 0);
  const orderUuid = (id: number): string => seededUuid(ctx.seed, 'coinbase-order', id);
  const step = (now: number): number => ctx.feed.stepAt(now);

  const unauthorized = (detail: string, v2: boolean): WireResponse => (v2
    ? json(401, { errors: [{ id: 'authentication_error', message: detail }] })
    : json(401, { error: 'unauthorized', error_details: detail, message: 'unauthorized' }));

  const productJson = (m: MarketSpec, now: number): Record<string, unknown> => {
    const s = ctx.feed.stats24h(m.symbol, step(now));
    const change = s.open === ZERO ? ZERO : ((s.last - s.open) * 100n * 10n ** 12n) / s.open;
    return {
      product_id: productId(m), price: toPlain(s.last), price_percentage_change_24h: toPlain(change < ZERO ? -change : change),
      volume_24h: toPlain(s.volume), volume_percentage_change_24h: '0', base_increment: toPlain(m.stepSize),
      quote_increment: toPlain(m.tickSize), quote_min_size: toPlain(m.minNotional), quote_max_size: '10000000',
      base_min_size: toPlain(m.minQty), base_max_size: toPlain(m.maxQty), base_name: ctx.assets.find((a) => a.code === m.base)?.name ?? m.base,
      quote_name: ctx.assets.find((a) => a.code === m.quote)?.name ?? m.quote, watched: false, is_disabled: false, new: false,
      status: 'online', cancel_only: false, limit_only: false, post_only: false, trading_disabled: false, auction_mode: false,
      product_type: 'SPOT', quote_currency_id: m.quote, base_currency_id: m.base, fcm_trading_session_details: null,
      mid_market_price: '', alias: '', alias_to: [], base_display_symbol: m.base, quote_display_symbol: m.quote,
      view_only: false, price_increment: toPlain(m.tickSize), display_name: productId(m), product_venue: 'CBE',
    };
  };

  const bookJson = (m: MarketSpec, now: number, limit: number): Record<string, unknown> => {
    const b = ctx.feed.bookAt(m.symbol, step(now));
    const side = (levels: typeof b.asks) => levels.slice(0, limit).map((l) => ({ price: toPlain(l.price), size: toPlain(l.size) }));
    return { product_id: productId(m), bids: side(b.bids), asks: side(b.asks), time: iso(now) };
  };

  const status = (o: Order): string => ({ open: 'OPEN', filled: 'FILLED', canceled: 'CANCELLED', expired: 'EXPIRED' })[o.status];

  const configuration = (o: Order): Record<string, unknown> => {
    if (o.type === 'market') {
      return { market_market_ioc: o.quantity === undefined ? { quote_size: toPlain(o.quoteQuantity ?? ZERO) } : { base_size: toPlain(o.quantity) } };
    }
    const limit = { base_size: toPlain(o.quantity ?? ZERO), limit_price: toPlain(o.price ?? ZERO) };
    if (o.timeInForce === 'FOK') return { limit_limit_fok: limit };
    if (o.timeInForce === 'IOC') return { sor_limit_ioc: limit };
    return { limit_limit_gtc: { ...limit, post_only: o.postOnly } };
  };

  const orderJson = (o: Order): Record<string, unknown> => {
    const m = ctx.engine.market(o.symbol) as MarketSpec;
    const avg = averagePrice(o);
    const target = o.quantity ?? ZERO;
    const pct = target > ZERO ? (o.executedQty * 100n * 10n ** 12n) / target : (o.status === 'filled' ? 100n * 10n ** 12n : ZERO);
    const last = o.fills[o.fills.length - 1];
    return {
      order_id: o.ref, product_id: productId(m), user_id: o.accountId, order_configuration: configuration(o),
      side: o.side.toUpperCase(), client_order_id: o.clientOrderId, status: status(o),
      time_in_force: o.timeInForce === 'GTC' ? 'GOOD_UNTIL_CANCELLED' : o.timeInForce === 'FOK' ? 'FILL_OR_KILL' : 'IMMEDIATE_OR_CANCEL',
      created_time: iso(o.createdAt), completion_percentage: toPlain(pct), filled_size: toPlain(o.executedQty),
      average_filled_price: toPlain(avg ?? ZERO), fee: '', number_of_fills: String(o.fills.length), filled_value: toPlain(o.cumQuote),
      pending_cancel: false, size_in_quote: o.quantity === undefined, total_fees: toPlain(o.feeTotal), size_inclusive_of_fees: false,
      total_value_after_fees: toPlain(o.side === 'buy' ? o.cumQuote + o.feeTotal : o.cumQuote - o.feeTotal),
      trigger_status: 'INVALID_ORDER_TYPE', order_type: o.type.toUpperCase(), reject_reason: '', settled: o.status !== 'open',
      product_type: 'SPOT', reject_message: '', cancel_message: o.status === 'canceled' ? 'User requested cancel' : '',
      order_placement_source: 'RETAIL_ADVANCED', outstanding_hold_amount: '0', is_liquidation: false,
      last_fill_time: last === undefined ? null : iso(last.time), edit_history: [], leverage: '', margin_type: 'UNKNOWN',
      retail_portfolio_id: portfolioUuid(o.accountId),
    };
  };

  const createOrder = (c: Call): WireResponse => {
    const key = c.key as StoredKey;
    const b = c.body ?? {};
    const config = (typeof b.order_configuration === 'object' && b.order_configuration !== null ? b.order_configuration : {}) as Record<string, unknown>;
    const failure = (error: string, message: string, preview: string): WireResponse => json(200, {
      success: false, failure_reason: 'UNKNOWN_FAILURE_REASON', order_id: '',
      error_response: { error, message, error_details: '', preview_failure_reason: preview, new_order_failure_reason: error },
      order_configuration: config,
    });
    const clientOrderId = scalar(b.client_order_id);
    if (clientOrderId === undefined || clientOrderId === '') return json(400, { error: 'INVALID_ARGUMENT', error_details: 'client_order_id is required', message: 'client_order_id is required' });
    const m = byId.get(scalar(b.product_id) ?? '');
    if (m === undefined) return failure('INVALID_PRODUCT_ID', 'Invalid product_id', 'PREVIEW_INVALID_PRODUCT_ID');
    const side = scalar(b.side);
    if (side !== 'BUY' && side !== 'SELL') return json(400, { error: 'INVALID_ARGUMENT', error_details: 'side must be BUY or SELL', message: 'side must be BUY or SELL' });
    // Coinbase treats client_order_id as an idempotency key: a repeat returns the first order.
    const existing = ctx.engine.findOrder(key.accountId, { clientOrderId });
    if (existing !== undefined) {
      return json(200, { success: true, success_response: { order_id: existing.ref, product_id: productId(m), side, client_order_id: clientOrderId }, order_configuration: config });
    }
    const entries = Object.entries(config);
    const [kind, raw] = entries[0] ?? ['', undefined];
    const spec = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const num = (name: string): Dec | undefined => (spec[name] === undefined ? undefined : parseDec(scalar(spec[name]) ?? ''));
    const unsupported = failure('UNSUPPORTED_ORDER_CONFIGURATION', 'Unsupported order configuration', 'UNKNOWN_PREVIEW_FAILURE_REASON');
    if (entries.length !== 1) return unsupported;
    let request: { type: 'market' | 'limit'; quantity?: Dec | undefined; quoteQuantity?: Dec | undefined; price?: Dec | undefined; tif: 'GTC' | 'IOC' | 'FOK'; postOnly: boolean };
    if (kind === 'market_market_ioc') {
      const baseSize = num('base_size');
      const quoteSize = num('quote_size');
      if ((baseSize === undefined) === (quoteSize === undefined)) return failure('INVALID_ORDER_CONFIG', 'Exactly one of base_size and quote_size', 'PREVIEW_INVALID_ORDER_CONFIG');
      if (quoteSize !== undefined && side === 'SELL') return failure('INVALID_ORDER_CONFIG', 'Market sells take base_size', 'PREVIEW_INVALID_ORDER_CONFIG');
      request = { type: 'market', quantity: baseSize, quoteQuantity: quoteSize, tif: 'IOC', postOnly: false };
    } else if (kind === 'limit_limit_gtc' || kind === 'limit_limit_fok' || kind === 'sor_limit_ioc') {
      const baseSize = num('base_size');
      const price = num('limit_price');
      if (baseSize === undefined) return failure('INVALID_SIZE_PRECISION', 'Invalid base_size', 'PREVIEW_INVALID_SIZE_PRECISION');
      if (price === undefined) return failure('INVALID_LIMIT_PRICE', 'Invalid limit_price', 'PREVIEW_INVALID_LIMIT_PRICE');
      request = {
        type: 'limit', quantity: baseSize, price, postOnly: kind === 'limit_limit_gtc' && spec.post_only === true,
        tif: kind === 'limit_limit_gtc' ? 'GTC' : kind === 'limit_limit_fok' ? 'FOK' : 'IOC',
      };
    } else {
      return unsupported;
    }
    const result = ctx.engine.placeOrder(key.accountId, {
      symbol: m.symbol, side: side === 'BUY' ? 'buy' : 'sell', type: request.type, quantity: request.quantity,
      quoteQuantity: request.quoteQuantity, price: request.price, timeInForce: request.tif, postOnly: request.postOnly,
      clientOrderId, ref: orderUuid,
    });
    if (!result.ok) {
      const r = REJECTIONS[result.reason];
      return failure(r.error, r.message, r.preview);
    }
    return json(200, {
      success: true, success_response: { order_id: result.order.ref, product_id: productId(m), side, client_order_id: clientOrderId },
      order_configuration: config,
    });
  };

  const accounts = (key: StoredKey): Record<string, unknown>[] => ctx.engine.balances(key.accountId).map((b) => ({
    uuid: accountUuid(key.accountId, b.asset), name: `${b.asset} Wallet`, currency: b.asset,
    available_balance: money(b.free, b.asset), default: true, active: true, created_at: iso(key.createdAt),
    updated_at: iso(ctx.clock.now()), deleted_at: null, type: 'ACCOUNT_TYPE_CRYPTO', ready: true, hold: money(b.locked, b.asset),
    retail_portfolio_id: portfolioUuid(key.accountId), platform: 'ACCOUNT_PLATFORM_CONSUMER',
  }));

  // The market-data routes exist twice: public under /market, and behind a key (view scope).
  const readScope = (auth: boolean): { permission?: Permission } => (auth ? { permission: 'read' } : {});

  const productRoute = (pattern: RegExp, auth: boolean): Route => ({
    method: 'GET', pattern, auth, ...readScope(auth),
    run: (c) => {
      const m = byId.get(decodeURIComponent(c.path[1] ?? ''));
      return m === undefined ? json(404, { error: 'NOT_FOUND', error_details: 'product not found', message: 'product not found' }) : json(200, productJson(m, c.now));
    },
  });

  const productsRoute = (pattern: RegExp, auth: boolean): Route => ({
    method: 'GET', pattern, auth, ...readScope(auth),
    run: (c) => {
      const type = c.query.product_type;
      const list = type === undefined || type === 'SPOT' ? ctx.markets.map((m) => productJson(m, c.now)) : [];
      return json(200, { products: list, num_products: list.length });
    },
  });

  const bookRoute = (pattern: RegExp, auth: boolean): Route => ({
    method: 'GET', pattern, auth, ...readScope(auth),
    run: (c) => {
      const m = byId.get(c.query.product_id ?? '');
      if (m === undefined) return json(400, { error: 'INVALID_ARGUMENT', error_details: 'valid product_id is required', message: 'valid product_id is required' });
      const limit = Math.min(Number(c.query.limit ?? '50') || 50, 500);
      const book = bookJson(m, c.now, limit);
      const mid = ctx.feed.midAt(m.symbol, step(c.now));
      return json(200, { pricebook: book, last: toPlain(mid), mid_market: toPlain(mid), spread_bps: '', spread_absolute: '' });
    },
  });

  // {"candles":[{start, low, high, open, close, volume}]}: strings, start in UNIX seconds, newest
  // first; start, end and granularity are required, and a range over 350 candles is refused.
  const candlesRoute = (pattern: RegExp, auth: boolean): Route => ({
    method: 'GET', pattern, auth, ...readScope(auth),
    run: (c) => {
      const invalid = (detail: string): WireResponse => json(400, { error: 'INVALID_ARGUMENT', error_details: detail, message: detail });
      const m = byId.get(decodeURIComponent(c.path[1] ?? ''));
      if (m === undefined) return json(404, { error: 'NOT_FOUND', error_details: 'product not found', message: 'product not found' });
      const seconds = GRANULARITY[c.query.granularity ?? ''];
      if (seconds === undefined) return invalid('granularity is required and must be one of ' + Object.keys(GRANULARITY).join(', '));
      const start = Number(c.query.start);
      const end = Number(c.query.end);
      if (!/^\d{1,12}$/.test(c.query.start ?? '') || !/^\d{1,12}$/.test(c.query.end ?? '') || end < start) return invalid('start and end are required UNIX timestamps, start before end');
      if ((end - start) / seconds > MAX_CANDLES) return invalid(`number of candles requested should be less than ${String(MAX_CANDLES)}`);
      const limit = c.query.limit === undefined ? MAX_CANDLES : Number(c.query.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CANDLES) return invalid(`limit must be from 1 to ${String(MAX_CANDLES)}`);
      const list = buildCandles(ctx.feed, ctx.engine, m.symbol, {
        intervalMs: seconds * 1000, fromMs: start * 1000, toMs: end * 1000, limit, anchor: 'end', nowMs: c.now,
      });
      return json(200, {
        candles: list.reverse().map((k) => ({
          start: String(k.openMs / 1000), low: toPlain(k.low), high: toPlain(k.high), open: toPlain(k.open), close: toPlain(k.close), volume: toPlain(k.volume),
        })),
      });
    },
  });

  const tickerRoute = (pattern: RegExp, auth: boolean): Route => ({
    method: 'GET', pattern, auth, ...readScope(auth),
    run: (c) => {
      const m = byId.get(decodeURIComponent(c.path[1] ?? ''));
      if (m === undefined) return json(404, { error: 'NOT_FOUND', error_details: 'product not found', message: 'product not found' });
      const b = ctx.feed.bookAt(m.symbol, step(c.now));
      const last = ctx.feed.midAt(m.symbol, step(c.now));
      return json(200, {
        trades: [{ trade_id: String(step(c.now)), product_id: productId(m), price: toPlain(last), size: toPlain(m.stepSize), time: iso(c.now), side: 'BUY', bid: '', ask: '', exchange: '' }],
        best_bid: toPlain(b.bids[0]?.price ?? ZERO), best_ask: toPlain(b.asks[0]?.price ?? ZERO),
      });
    },
  });

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api\/v3\/brokerage\/time$/, auth: false, run: (c) => json(200, { iso: iso(c.now), epochSeconds: String(Math.floor(c.now / 1000)), epochMillis: String(c.now) }) },
    productsRoute(/^\/api\/v3\/brokerage\/market\/products$/, false),
    tickerRoute(/^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/ticker$/, false),
    candlesRoute(/^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/candles$/, false),
    productRoute(/^\/api\/v3\/brokerage\/market\/products\/([^/]+)$/, false),
    bookRoute(/^\/api\/v3\/brokerage\/market\/product_book$/, false),
    productsRoute(/^\/api\/v3\/brokerage\/products$/, true),
    tickerRoute(/^\/api\/v3\/brokerage\/products\/([^/]+)\/ticker$/, true),
    candlesRoute(/^\/api\/v3\/brokerage\/products\/([^/]+)\/candles$/, true),
    productRoute(/^\/api\/v3\/brokerage\/products\/([^/]+)$/, true),
    bookRoute(/^\/api\/v3\/brokerage\/product_book$/, true),
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/best_bid_ask$/, auth: true, permission: 'read',
      run: (c) => json(200, {
        pricebooks: ctx.markets.filter((m) => c.multi('product_ids').length === 0 || c.multi('product_ids').includes(productId(m))).map((m) => bookJson(m, c.now, 1)),
      }),
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/accounts$/, auth: true, permission: 'read',
      run: (c) => {
        const list = accounts(c.key as StoredKey);
        return json(200, { accounts: list, has_next: false, cursor: '', size: list.length });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/accounts\/([^/]+)$/, auth: true, permission: 'read',
      run: (c) => {
        const account = accounts(c.key as StoredKey).find((a) => a.uuid === c.path[1]);
        return account === undefined ? json(404, { error: 'NOT_FOUND', error_details: 'account not found', message: 'account not found' }) : json(200, { account });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/key_permissions$/, auth: true,
      run: (c) => {
        const key = c.key as StoredKey;
        return json(200, {
          can_view: key.permissions.has('read'), can_trade: key.permissions.has('trade'), can_transfer: key.permissions.has('withdraw'),
          portfolio_uuid: portfolioUuid(key.accountId), portfolio_type: 'DEFAULT',
        });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/transaction_summary$/, auth: true, permission: 'read',
      run: () => json(200, {
        total_volume: 0, total_fees: 0,
        fee_tier: { pricing_tier: 'Advanced 1', usd_from: '0', usd_to: '10000', taker_fee_rate: '0.001', maker_fee_rate: '0.0008', aop_from: '', aop_to: '' },
        margin_rate: null, goods_and_services_tax: null, advanced_trade_only_volume: 0, advanced_trade_only_fees: 0,
        coinbase_pro_volume: 0, coinbase_pro_fees: 0, total_balance: '', has_promo_fee: false,
      }),
    },
    { method: 'POST', pattern: /^\/api\/v3\/brokerage\/orders$/, auth: true, permission: 'trade', run: createOrder },
    {
      method: 'POST', pattern: /^\/api\/v3\/brokerage\/orders\/batch_cancel$/, auth: true, permission: 'trade',
      run: (c) => {
        const ids = Array.isArray(c.body?.order_ids) ? c.body.order_ids : undefined;
        if (ids === undefined || ids.length === 0) return json(400, { error: 'INVALID_ARGUMENT', error_details: 'order_ids is required', message: 'order_ids is required' });
        const key = c.key as StoredKey;
        return json(200, {
          results: ids.map((raw) => {
            const id = scalar(raw) ?? '';
            const res = ctx.engine.cancelOrder(key.accountId, { ref: id });
            if (res.ok) return { success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id };
            return { success: false, failure_reason: res.reason === 'NOT_FOUND' ? 'UNKNOWN_CANCEL_ORDER' : 'DUPLICATE_CANCEL_REQUEST', order_id: id };
          }),
        });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/orders\/historical\/batch$/, auth: true, permission: 'read',
      run: (c) => {
        const statuses = c.multi('order_status');
        const products = c.multi('product_ids');
        const list = ctx.engine.orders((c.key as StoredKey).accountId).slice().reverse().map(orderJson)
          .filter((o) => (statuses.length === 0 || statuses.includes(String(o.status))) && (products.length === 0 || products.includes(String(o.product_id))));
        const limit = Math.min(Number(c.query.limit ?? '1000') || 1000, 1000);
        return json(200, { orders: list.slice(0, limit), sequence: '0', has_next: list.length > limit, cursor: '' });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/orders\/historical\/fills$/, auth: true, permission: 'read',
      run: (c) => {
        const wanted = c.multi('order_ids');
        const fills = ctx.engine.orders((c.key as StoredKey).accountId)
          .filter((o) => wanted.length === 0 || wanted.includes(o.ref))
          .flatMap((o) => o.fills.map((f) => ({
            entry_id: String(f.tradeId), trade_id: String(f.tradeId), order_id: o.ref, trade_time: iso(f.time), trade_type: 'FILL',
            price: toPlain(f.price), size: toPlain(f.qty), commission: toPlain(f.fee), product_id: productId(ctx.engine.market(o.symbol) as MarketSpec),
            sequence_timestamp: iso(f.time), liquidity_indicator: f.maker ? 'MAKER' : 'TAKER', size_in_quote: false, user_id: o.accountId,
            side: o.side.toUpperCase(), retail_portfolio_id: portfolioUuid(o.accountId),
          })));
        return json(200, { fills, cursor: '' });
      },
    },
    {
      method: 'GET', pattern: /^\/api\/v3\/brokerage\/orders\/historical\/([^/]+)$/, auth: true, permission: 'read',
      run: (c) => {
        const o = ctx.engine.findOrder((c.key as StoredKey).accountId, { ref: c.path[1] });
        return o === undefined
          ? json(404, { error: 'NOT_FOUND', error_details: 'order with this orderID was not found', message: 'order with this orderID was not found' })
          : json(200, { order: orderJson(o) });
      },
    },
    { method: 'GET', pattern: /^\/v2\/time$/, auth: false, v2: true, run: (c) => json(200, { data: { iso: iso(c.now).replace(/\.\d{3}Z$/, 'Z'), epoch: Math.floor(c.now / 1000) } }) },
    {
      method: 'GET', pattern: /^\/v2\/currencies$/, auth: false, v2: true,
      run: () => json(200, { data: [{ id: 'USD', name: 'US Dollar', min_size: '0.01' }] }),
    },
    {
      method: 'GET', pattern: /^\/v2\/currencies\/crypto$/, auth: false, v2: true,
      run: () => json(200, {
        data: ctx.assets.map((a, i) => ({
          asset_id: seededUuid(ctx.seed, `coinbase-asset/${a.code}`, 0), code: a.code, name: a.name, color: '#0052FF',
          sort_index: String(i), exponent: a.decimals, type: 'crypto', address_regex: '^.+$',
        })),
      }),
    },
    {
      method: 'GET', pattern: /^\/v2\/exchange-rates$/, auth: false, v2: true,
      run: (c) => {
        const rates: Record<string, string> = { USD: '1', USDT: '1' };
        for (const m of ctx.markets) {
          const mid = ctx.feed.midAt(m.symbol, step(c.now));
          rates[m.base] = (1 / (Number(mid) / 1e12)).toPrecision(8);
        }
        return json(200, { data: { currency: c.query.currency ?? 'USD', rates } });
      },
    },
    {
      // ccxt's fetchBalance still reads the v2 wallet list by default; v2 shows totals only.
      method: 'GET', pattern: /^\/v2\/accounts$/, auth: true, permission: 'read', v2: true,
      run: (c) => {
        const key = c.key as StoredKey;
        const data = ctx.engine.balances(key.accountId).map((b, i) => {
          const asset = ctx.assets.find((a) => a.code === b.asset);
          const id = accountUuid(key.accountId, b.asset);
          return {
            id, name: `${b.asset} Wallet`, primary: true, type: 'wallet',
            currency: {
              code: b.asset, name: asset?.name ?? b.asset, color: '#0052FF', sort_index: i, exponent: asset?.decimals ?? 8,
              type: 'crypto', address_regex: '^.+$', asset_id: seededUuid(ctx.seed, `coinbase-asset/${b.asset}`, 0), slug: b.asset.toLowerCase(),
            },
            balance: { amount: toPlain(b.free + b.locked), currency: b.asset },
            created_at: iso(key.createdAt).replace(/\.\d{3}Z$/, 'Z'), updated_at: iso(c.now).replace(/\.\d{3}Z$/, 'Z'),
            resource: 'account', resource_path: `/v2/accounts/${id}`, allow_deposits: true, allow_withdrawals: true,
          };
        });
        return json(200, {
          pagination: {
            ending_before: null, starting_after: null, previous_ending_before: null, next_starting_after: null,
            limit: data.length, order: 'desc', previous_uri: null, next_uri: null,
          },
          data,
        });
      },
    },
    {
      method: 'POST', pattern: /^\/v2\/accounts\/([^/]+)\/transactions$/, auth: true, permission: 'withdraw', v2: true,
      run: (c) => {
        const key = c.key as StoredKey;
        const b = c.body ?? {};
        const wallet = ctx.engine.balances(key.accountId).find((x) => accountUuid(key.accountId, x.asset) === c.path[1]);
        if (wallet === undefined) return json(404, { errors: [{ id: 'not_found', message: 'Not found' }] });
        if (scalar(b.type) !== 'send') return json(400, { errors: [{ id: 'validation_error', message: 'type must be send' }] });
        const amount = parseDec(scalar(b.amount) ?? '');
        const to = scalar(b.to);
        const currency = scalar(b.currency) ?? wallet.asset;
        if (amount === undefined || to === undefined || currency !== wallet.asset) {
          return json(400, { errors: [{ id: 'validation_error', message: 'Please enter a valid amount, currency and destination' }] });
        }
        const res = performWithdrawal(ctx, key, { asset: wallet.asset, amount, address: to, network: scalar(b.network) });
        if (!res.ok) {
          const message = res.reason === 'INSUFFICIENT_FUNDS' ? 'Insufficient balance in source account' : 'Please enter a valid amount';
          return json(400, { errors: [{ id: 'validation_error', message }] });
        }
        const id = seededUuid(ctx.seed, 'coinbase-send', Number(res.record.id.slice(3)));
        return json(201, {
          data: {
            id, type: 'send', status: 'pending', amount: { amount: `-${toPlain(amount)}`, currency: wallet.asset },
            native_amount: { amount: `-${toPlain(amount)}`, currency: 'USD' }, description: null,
            created_at: iso(c.now).replace(/\.\d{3}Z$/, 'Z'), updated_at: iso(c.now).replace(/\.\d{3}Z$/, 'Z'), resource: 'transaction',
            resource_path: `/v2/accounts/${c.path[1] ?? ''}/transactions/${id}`, instant_exchange: false,
            network: { status: 'pending', status_description: 'Pending', transaction_fee: { amount: '0', currency: wallet.asset } },
            to: { resource: 'address', address: to }, idem: scalar(b.idem) ?? '',
          },
        });
      },
    },
  ];

  const authenticate = (req: WireRequest, route: Route, now: number): StoredKey | WireResponse => {
    const v2 = route.v2 === true;
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(auth);
    if (m === null) return unauthorized('missing bearer token', v2);
    // The uri claim names host and path, never the query. The sandbox answers to its real name and
    // to its own address; ccxt strips only "https://", so over plain http it keeps the scheme.
    const ownHost = `${req.host}${req.prefix}${req.path}`;
    const acceptedUris = [`${req.method} ${COINBASE_HOST}${req.path}`, `${req.method} ${ownHost}`, `${req.method} http://${ownHost}`];
    const verdict = verifyCdpJwt({
      token: m[1] ?? '', acceptedUris, nowSeconds: Math.floor(now / 1000), findKey: (name) => ctx.keys.find('coinbase', name),
    });
    if (!verdict.ok) return unauthorized(verdict.reason, v2);
    if (!verdict.key.isIpAllowed(req.ip)) return unauthorized('ip not allowed', v2);
    return verdict.key;
  };

  return {
    exchange: 'coinbase',
    // v2 sends and withdrawals (/v2/accounts/{id}/transactions, .../withdrawals[/{id}/commit]).
    isWithdrawal: (req) => req.method === 'POST' && /^\/v2\/accounts\/[^/]+\/(transactions|withdrawals)/.test(req.path),
    presentedKey: (req) => jwtSubject(req.headers.authorization),
    handle(req) {
      let route: Route | undefined;
      let match: RegExpExecArray | null = null;
      for (const r of routes) {
        match = r.method === req.method ? r.pattern.exec(req.path) : null;
        if (match !== null) {
          route = r;
          break;
        }
      }
      if (route === undefined || match === null) return json(404, { error: 'NOT_FOUND', error_details: 'route not found', message: 'route not found' });
      const now = ctx.clock.now();
      ctx.engine.sync();
      let key: StoredKey | undefined;
      if (route.auth) {
        const auth = authenticate(req, route, now);
        if (isResponse(auth)) return auth;
        key = auth;
        if (route.permission !== undefined && !key.permissions.has(route.permission)) {
          return route.v2 === true
            ? json(403, { errors: [{ id: 'invalid_scope', message: 'Missing required scopes' }] })
            : json(403, { error: 'PERMISSION_DENIED', error_details: 'Missing required scopes', message: 'Missing required scopes' });
        }
        key.lastUsed = now;
      }
      const form = parseForm(req.query);
      if (form === undefined) return json(400, { error: 'INVALID_ARGUMENT', error_details: 'malformed query', message: 'malformed query' });
      const query: Record<string, string> = {};
      for (const [k, v] of form.pairs) query[k] ??= v;
      const body = req.method === 'POST' ? parseJsonObject(req.body === '' ? '{}' : req.body) : undefined;
      if (req.method === 'POST' && body === undefined) return json(400, { error: 'INVALID_ARGUMENT', error_details: 'body must be a JSON object', message: 'body must be a JSON object' });
      const multi = (name: string): string[] => form.pairs.filter(([k]) => k === name).map(([, v]) => v);
      return route.run({ path: match, query, multi, body, key, now });
    },
  };
}
