// Kraken spot REST (/0/public/*, /0/private/*). Kraken answers HTTP 200 with
// {"error":["EAPI:Invalid signature"],...} for request faults; the result object is present only
// on success. Private calls are POSTs whose body carries the nonce (see kraken-auth.ts).
// Asset and pair ids follow Kraken's legacy names: XXBT, XETH; XBTUSDT, ETHUSDT.
import { decimalsOf as decimals, parseDec, toFixed, ZERO, type Dec } from '../decimal.js';
import type { StoredKey } from '../keys.js';
import type { AssetSpec, MarketSpec } from '../markets.js';
import { averagePrice, type Order, type RejectReason } from '../matching-engine.js';
import { isResponse, json, parseForm, parseJsonObject, scalar, toRecord, type WireRequest, type WireResponse } from '../wire.js';
import { buildCandles } from '../candles.js';
import { hexId, performWithdrawal, type Dialect, type DialectContext } from './dialect.js';
import { isValidKrakenSignature, parseNonce } from './kraken-auth.js';

/** Kraken's permission names, as GetApiKeyInfo reports them, for each sandbox permission. */
const KRAKEN_PERMISSIONS = {
  read: ['query-funds', 'query-open-trades', 'query-closed-trades', 'query-ledger', 'export-data'],
  trade: ['modify-trades', 'close-trades'],
  withdraw: ['withdraw-funds'],
} as const;

const ASSET_IDS: Readonly<Record<string, { id: string; altname: string; decimals: number }>> = {
  BTC: { id: 'XXBT', altname: 'XBT', decimals: 10 },
  ETH: { id: 'XETH', altname: 'ETH', decimals: 10 },
  USDT: { id: 'USDT', altname: 'USDT', decimals: 8 },
  ILLIQ: { id: 'ILLIQ', altname: 'ILLIQ', decimals: 5 },
};

type Params = Readonly<Record<string, string>>;
type PrivateMethod = (key: StoredKey, p: Params, now: number) => WireResponse;

const ok = (result: unknown): WireResponse => json(200, { error: [], result });
const fail = (...errors: string[]): WireResponse => json(200, { error: errors });

const REJECTIONS: Record<RejectReason, WireResponse> = {
  UNKNOWN_SYMBOL: fail('EQuery:Unknown asset pair'),
  UNKNOWN_ACCOUNT: fail('EAPI:Invalid key'),
  INVALID_QUANTITY: fail('EGeneral:Invalid arguments:volume'),
  BELOW_MIN_QTY: fail('EOrder:Order minimum not met'),
  ABOVE_MAX_QTY: fail('EGeneral:Invalid arguments:volume'),
  INVALID_PRICE: fail('EGeneral:Invalid arguments:price'),
  BELOW_MIN_NOTIONAL: fail('EOrder:Cost minimum not met'),
  INSUFFICIENT_FUNDS: fail('EOrder:Insufficient funds'),
  POST_ONLY_WOULD_TAKE: fail('EOrder:Post only order'),
  DUPLICATE_CLIENT_ORDER_ID: fail('EOrder:Duplicate cl_ord_id'),
};

function assetId(code: string): string {
  return ASSET_IDS[code]?.id ?? code;
}

function altname(code: string): string {
  return ASSET_IDS[code]?.altname ?? code;
}

export function pairName(m: MarketSpec): string {
  return `${altname(m.base)}${altname(m.quote)}`;
}

export function createKrakenDialect(ctx: DialectContext): Dialect {
  const pairs = new Map<string, MarketSpec>();
  for (const m of ctx.markets) {
    pairs.set(pairName(m), m);
    pairs.set(`${assetId(m.base)}${assetId(m.quote)}`, m);
  }
  const pairOf = (name: string | undefined): MarketSpec | undefined => (name === undefined ? undefined : pairs.get(name));
  const assetOf = (name: string): AssetSpec | undefined =>
    ctx.assets.find((a) => a.code === name || assetId(a.code) === name || altname(a.code) === name);
  // Kraken prints volumes with eight decimals and prices with the pair's own.
  const vol = (d: Dec): string => toFixed(d, 8);
  const px = (m: MarketSpec, d: Dec): string => toFixed(d, decimals(m.tickSize));
  const secs = (ms: number): number => ms / 1000;

  const txid = (id: number): string => {
    const h = hexId(ctx.seed, 'kraken-txid', id, 20).toUpperCase().replace(/[0-9]/g, (c) => 'GHIJKLMNPQ'[Number(c)] ?? 'Z');
    return `O${h.slice(0, 5)}-${h.slice(5, 10)}-${h.slice(10, 16)}`;
  };

  const describe = (o: Order, m: MarketSpec): string => {
    const amount = vol(o.quantity ?? o.executedQty);
    return o.type === 'limit' && o.price !== undefined
      ? `${o.side} ${amount} ${pairName(m)} @ limit ${px(m, o.price)}`
      : `${o.side} ${amount} ${pairName(m)} @ market`;
  };

  const orderInfo = (o: Order, withTrades: boolean): Record<string, unknown> => {
    const m = ctx.engine.market(o.symbol) as MarketSpec;
    const status = { open: 'open', filled: 'closed', canceled: 'canceled', expired: 'expired' }[o.status];
    const info: Record<string, unknown> = {
      refid: null, userref: 0, ...(o.clientOrderId === '' ? {} : { cl_ord_id: o.clientOrderId }),
      status, reason: o.status === 'canceled' ? 'User requested' : null,
      opentm: secs(o.createdAt), ...(o.status === 'open' ? {} : { closetm: secs(o.updatedAt) }),
      starttm: 0, expiretm: 0,
      descr: {
        pair: pairName(m), aclass: 'forex', type: o.side, ordertype: o.type,
        price: o.price === undefined ? '0' : px(m, o.price), price2: '0', leverage: 'none', order: describe(o, m), close: '',
      },
      vol: vol(o.quantity ?? o.executedQty), vol_exec: vol(o.executedQty), cost: toFixed(o.cumQuote, 5),
      fee: toFixed(o.feeTotal, 5), price: px(m, averagePrice(o) ?? ZERO), stopprice: '0.00000', limitprice: '0.00000',
      misc: '', oflags: o.postOnly ? 'post,fciq' : 'fciq',
    };
    if (withTrades) info.trades = o.fills.map((f) => `T${hexId(ctx.seed, 'kraken-trade', f.tradeId, 16).toUpperCase()}`);
    return info;
  };

  const ordersMap = (list: readonly Order[], withTrades: boolean): Record<string, unknown> =>
    Object.fromEntries(list.map((o) => [o.ref, orderInfo(o, withTrades)]));

  const addOrder: PrivateMethod = (key, p) => {
    const m = pairOf(p.pair);
    if (p.pair === undefined) return fail('EGeneral:Invalid arguments:pair');
    if (m === undefined) return fail('EQuery:Unknown asset pair');
    if (p.type !== 'buy' && p.type !== 'sell') return fail('EGeneral:Invalid arguments:type');
    if (p.ordertype !== 'limit' && p.ordertype !== 'market') return fail('EGeneral:Invalid arguments:ordertype');
    const flags = (p.oflags ?? '').split(',').filter((f) => f !== '');
    const volume = p.volume === undefined ? undefined : parseDec(p.volume);
    if (volume === undefined) return fail('EGeneral:Invalid arguments:volume');
    let price: Dec | undefined;
    if (p.ordertype === 'limit') {
      price = p.price === undefined ? undefined : parseDec(p.price);
      if (price === undefined) return fail('EGeneral:Invalid arguments:price');
    }
    const tif = p.timeinforce ?? 'GTC';
    if (tif !== 'GTC' && tif !== 'IOC') return fail('EGeneral:Invalid arguments:timeinforce');
    const viqc = flags.includes('viqc');
    if (viqc && !(p.ordertype === 'market' && p.type === 'buy')) return fail('EGeneral:Invalid arguments:viqc');
    if (p.validate === 'true') return ok({ descr: { order: `${p.type} ${vol(volume)} ${pairName(m)} @ ${p.ordertype}` } });
    const result = ctx.engine.placeOrder(key.accountId, {
      symbol: m.symbol, side: p.type, type: p.ordertype,
      quantity: viqc ? undefined : volume, quoteQuantity: viqc ? volume : undefined, price,
      timeInForce: tif, postOnly: flags.includes('post'), clientOrderId: p.cl_ord_id, ref: txid,
    });
    if (!result.ok) return REJECTIONS[result.reason];
    return ok({ descr: { order: describe(result.order, m) }, txid: [result.order.ref] });
  };

  const findOrders = (key: StoredKey, ids: string | undefined): Order[] | WireResponse => {
    if (ids === undefined || ids === '') return fail('EGeneral:Invalid arguments:txid');
    const found: Order[] = [];
    for (const id of ids.split(',')) {
      const o = ctx.engine.findOrder(key.accountId, { ref: id });
      if (o === undefined) return fail('EOrder:Invalid order');
      found.push(o);
    }
    return found;
  };

  const privateMethods: Record<string, { permission?: string; run: PrivateMethod }> = {
    Balance: {
      permission: 'query-funds',
      run: (key) => ok(Object.fromEntries(ctx.engine.balances(key.accountId).map((b) => [
        assetId(b.asset), toFixed(b.free + b.locked, ASSET_IDS[b.asset]?.decimals ?? 8)]))),
    },
    BalanceEx: {
      permission: 'query-funds',
      run: (key) => ok(Object.fromEntries(ctx.engine.balances(key.accountId).map((b) => {
        const d = ASSET_IDS[b.asset]?.decimals ?? 8;
        return [assetId(b.asset), { balance: toFixed(b.free + b.locked, d), hold_trade: toFixed(b.locked, d) }];
      }))),
    },
    AddOrder: { permission: 'modify-trades', run: addOrder },
    QueryOrders: {
      permission: 'query-open-trades',
      run: (key, p) => {
        const found = findOrders(key, p.txid);
        return isResponse(found) ? found : ok(ordersMap(found, p.trades === 'true'));
      },
    },
    OpenOrders: {
      permission: 'query-open-trades',
      run: (key, p) => ok({
        open: ordersMap(ctx.engine.orders(key.accountId, { open: true })
          .filter((o) => p.cl_ord_id === undefined || o.clientOrderId === p.cl_ord_id), p.trades === 'true'),
      }),
    },
    ClosedOrders: {
      permission: 'query-closed-trades',
      run: (key, p) => {
        const closed = ctx.engine.orders(key.accountId, { open: false }).slice().reverse();
        return ok({ closed: ordersMap(closed.slice(0, 50), p.trades === 'true'), count: closed.length });
      },
    },
    CancelOrder: {
      permission: 'close-trades',
      run: (key, p) => {
        const query = p.cl_ord_id !== undefined ? { clientOrderId: p.cl_ord_id } : { ref: p.txid };
        if (query.ref === undefined && p.cl_ord_id === undefined) return fail('EGeneral:Invalid arguments:txid');
        const res = ctx.engine.cancelOrder(key.accountId, query);
        // Kraken knows only open orders here: a closed or cancelled txid is as unknown as a made-up one.
        if (!res.ok) return fail('EOrder:Unknown order');
        return ok({ count: 1 });
      },
    },
    CancelAll: {
      permission: 'close-trades',
      run: (key) => {
        const open = ctx.engine.orders(key.accountId, { open: true });
        for (const o of open) ctx.engine.cancelOrder(key.accountId, { id: o.id });
        return ok({ count: open.length });
      },
    },
    GetApiKeyInfo: {
      run: (key) => ok({
        apiKeyName: key.label,
        apiKey: key.apiKey,
        nonce: key.nonce.toString(),
        nonceWindow: 0,
        permissions: [...key.permissions].flatMap((p) => KRAKEN_PERMISSIONS[p]),
        iban: `AA${hexId(ctx.seed, 'iban', 0, 14).toUpperCase().replace(/(.{4})/g, '$1 ').trim()}`,
        validUntil: '0', queryFrom: '0', queryTo: '0',
        createdTime: String(Math.floor(key.createdAt / 1000)),
        modifiedTime: String(Math.floor(key.createdAt / 1000)),
        ipAllowlist: [...key.ipRestrict],
        lastUsed: String(Math.floor(key.lastUsed / 1000)),
      }),
    },
    Withdraw: {
      permission: 'withdraw-funds',
      run: (key, p) => {
        if (p.asset === undefined) return fail('EGeneral:Invalid arguments:asset');
        if (p.key === undefined || p.key === '') return fail('EGeneral:Invalid arguments:key');
        const asset = assetOf(p.asset);
        if (asset === undefined) return fail('EFunding:Unknown asset');
        const amount = p.amount === undefined ? undefined : parseDec(p.amount);
        if (amount === undefined) return fail('EGeneral:Invalid arguments:amount');
        // The sandbox has no withdrawal address book: the key name stands for the destination.
        const res = performWithdrawal(ctx, key, { asset: asset.code, amount, address: p.address ?? p.key, network: p.method });
        if (res.ok) return ok({ refid: `A${hexId(ctx.seed, 'kraken-wd', Number(res.record.id.slice(3)), 20).toUpperCase()}` });
        return res.reason === 'INSUFFICIENT_FUNDS' ? fail('EFunding:Insufficient funds') : fail('EFunding:Invalid amount');
      },
    },
  };

  const publicMethods: Record<string, (p: Params, now: number) => WireResponse> = {
    Time: (_p, now) => ok({ unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString().replace('GMT', '+0000') }),
    SystemStatus: (_p, now) => ok({ status: 'online', timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
    Assets: () => ok(Object.fromEntries(ctx.assets.map((a) => [assetId(a.code), {
      aclass: 'currency', altname: altname(a.code), decimals: ASSET_IDS[a.code]?.decimals ?? 8,
      display_decimals: Math.min(5, ASSET_IDS[a.code]?.decimals ?? 8), status: 'enabled',
    }]))),
    AssetPairs: (p) => {
      const wanted = p.pair === undefined ? undefined : p.pair.split(',');
      const chosen = ctx.markets.filter((m) => wanted === undefined || wanted.some((w) => pairOf(w) === m));
      if (wanted !== undefined && chosen.length === 0) return fail('EQuery:Unknown asset pair');
      return ok(Object.fromEntries(chosen.map((m) => [pairName(m), {
        altname: pairName(m), wsname: `${altname(m.base)}/${altname(m.quote)}`, aclass_base: 'currency', base: assetId(m.base),
        aclass_quote: 'currency', quote: assetId(m.quote), lot: 'unit', cost_decimals: 5, pair_decimals: decimals(m.tickSize),
        lot_decimals: decimals(m.stepSize), lot_multiplier: 1, leverage_buy: [], leverage_sell: [],
        fees: [[0, 0.1]], fees_maker: [[0, 0.08]], fee_volume_currency: 'ZUSD', margin_call: 80, margin_stop: 40,
        ordermin: toFixed(m.minQty, decimals(m.stepSize)), costmin: toFixed(m.minNotional, 2), tick_size: toFixed(m.tickSize, decimals(m.tickSize)),
        status: 'online',
      }])));
    },
    Ticker: (p, now) => {
      const wanted = (p.pair ?? '').split(',').filter((x) => x !== '');
      const chosen = wanted.length === 0 ? ctx.markets : wanted.map(pairOf);
      if (chosen.some((m) => m === undefined)) return fail('EQuery:Unknown asset pair');
      const step = ctx.feed.stepAt(now);
      return ok(Object.fromEntries((chosen as MarketSpec[]).map((m) => {
        const b = ctx.feed.bookAt(m.symbol, step);
        const s = ctx.feed.stats24h(m.symbol, step);
        const ask = b.asks[0];
        const bid = b.bids[0];
        return [pairName(m), {
          a: [px(m, ask?.price ?? ZERO), '1', vol(ask?.size ?? ZERO)],
          b: [px(m, bid?.price ?? ZERO), '1', vol(bid?.size ?? ZERO)],
          c: [px(m, s.last), vol(m.stepSize)], v: [vol(s.volume), vol(s.volume)], p: [px(m, s.last), px(m, s.last)],
          t: [0, 0], l: [px(m, s.low), px(m, s.low)], h: [px(m, s.high), px(m, s.high)], o: px(m, s.open),
        }];
      })));
    },
    // result: { <pair>: [[time (s), open, high, low, close, vwap, volume, count], ...], last }, up to
    // 720 entries oldest first, the last one still open; `last` is the newest committed entry's time.
    OHLC: (p, now) => {
      const m = pairOf(p.pair);
      if (p.pair === undefined) return fail('EGeneral:Invalid arguments:pair');
      if (m === undefined) return fail('EQuery:Unknown asset pair');
      const minutes = Number(p.interval ?? '1');
      if (![1, 5, 15, 30, 60, 240, 1440, 10080, 21600].includes(minutes)) return fail('EGeneral:Invalid arguments:interval');
      const since = p.since === undefined ? undefined : Number(p.since);
      if (since !== undefined && !Number.isSafeInteger(since)) return fail('EGeneral:Invalid arguments:since');
      const list = buildCandles(ctx.feed, ctx.engine, m.symbol, {
        intervalMs: minutes * 60_000, limit: 720, anchor: 'end', nowMs: now, fromMs: since === undefined ? undefined : since * 1000,
      });
      const rows = list.map((k) => [
        k.openMs / 1000, px(m, k.open), px(m, k.high), px(m, k.low), px(m, k.close),
        px(m, k.volume === ZERO ? k.close : (k.quoteVolume * 10n ** 12n) / k.volume), vol(k.volume), k.trades,
      ]);
      const committed = list.filter((k) => k.closed);
      return ok({ [pairName(m)]: rows, last: Math.floor((committed[committed.length - 1]?.openMs ?? list[0]?.openMs ?? now) / 1000) });
    },
    Depth: (p, now) => {
      const m = pairOf(p.pair);
      if (m === undefined) return fail('EQuery:Unknown asset pair');
      const count = Math.min(Number(p.count ?? '100') || 100, 500);
      const b = ctx.feed.bookAt(m.symbol, ctx.feed.stepAt(now));
      const t = Math.floor(now / 1000);
      const side = (levels: typeof b.asks) => levels.slice(0, count).map((l) => [px(m, l.price), vol(l.size), t]);
      return ok({ [pairName(m)]: { asks: side(b.asks), bids: side(b.bids) } });
    },
  };

  const readParams = (req: WireRequest, raw: string): { params: Params; nonce: string | undefined } | WireResponse => {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json')) {
      const o = parseJsonObject(raw === '' ? '{}' : raw);
      if (o === undefined) return fail('EGeneral:Invalid arguments');
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(o)) {
        const s = scalar(v);
        if (s !== undefined) params[k] = s;
      }
      return { params, nonce: scalar(o.nonce) };
    }
    const form = parseForm(raw);
    if (form === undefined || form.duplicates.length > 0) return fail('EGeneral:Invalid arguments');
    const params = toRecord(form);
    return { params, nonce: params.nonce };
  };

  return {
    exchange: 'kraken',
    // Withdraw, WithdrawCancel and any future Withdraw* method; WalletTransfer moves funds out too.
    isWithdrawal: (req) => /^\/0\/private\/(Withdraw|WalletTransfer)/i.test(req.path) && !/^\/0\/private\/Withdraw(Info|Methods|Addresses|Status)$/i.test(req.path),
    presentedKey: (req) => req.headers['api-key'],
    handle(req) {
      const now = ctx.clock.now();
      ctx.engine.sync();
      const pub = /^\/0\/public\/([A-Za-z]+)$/.exec(req.path);
      if (pub !== null) {
        const method = publicMethods[pub[1] ?? ''];
        if (method === undefined || (req.method !== 'GET' && req.method !== 'POST')) return json(404, { error: ['EGeneral:Unknown method'] });
        const read = readParams(req, req.method === 'GET' ? req.query : req.body);
        return isResponse(read) ? read : method(read.params, now);
      }
      const priv = /^\/0\/private\/([A-Za-z/]+)$/.exec(req.path);
      const method = priv === null ? undefined : privateMethods[priv[1] ?? ''];
      if (method === undefined) return json(404, { error: ['EGeneral:Unknown method'] });
      if (req.method !== 'POST') return fail('EGeneral:Invalid arguments');

      const apiKey = req.headers['api-key'];
      const key = apiKey === undefined ? undefined : ctx.keys.find('kraken', apiKey);
      if (key === undefined || key.hmacKey === undefined) return fail('EAPI:Invalid key');
      if (!key.isIpAllowed(req.ip)) return fail('EGeneral:Permission denied');
      const read = readParams(req, req.body);
      if (isResponse(read)) return read;
      const nonce = parseNonce(read.nonce);
      if (nonce === undefined || read.nonce === undefined) return fail('EAPI:Invalid nonce');
      if (!isValidKrakenSignature(key.hmacKey, req.path, read.nonce, req.body, req.headers['api-sign'] ?? '')) {
        return fail('EAPI:Invalid signature');
      }
      // Only a correctly signed request moves the high-water mark: a forged one must not be able
      // to burn nonces and lock the key's owner out.
      if (nonce <= key.nonce) return fail('EAPI:Invalid nonce');
      key.nonce = nonce;
      key.lastUsed = now;
      const granted = [...key.permissions].flatMap((p): readonly string[] => KRAKEN_PERMISSIONS[p]);
      if (method.permission !== undefined && !granted.includes(method.permission)) return fail('EGeneral:Permission denied');
      return method.run(key, read.params, now);
    },
  };
}
