// Binance Spot API v3 plus the sapi endpoints Keyward must reason about (key permissions,
// withdrawals). Errors are {"code":-NNNN,"msg":"..."} with Binance's codes and statuses:
// 400 for request faults (-1021 timestamp, -1022 signature, -11xx parameters, -2010/-2011/-2013),
// 401 for -2014 (key format) and -2015 (unknown key, IP or permission).
import type { Permission, StoredKey } from '../keys.js';
import { parseDec, toFixed, ZERO, type Dec } from '../decimal.js';
import type { MarketSpec } from '../markets.js';
import type { Order, RejectReason } from '../matching-engine.js';
import { isResponse, json, parseForm, toRecord, type WireRequest, type WireResponse } from '../wire.js';
import { checkTiming, isValidEd25519Signature, isValidHmacSignature, signedPayload } from './binance-auth.js';
import { buildCandles } from '../candles.js';
import { hexId, performWithdrawal, type Dialect, type DialectContext } from './dialect.js';

type Security = 'NONE' | 'SIGNED';

interface Call {
  readonly params: Readonly<Record<string, string>>;
  readonly key: StoredKey | undefined;
  readonly now: number;
}

interface Route {
  readonly security: Security;
  /** Permission a SIGNED route needs (Binance's enableReading / enableSpotAndMarginTrading / enableWithdrawals). */
  readonly permission?: Permission;
  run(call: Call): WireResponse;
}

const err = (status: number, code: number, msg: string): WireResponse => json(status, { code, msg });
const fx = (d: Dec): string => toFixed(d, 8);

const REJECT_KEY = err(401, -2015, 'Invalid API-key, IP, or permissions for action.');

function mandatory(name: string): WireResponse {
  return err(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

function illegal(name: string): WireResponse {
  return err(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
}

const REJECTIONS: Record<RejectReason, WireResponse> = {
  UNKNOWN_SYMBOL: err(400, -1121, 'Invalid symbol.'),
  UNKNOWN_ACCOUNT: REJECT_KEY,
  INVALID_QUANTITY: err(400, -1013, 'Filter failure: LOT_SIZE'),
  BELOW_MIN_QTY: err(400, -1013, 'Filter failure: LOT_SIZE'),
  ABOVE_MAX_QTY: err(400, -1013, 'Filter failure: LOT_SIZE'),
  INVALID_PRICE: err(400, -1013, 'Filter failure: PRICE_FILTER'),
  BELOW_MIN_NOTIONAL: err(400, -1013, 'Filter failure: NOTIONAL'),
  INSUFFICIENT_FUNDS: err(400, -2010, 'Account has insufficient balance for requested action.'),
  POST_ONLY_WOULD_TAKE: err(400, -2010, 'Order would immediately match and take.'),
  DUPLICATE_CLIENT_ORDER_ID: err(400, -2010, 'Duplicate order sent.'),
};

/** Kline intervals the sandbox cuts (1s, 3d, 1w and 1M are Binance's too, but not served here). */
const KLINE_MS: Readonly<Record<string, number>> = {
  '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000,
  '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000, '1d': 86_400_000,
};

export function marketId(m: MarketSpec): string {
  return `${m.base}${m.quote}`;
}

export function createBinanceDialect(ctx: DialectContext): Dialect {
  const byId = new Map(ctx.markets.map((m) => [marketId(m), m]));
  let clientIds = 0;

  const market = (params: Readonly<Record<string, string>>): MarketSpec | WireResponse => {
    const id = params.symbol;
    if (id === undefined || id === '') return mandatory('symbol');
    return byId.get(id) ?? err(400, -1121, 'Invalid symbol.');
  };

  const status = (o: Order): string => {
    switch (o.status) {
      case 'open': return o.executedQty > ZERO ? 'PARTIALLY_FILLED' : 'NEW';
      case 'filled': return 'FILLED';
      case 'canceled': return 'CANCELED';
      case 'expired': return 'EXPIRED';
    }
  };

  const orderType = (o: Order): string => (o.postOnly ? 'LIMIT_MAKER' : o.type.toUpperCase());

  const orderBody = (o: Order): Record<string, unknown> => {
    const m = ctx.engine.market(o.symbol);
    return {
      symbol: m === undefined ? o.symbol : marketId(m),
      orderId: o.id,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fx(o.price ?? ZERO),
      origQty: fx(o.quantity ?? o.executedQty),
      executedQty: fx(o.executedQty),
      cummulativeQuoteQty: fx(o.cumQuote),
      status: status(o),
      timeInForce: o.type === 'market' ? 'GTC' : o.timeInForce,
      type: orderType(o),
      side: o.side.toUpperCase(),
    };
  };

  const queryOrderBody = (o: Order): Record<string, unknown> => ({
    ...orderBody(o),
    stopPrice: fx(ZERO),
    icebergQty: fx(ZERO),
    time: o.createdAt,
    updateTime: o.updatedAt,
    isWorking: o.status === 'open',
    workingTime: o.createdAt,
    origQuoteOrderQty: fx(o.quoteQuantity ?? ZERO),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  });

  const placeOrder = (call: Call, dryRun: boolean): WireResponse => {
    const p = call.params;
    const m = market(p);
    if (isResponse(m)) return m;
    const side = p.side;
    if (side === undefined) return mandatory('side');
    if (side !== 'BUY' && side !== 'SELL') return err(400, -1117, 'Invalid side.');
    const type = p.type;
    if (type === undefined) return mandatory('type');
    if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER') return err(400, -1116, 'Invalid orderType.');
    const nums: Partial<Record<'quantity' | 'quoteOrderQty' | 'price', Dec>> = {};
    for (const name of ['quantity', 'quoteOrderQty', 'price'] as const) {
      const v = p[name];
      if (v === undefined) continue;
      const d = parseDec(v);
      if (d === undefined) return illegal(name);
      nums[name] = d;
    }
    const { quantity: q, quoteOrderQty: qq, price: px } = nums;
    let tif: 'GTC' | 'IOC' | 'FOK' | undefined;
    if (type === 'LIMIT') {
      if (p.timeInForce === undefined) return mandatory('timeInForce');
      if (p.timeInForce !== 'GTC' && p.timeInForce !== 'IOC' && p.timeInForce !== 'FOK') return err(400, -1115, 'Invalid timeInForce.');
      tif = p.timeInForce;
    } else if (p.timeInForce !== undefined) {
      return err(400, -1106, "Parameter 'timeInForce' sent when not required.");
    }
    if (type !== 'MARKET') {
      if (q === undefined) return mandatory('quantity');
      if (px === undefined) return mandatory('price');
    } else {
      if (q === undefined && qq === undefined) return err(400, -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
      if (q !== undefined && qq !== undefined) return err(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
      if (px !== undefined) return err(400, -1106, "Parameter 'price' sent when not required.");
      if (qq !== undefined && side === 'SELL') return err(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
    }
    const key = call.key;
    if (key === undefined) return REJECT_KEY;
    if (dryRun) return json(200, {});
    const clientOrderId = p.newClientOrderId ?? `sbx${hexId(ctx.seed, 'binance-cid', ++clientIds, 19)}`;
    const result = ctx.engine.placeOrder(key.accountId, {
      symbol: m.symbol,
      side: side === 'BUY' ? 'buy' : 'sell',
      type: type === 'MARKET' ? 'market' : 'limit',
      quantity: q,
      quoteQuantity: qq,
      price: px,
      timeInForce: tif ?? 'GTC',
      postOnly: type === 'LIMIT_MAKER',
      clientOrderId,
      ref: (id) => String(id),
    });
    if (!result.ok) return result.reason === 'INVALID_QUANTITY' && type === 'MARKET' ? err(400, -1013, 'Filter failure: MARKET_LOT_SIZE') : REJECTIONS[result.reason];
    const o = result.order;
    const ack = { symbol: marketId(m), orderId: o.id, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.createdAt };
    const respType = p.newOrderRespType ?? 'FULL';
    if (respType === 'ACK') return json(200, ack);
    const resultBody = {
      ...ack, ...orderBody(o), transactTime: o.createdAt, workingTime: o.createdAt,
      origQuoteOrderQty: fx(o.quoteQuantity ?? ZERO), selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    if (respType === 'RESULT') return json(200, resultBody);
    return json(200, {
      ...resultBody,
      fills: o.fills.map((f) => ({ price: fx(f.price), qty: fx(f.qty), commission: fx(f.fee), commissionAsset: f.feeAsset, tradeId: f.tradeId })),
    });
  };

  const findOrder = (call: Call): Order | WireResponse => {
    const m = market(call.params);
    if (isResponse(m)) return m;
    const { orderId, origClientOrderId } = call.params;
    if (orderId === undefined && origClientOrderId === undefined) {
      return err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    }
    const id = orderId === undefined ? undefined : Number(orderId);
    if (id !== undefined && !Number.isSafeInteger(id)) return illegal('orderId');
    const o = ctx.engine.findOrder(call.key?.accountId ?? '', { id, clientOrderId: origClientOrderId });
    return o !== undefined && o.symbol === m.symbol ? o : err(400, -2013, 'Order does not exist.');
  };

  const book = (m: MarketSpec, now: number) => ctx.feed.bookAt(m.symbol, ctx.feed.stepAt(now));

  const ticker24 = (m: MarketSpec, now: number): Record<string, unknown> => {
    const step = ctx.feed.stepAt(now);
    const s = ctx.feed.stats24h(m.symbol, step);
    const b = book(m, now);
    const change = s.last - s.open;
    const pct = s.open === ZERO ? ZERO : (change * 100n * 10n ** 12n) / s.open;
    return {
      symbol: marketId(m), priceChange: fx(change), priceChangePercent: toFixed(pct, 3), weightedAvgPrice: fx(s.last),
      prevClosePrice: fx(s.open), lastPrice: fx(s.last), lastQty: fx(m.stepSize),
      bidPrice: fx(b.bids[0]?.price ?? ZERO), bidQty: fx(b.bids[0]?.size ?? ZERO),
      askPrice: fx(b.asks[0]?.price ?? ZERO), askQty: fx(b.asks[0]?.size ?? ZERO),
      openPrice: fx(s.open), highPrice: fx(s.high), lowPrice: fx(s.low), volume: fx(s.volume),
      quoteVolume: fx((s.volume * s.last) / 10n ** 12n), openTime: now - 86_400_000, closeTime: now,
      firstId: 0, lastId: 0, count: 0,
    };
  };

  const perSymbol = (params: Readonly<Record<string, string>>, now: number, one: (m: MarketSpec) => Record<string, unknown>): WireResponse => {
    if (params.symbol === undefined) return json(200, ctx.markets.map(one));
    const m = market(params);
    return isResponse(m) ? m : json(200, one(m));
  };

  const symbolJson = (m: MarketSpec): Record<string, unknown> => ({
    symbol: marketId(m), status: 'TRADING', baseAsset: m.base, baseAssetPrecision: 8, quoteAsset: m.quote,
    quotePrecision: 8, quoteAssetPrecision: 8, baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'], icebergAllowed: false, ocoAllowed: false, otoAllowed: false,
    quoteOrderQtyMarketAllowed: true, allowTrailingStop: false, cancelReplaceAllowed: false, amendAllowed: false,
    isSpotTradingAllowed: true, isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: fx(m.tickSize), maxPrice: fx(m.initialPrice * 1000n), tickSize: fx(m.tickSize) },
      { filterType: 'LOT_SIZE', minQty: fx(m.minQty), maxQty: fx(m.maxQty), stepSize: fx(m.stepSize) },
      { filterType: 'MARKET_LOT_SIZE', minQty: fx(ZERO), maxQty: fx(m.maxQty), stepSize: fx(ZERO) },
      { filterType: 'NOTIONAL', minNotional: fx(m.minNotional), applyMinToMarket: true, maxNotional: fx(9_000_000n * 10n ** 12n), applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    ],
    permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'],
  });

  // GET /api/v3/klines: [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades,
  // takerBuyBase, takerBuyQuote, "0"], oldest first. The taker-buy half is synthetic: half of each.
  const klines = (c: Call): WireResponse => {
    const m = market(c.params);
    if (isResponse(m)) return m;
    if (c.params.interval === undefined) return mandatory('interval');
    const intervalMs = KLINE_MS[c.params.interval];
    if (intervalMs === undefined) return err(400, -1120, 'Invalid interval.');
    const ints: Partial<Record<'startTime' | 'endTime' | 'limit', number>> = {};
    for (const name of ['startTime', 'endTime', 'limit'] as const) {
      const v = c.params[name];
      if (v === undefined) continue;
      if (!/^\d{1,15}$/.test(v)) return illegal(name);
      ints[name] = Number(v);
    }
    const limit = Math.min(Math.max(ints.limit ?? 500, 1), 1000);
    const list = buildCandles(ctx.feed, ctx.engine, m.symbol, {
      intervalMs, fromMs: ints.startTime, toMs: ints.endTime, limit, anchor: ints.startTime === undefined ? 'end' : 'start', nowMs: c.now,
    });
    return json(200, list.map((k) => [
      k.openMs, fx(k.open), fx(k.high), fx(k.low), fx(k.close), fx(k.volume), k.openMs + intervalMs - 1, fx(k.quoteVolume),
      k.trades, fx(k.volume / 2n), fx(k.quoteVolume / 2n), '0',
    ]));
  };

  const routes: Record<string, Route> = {
    'GET /api/v3/ping': { security: 'NONE', run: () => json(200, {}) },
    'GET /api/v3/time': { security: 'NONE', run: (c) => json(200, { serverTime: c.now }) },
    'GET /api/v3/exchangeInfo': {
      security: 'NONE',
      run: (c) => json(200, {
        timezone: 'UTC', serverTime: c.now,
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        ],
        exchangeFilters: [],
        symbols: ctx.markets.filter((m) => c.params.symbol === undefined || marketId(m) === c.params.symbol).map(symbolJson),
      }),
    },
    'GET /api/v3/depth': {
      security: 'NONE',
      run: (c) => {
        const m = market(c.params);
        if (isResponse(m)) return m;
        const limit = Math.min(Number(c.params.limit ?? '100') || 100, 5000);
        const b = book(m, c.now);
        const side = (levels: typeof b.bids) => levels.slice(0, limit).map((l) => [fx(l.price), fx(l.size)]);
        return json(200, { lastUpdateId: b.step, bids: side(b.bids), asks: side(b.asks) });
      },
    },
    'GET /api/v3/klines': { security: 'NONE', run: klines },
    'GET /api/v3/uiKlines': { security: 'NONE', run: klines },
    'GET /api/v3/ticker/24hr': { security: 'NONE', run: (c) => perSymbol(c.params, c.now, (m) => ticker24(m, c.now)) },
    'GET /api/v3/ticker/price': {
      security: 'NONE',
      run: (c) => perSymbol(c.params, c.now, (m) => ({ symbol: marketId(m), price: fx(ctx.feed.midAt(m.symbol, ctx.feed.stepAt(c.now))) })),
    },
    'GET /api/v3/ticker/bookTicker': {
      security: 'NONE',
      run: (c) => perSymbol(c.params, c.now, (m) => {
        const b = book(m, c.now);
        return {
          symbol: marketId(m), bidPrice: fx(b.bids[0]?.price ?? ZERO), bidQty: fx(b.bids[0]?.size ?? ZERO),
          askPrice: fx(b.asks[0]?.price ?? ZERO), askQty: fx(b.asks[0]?.size ?? ZERO),
        };
      }),
    },
    'GET /api/v3/account': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        const key = c.key as StoredKey;
        return json(200, {
          makerCommission: 8, takerCommission: 10, buyerCommission: 0, sellerCommission: 0,
          commissionRates: { maker: '0.00080000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
          canTrade: key.permissions.has('trade'), canWithdraw: key.permissions.has('withdraw'), canDeposit: true,
          brokered: false, requireSelfTradePrevention: false, preventSor: false, updateTime: c.now, accountType: 'SPOT',
          balances: ctx.engine.balances(key.accountId)
            .filter((b) => c.params.omitZeroBalances !== 'true' || b.free + b.locked > ZERO)
            .map((b) => ({ asset: b.asset, free: fx(b.free), locked: fx(b.locked) })),
          permissions: ['SPOT'], uid: 1_000_000 + Number.parseInt(hexId(ctx.seed, 'uid', 0, 6), 16),
        });
      },
    },
    'POST /api/v3/order': { security: 'SIGNED', permission: 'trade', run: (c) => placeOrder(c, false) },
    'POST /api/v3/order/test': { security: 'SIGNED', permission: 'trade', run: (c) => placeOrder(c, true) },
    'GET /api/v3/order': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        const o = findOrder(c);
        return isResponse(o) ? o : json(200, queryOrderBody(o));
      },
    },
    'DELETE /api/v3/order': {
      security: 'SIGNED', permission: 'trade',
      run: (c) => {
        const found = findOrder(c);
        if (isResponse(found)) return (found.body as { code: number }).code === -2013 ? err(400, -2011, 'Unknown order sent.') : found;
        const res = ctx.engine.cancelOrder(found.accountId, { id: found.id });
        if (!res.ok) return err(400, -2011, 'Unknown order sent.');
        const o = res.order;
        return json(200, {
          origClientOrderId: o.clientOrderId, ...orderBody(o),
          clientOrderId: c.params.newClientOrderId ?? `sbx${hexId(ctx.seed, 'binance-cancel', o.id, 19)}`,
          transactTime: c.now, selfTradePreventionMode: 'EXPIRE_MAKER',
        });
      },
    },
    'GET /api/v3/openOrders': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        let symbol: string | undefined;
        if (c.params.symbol !== undefined) {
          const m = market(c.params);
          if (isResponse(m)) return m;
          symbol = m.symbol;
        }
        return json(200, ctx.engine.orders((c.key as StoredKey).accountId, { symbol, open: true }).map(queryOrderBody));
      },
    },
    'DELETE /api/v3/openOrders': {
      security: 'SIGNED', permission: 'trade',
      run: (c) => {
        const m = market(c.params);
        if (isResponse(m)) return m;
        const key = c.key as StoredKey;
        const open = ctx.engine.orders(key.accountId, { symbol: m.symbol, open: true });
        if (open.length === 0) return err(400, -2011, 'Unknown order sent.');
        return json(200, open.map((o) => {
          const res = ctx.engine.cancelOrder(key.accountId, { id: o.id });
          const done = res.ok ? res.order : o;
          return { origClientOrderId: done.clientOrderId, ...orderBody(done), transactTime: c.now };
        }));
      },
    },
    'GET /api/v3/allOrders': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        const m = market(c.params);
        if (isResponse(m)) return m;
        return json(200, ctx.engine.orders((c.key as StoredKey).accountId, { symbol: m.symbol }).map(queryOrderBody));
      },
    },
    'GET /api/v3/myTrades': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        const m = market(c.params);
        if (isResponse(m)) return m;
        const trades = ctx.engine.orders((c.key as StoredKey).accountId, { symbol: m.symbol }).flatMap((o) => o.fills.map((f) => ({
          symbol: marketId(m), id: f.tradeId, orderId: o.id, orderListId: -1, price: fx(f.price), qty: fx(f.qty),
          quoteQty: fx(f.quoteQty), commission: fx(f.fee), commissionAsset: f.feeAsset, time: f.time,
          isBuyer: o.side === 'buy', isMaker: f.maker, isBestMatch: true,
        })));
        return json(200, trades.sort((a, b) => a.id - b.id));
      },
    },
    'GET /sapi/v1/account/apiRestrictions': {
      security: 'SIGNED',
      run: (c) => {
        const key = c.key as StoredKey;
        return json(200, {
          ipRestrict: key.ipRestrict.length > 0, createTime: key.createdAt,
          enableInternalTransfer: false, enableFutures: false, enablePortfolioMarginTrading: false,
          enableVanillaOptions: false, permitsUniversalTransfer: false, enableReading: key.permissions.has('read'),
          enableSpotAndMarginTrading: key.permissions.has('trade'), enableWithdrawals: key.permissions.has('withdraw'),
          enableMargin: false, enableFixApiTrade: false, enableFixReadOnly: false,
        });
      },
    },
    'GET /sapi/v1/capital/config/getall': {
      security: 'SIGNED', permission: 'read',
      run: (c) => {
        const balances = ctx.engine.balances((c.key as StoredKey).accountId);
        return json(200, ctx.assets.map((a) => {
          const b = balances.find((x) => x.asset === a.code);
          return {
            coin: a.code, depositAllEnable: true, withdrawAllEnable: true, name: a.name,
            free: fx(b?.free ?? ZERO), locked: fx(b?.locked ?? ZERO), freeze: '0', withdrawing: '0', ipoing: '0',
            ipoable: '0', storage: '0', isLegalMoney: false, trading: true,
            networkList: [{
              network: a.code, coin: a.code, withdrawIntegerMultiple: fx(10n ** BigInt(12 - a.decimals)), isDefault: true,
              depositEnable: true, withdrawEnable: true, depositDesc: '', withdrawDesc: '', specialTips: '', name: a.name,
              resetAddressStatus: false, addressRegex: '^.+$', memoRegex: '', withdrawFee: fx(a.withdrawFee),
              withdrawMin: fx(a.minWithdraw), withdrawMax: fx(10n ** 21n), minConfirm: 1, unLockConfirm: 0,
              sameAddress: false, estimatedArrivalTime: 5, busy: false, contractAddressUrl: '', contractAddress: '',
            }],
          };
        }));
      },
    },
    'POST /sapi/v1/capital/withdraw/apply': {
      security: 'SIGNED', permission: 'withdraw',
      run: (c) => {
        const p = c.params;
        if (p.coin === undefined) return mandatory('coin');
        if (p.address === undefined) return mandatory('address');
        if (p.amount === undefined) return mandatory('amount');
        const amount = parseDec(p.amount);
        if (amount === undefined) return illegal('amount');
        const res = performWithdrawal(ctx, c.key as StoredKey, { asset: p.coin, amount, address: p.address, network: p.network });
        if (res.ok) return json(200, { id: hexId(ctx.seed, 'binance-wd', Number(res.record.id.slice(3)), 32) });
        switch (res.reason) {
          case 'INSUFFICIENT_FUNDS': return err(400, -4026, 'User has insufficient balance');
          case 'UNKNOWN_ASSET': return err(400, -4003, 'Withdrawal amount must be greater than the transaction fee');
          case 'BELOW_MINIMUM': return err(400, -4022, 'Withdrawal amount is less than the minimum.');
          default: return err(400, -1130, 'Data sent for parameter \'amount\' is not valid.');
        }
      },
    },
  };

  return {
    exchange: 'binance',
    // Covers capital/withdraw/apply and its relatives (managed-subaccount/withdraw, localentity/withdraw/apply).
    isWithdrawal: (req) => req.method !== 'GET' && /withdraw/i.test(req.path),
    presentedKey: (req) => req.headers['x-mbx-apikey'],
    handle(req: WireRequest): WireResponse {
      const route = routes[`${req.method} ${req.path}`];
      if (route === undefined) return err(404, -1020, 'This operation is not supported.');
      const now = ctx.clock.now();
      ctx.engine.sync();
      const query = parseForm(req.query);
      const body = parseForm(req.method === 'GET' ? '' : req.body);
      if (query === undefined || body === undefined) return err(400, -1100, 'Illegal characters found in a parameter.');
      const merged = { pairs: [...query.pairs, ...body.pairs], duplicates: [] as string[] };
      const names = new Set<string>();
      for (const [name] of merged.pairs) {
        if (names.has(name)) return err(400, -1101, 'Duplicate values for a parameter detected.');
        names.add(name);
      }
      const params = toRecord(merged);
      if (route.security === 'NONE') return route.run({ params, key: undefined, now });

      const apiKey = req.headers['x-mbx-apikey'];
      if (apiKey === undefined || apiKey === '') return err(401, -2014, 'API-key format invalid.');
      const key = ctx.keys.find('binance', apiKey);
      if (key === undefined || !key.isIpAllowed(req.ip)) return REJECT_KEY;
      const signed = signedPayload(req.query, req.method === 'GET' ? '' : req.body);
      if (signed.signatureCount > 1) return err(400, -1101, 'Duplicate values for a parameter detected.');
      if (signed.signature === undefined || signed.signature === '') return mandatory('signature');
      const timing = checkTiming(params.timestamp, params.recvWindow, now);
      if (!timing.ok) return err(400, timing.code, timing.msg);
      const valid = key.keyType === 'ed25519' && key.publicKey !== undefined
        ? isValidEd25519Signature(key.publicKey, signed.payload, signed.signature)
        : key.hmacKey !== undefined && isValidHmacSignature(key.hmacKey, signed.payload, signed.signature);
      if (!valid) return err(400, -1022, 'Signature for this request is not valid.');
      if (route.permission !== undefined && !key.permissions.has(route.permission)) return REJECT_KEY;
      key.lastUsed = now;
      delete params.signature;
      return route.run({ params, key, now });
    },
  };
}

