// OKX v5 REST. Every answer is {"code":"0","msg":"","data":[...]}; failures carry OKX's code as a
// string. Authentication faults (501xx) come with HTTP 401; business faults (51xxx, 58xxx) with
// HTTP 200 and, for per-order operations, code "1" plus sCode/sMsg on each data item.
import { timingSafeEqual } from 'node:crypto';
import { parseDec, toPlain, ZERO, type Dec } from '../decimal.js';
import type { Permission, StoredKey } from '../keys.js';
import { sha256 } from '../keys.js';
import type { MarketSpec } from '../markets.js';
import { averagePrice, type Order, type RejectReason } from '../matching-engine.js';
import { isResponse, json, parseForm, scalar, toRecord, type WireRequest, type WireResponse } from '../wire.js';
import { buildCandles } from '../candles.js';
import { hexId, performWithdrawal, type Dialect, type DialectContext } from './dialect.js';
import { isValidOkxSignature, OKX_WINDOW_MS, parseOkxTimestamp } from './okx-auth.js';

type Params = Readonly<Record<string, string>>;

interface Call {
  readonly params: Params;
  /** Parsed JSON body of a POST: an object, or an array for the batch endpoints. */
  readonly body: unknown;
  readonly key: StoredKey | undefined;
  readonly now: number;
}

interface Route {
  readonly auth: boolean;
  readonly permission?: Permission;
  run(call: Call): WireResponse;
}

const ok = (data: unknown[]): WireResponse => json(200, { code: '0', msg: '', data });
const fail = (status: number, code: string, msg: string): WireResponse => json(status, { code, msg, data: [] });

/** OKX's names for the sandbox permissions, in the order /account/config lists them. */
const OKX_PERM: Record<Permission, string> = { read: 'read_only', trade: 'trade', withdraw: 'withdraw' };

function rejection(reason: RejectReason, m: MarketSpec | undefined): { sCode: string; sMsg: string } {
  switch (reason) {
    case 'UNKNOWN_SYMBOL': return { sCode: '51001', sMsg: 'Instrument ID does not exist.' };
    case 'INVALID_QUANTITY':
    case 'ABOVE_MAX_QTY': return { sCode: '51000', sMsg: 'Parameter sz error' };
    case 'INVALID_PRICE': return { sCode: '51000', sMsg: 'Parameter px error' };
    case 'BELOW_MIN_QTY':
    case 'BELOW_MIN_NOTIONAL': return { sCode: '51020', sMsg: 'Your order should meet or exceed the minimum order amount.' };
    case 'INSUFFICIENT_FUNDS': return { sCode: '51008', sMsg: `Order failed. Insufficient ${m?.quote ?? ''} balance in account.` };
    case 'POST_ONLY_WOULD_TAKE': return { sCode: '51000', sMsg: 'Parameter ordType error' };
    case 'DUPLICATE_CLIENT_ORDER_ID': return { sCode: '51016', sMsg: 'Duplicated clOrdId' };
    case 'UNKNOWN_ACCOUNT': return { sCode: '50111', sMsg: 'Invalid OK-ACCESS-KEY.' };
  }
}

const HOUR = 3_600_000;
/**
 * Candle bars the sandbox cuts, with their alignment: OKX's 6H, 12H and 1D start at midnight Hong
 * Kong time (UTC+8), the "utc" variants at midnight UTC. 2D and longer are OKX's but not served here.
 */
const BARS: Readonly<Record<string, { ms: number; offsetMs: number }>> = {
  '1m': { ms: 60_000, offsetMs: 0 }, '3m': { ms: 180_000, offsetMs: 0 }, '5m': { ms: 300_000, offsetMs: 0 },
  '15m': { ms: 900_000, offsetMs: 0 }, '30m': { ms: 1_800_000, offsetMs: 0 }, '1H': { ms: HOUR, offsetMs: 0 },
  '2H': { ms: 2 * HOUR, offsetMs: 0 }, '4H': { ms: 4 * HOUR, offsetMs: 0 },
  '6H': { ms: 6 * HOUR, offsetMs: -8 * HOUR }, '12H': { ms: 12 * HOUR, offsetMs: -8 * HOUR }, '1D': { ms: 24 * HOUR, offsetMs: -8 * HOUR },
  '6Hutc': { ms: 6 * HOUR, offsetMs: 0 }, '12Hutc': { ms: 12 * HOUR, offsetMs: 0 }, '1Dutc': { ms: 24 * HOUR, offsetMs: 0 },
};

export function instId(m: MarketSpec): string {
  return `${m.base}-${m.quote}`;
}

export function createOkxDialect(ctx: DialectContext): Dialect {
  const byId = new Map(ctx.markets.map((m) => [instId(m), m]));
  const ordId = (id: number): string => String(600_000_000_000_000_000n + BigInt(id) * 1000n + BigInt(Number.parseInt(hexId(ctx.seed, 'okx-ord', id, 3), 16) % 1000));
  const step = (now: number): number => ctx.feed.stepAt(now);

  const state = (o: Order): string => {
    switch (o.status) {
      case 'open': return o.executedQty > ZERO ? 'partially_filled' : 'live';
      case 'filled': return 'filled';
      default: return 'canceled';
    }
  };

  const orderJson = (o: Order): Record<string, unknown> => {
    const m = ctx.engine.market(o.symbol) as MarketSpec;
    const last = o.fills[o.fills.length - 1];
    const quoteSized = o.quantity === undefined;
    return {
      instType: 'SPOT', instId: instId(m), tgtCcy: quoteSized ? 'quote_ccy' : '', ccy: '', ordId: o.ref, clOrdId: o.clientOrderId,
      tag: '', px: o.price === undefined ? '' : toPlain(o.price), pxUsd: '', pxVol: '', pxType: '',
      sz: toPlain(quoteSized ? (o.quoteQuantity ?? ZERO) : (o.quantity ?? ZERO)), pnl: '0',
      ordType: o.type === 'market' ? 'market' : o.postOnly ? 'post_only' : o.timeInForce === 'IOC' ? 'ioc' : o.timeInForce === 'FOK' ? 'fok' : 'limit',
      side: o.side, posSide: 'net', tdMode: 'cash', accFillSz: toPlain(o.executedQty),
      fillPx: last === undefined ? '' : toPlain(last.price), tradeId: last === undefined ? '' : String(last.tradeId),
      fillSz: last === undefined ? '0' : toPlain(last.qty), fillTime: last === undefined ? '' : String(last.time),
      avgPx: averagePrice(o) === undefined ? '' : toPlain(averagePrice(o) ?? ZERO), state: state(o),
      stpId: '', stpMode: 'cancel_maker', lever: '', attachAlgoClOrdId: '', tpTriggerPx: '', tpTriggerPxType: '',
      tpOrdPx: '', slTriggerPx: '', slTriggerPxType: '', slOrdPx: '', attachAlgoOrds: [], linkedAlgoOrd: { algoId: '' },
      feeCcy: m.quote, fee: o.feeTotal === ZERO ? '0' : `-${toPlain(o.feeTotal)}`, rebateCcy: m.base, rebate: '0',
      source: '', category: 'normal', reduceOnly: 'false', isTpLimit: 'false', cancelSource: o.status === 'canceled' ? '1' : '',
      cancelSourceReason: '', quickMgnType: '', algoClOrdId: '', algoId: '',
      uTime: String(o.updatedAt), cTime: String(o.createdAt),
    };
  };

  const place = (key: StoredKey, item: unknown, now: number): Record<string, unknown> => {
    const o = (typeof item === 'object' && item !== null && !Array.isArray(item) ? item : {}) as Record<string, unknown>;
    const s = (name: string): string | undefined => scalar(o[name]);
    const clOrdId = s('clOrdId') ?? '';
    const tag = s('tag') ?? '';
    const failed = (sCode: string, sMsg: string) => ({ ordId: '', clOrdId, tag, ts: String(now), sCode, sMsg });
    const id = s('instId');
    if (id === undefined) return failed('51000', 'Parameter instId error');
    const m = byId.get(id);
    if (m === undefined) return failed('51001', 'Instrument ID does not exist.');
    if (s('tdMode') !== 'cash') return failed('51000', 'Parameter tdMode error');
    const side = s('side');
    if (side !== 'buy' && side !== 'sell') return failed('51000', 'Parameter side error');
    const ordType = s('ordType');
    if (!['market', 'limit', 'post_only', 'fok', 'ioc'].includes(ordType ?? '')) return failed('51000', 'Parameter ordType error');
    const sz = parseDec(s('sz') ?? '');
    if (sz === undefined) return failed('51000', 'Parameter sz error');
    let px: Dec | undefined;
    if (ordType !== 'market') {
      px = parseDec(s('px') ?? '');
      if (px === undefined) return failed('51000', 'Parameter px error');
    }
    // Spot market buys are sized in quote currency unless tgtCcy says base (OKX's documented default).
    const tgtCcy = s('tgtCcy') ?? (ordType === 'market' && side === 'buy' ? 'quote_ccy' : 'base_ccy');
    const quoteSized = ordType === 'market' && side === 'buy' && tgtCcy === 'quote_ccy';
    const result = ctx.engine.placeOrder(key.accountId, {
      symbol: m.symbol, side, type: ordType === 'market' ? 'market' : 'limit',
      quantity: quoteSized ? undefined : sz, quoteQuantity: quoteSized ? sz : undefined, price: px,
      timeInForce: ordType === 'ioc' ? 'IOC' : ordType === 'fok' ? 'FOK' : 'GTC', postOnly: ordType === 'post_only',
      clientOrderId: clOrdId, ref: ordId,
    });
    if (!result.ok) {
      const r = rejection(result.reason, m);
      return failed(r.sCode, r.sMsg);
    }
    return { ordId: result.order.ref, clOrdId, tag, ts: String(now), sCode: '0', sMsg: 'Order placed' };
  };

  const batch = (results: Record<string, unknown>[], allFailedMsg: string): WireResponse => {
    const failures = results.filter((r) => r.sCode !== '0').length;
    if (failures === 0) return ok(results);
    if (failures === results.length) return json(200, { code: '1', msg: allFailedMsg, data: results });
    return json(200, { code: '2', msg: 'Bulk operation partially succeeded.', data: results });
  };

  const findOrder = (key: StoredKey, p: Readonly<Record<string, string | undefined>>): Order | WireResponse => {
    const m = p.instId === undefined ? undefined : byId.get(p.instId);
    if (p.instId === undefined) return fail(200, '50014', 'Parameter instId can not be empty.');
    if (m === undefined) return fail(200, '51001', 'Instrument ID does not exist.');
    if (p.ordId === undefined && p.clOrdId === undefined) return fail(200, '51003', 'Either client order ID or order ID is required.');
    const o = ctx.engine.findOrder(key.accountId, { ref: p.ordId, clientOrderId: p.clOrdId });
    return o !== undefined && o.symbol === m.symbol ? o : fail(200, '51603', 'Order does not exist');
  };

  const cancel = (key: StoredKey, item: unknown): Record<string, unknown> => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const p = { instId: scalar(o.instId), ordId: scalar(o.ordId), clOrdId: scalar(o.clOrdId) };
    const found = findOrder(key, p);
    const failed = { ordId: p.ordId ?? '', clOrdId: p.clOrdId ?? '', ts: String(ctx.clock.now()), sCode: '51400', sMsg: 'Order cancellation failed as the order has been filled, canceled or does not exist.' };
    if (isResponse(found)) return failed;
    const res = ctx.engine.cancelOrder(key.accountId, { id: found.id });
    if (!res.ok) return failed;
    return { ordId: found.ref, clOrdId: found.clientOrderId, ts: String(ctx.clock.now()), sCode: '0', sMsg: '' };
  };

  const ticker = (m: MarketSpec, now: number): Record<string, unknown> => {
    const b = ctx.feed.bookAt(m.symbol, step(now));
    const s = ctx.feed.stats24h(m.symbol, step(now));
    return {
      instType: 'SPOT', instId: instId(m), last: toPlain(s.last), lastSz: toPlain(m.stepSize),
      askPx: toPlain(b.asks[0]?.price ?? ZERO), askSz: toPlain(b.asks[0]?.size ?? ZERO),
      bidPx: toPlain(b.bids[0]?.price ?? ZERO), bidSz: toPlain(b.bids[0]?.size ?? ZERO),
      open24h: toPlain(s.open), high24h: toPlain(s.high), low24h: toPlain(s.low),
      volCcy24h: toPlain((s.volume * s.last) / 10n ** 12n), vol24h: toPlain(s.volume), ts: String(now),
      sodUtc0: toPlain(s.open), sodUtc8: toPlain(s.open),
    };
  };

  const routes: Record<string, Route> = {
    'GET /api/v5/public/time': { auth: false, run: (c) => ok([{ ts: String(c.now) }]) },
    'GET /api/v5/public/instruments': {
      auth: false,
      run: (c) => {
        if (c.params.instType === undefined) return fail(400, '50014', 'Parameter instType can not be empty.');
        if (c.params.instType !== 'SPOT') return ok([]);
        return ok(ctx.markets.filter((m) => c.params.instId === undefined || instId(m) === c.params.instId).map((m) => ({
          instType: 'SPOT', instId: instId(m), uly: '', instFamily: '', baseCcy: m.base, quoteCcy: m.quote, settleCcy: '',
          ctVal: '', ctMult: '', ctValCcy: '', optType: '', stk: '', listTime: String(ctx.feed.startMs), expTime: '',
          lever: '', tickSz: toPlain(m.tickSize), lotSz: toPlain(m.stepSize), minSz: toPlain(m.minQty), ctType: '',
          alias: '', state: 'live', ruleType: 'normal', maxLmtSz: toPlain(m.maxQty), maxMktSz: '1000000',
          maxLmtAmt: '20000000', maxMktAmt: '1000000', maxTwapSz: toPlain(m.maxQty), maxIcebergSz: toPlain(m.maxQty),
          maxTriggerSz: toPlain(m.maxQty), maxStopSz: '1000000',
        })));
      },
    },
    'GET /api/v5/market/ticker': {
      auth: false,
      run: (c) => {
        const m = byId.get(c.params.instId ?? '');
        return m === undefined ? fail(200, '51001', 'Instrument ID does not exist.') : ok([ticker(m, c.now)]);
      },
    },
    'GET /api/v5/market/tickers': {
      auth: false,
      run: (c) => (c.params.instType === 'SPOT' ? ok(ctx.markets.map((m) => ticker(m, c.now))) : ok([])),
    },
    'GET /api/v5/market/candles': {
      auth: false,
      // data: [ts, o, h, l, c, vol (base), volCcy (quote, for spot), volCcyQuote, confirm], newest
      // first, all strings; confirm "0" while the bar is still open. after/before are timestamps:
      // records older than `after`, newer than `before`.
      run: (c) => {
        if (c.params.instId === undefined) return fail(200, '50014', 'Parameter instId can not be empty.');
        const m = byId.get(c.params.instId);
        if (m === undefined) return fail(200, '51001', 'Instrument ID does not exist.');
        const bar = BARS[c.params.bar ?? '1m'];
        if (bar === undefined) return fail(200, '51000', 'Parameter bar error');
        const ts: Partial<Record<'after' | 'before' | 'limit', number>> = {};
        for (const name of ['after', 'before', 'limit'] as const) {
          const v = c.params[name];
          if (v === undefined || v === '') continue;
          if (!/^\d{1,15}$/.test(v)) return fail(200, '51000', `Parameter ${name} error`);
          ts[name] = Number(v);
        }
        const list = buildCandles(ctx.feed, ctx.engine, m.symbol, {
          intervalMs: bar.ms, offsetMs: bar.offsetMs, limit: Math.min(Math.max(ts.limit ?? 100, 1), 300), anchor: 'end', nowMs: c.now,
          fromMs: ts.before === undefined ? undefined : ts.before + 1, toMs: ts.after === undefined ? undefined : ts.after - 1,
        });
        return ok(list.reverse().map((k) => [
          String(k.openMs), toPlain(k.open), toPlain(k.high), toPlain(k.low), toPlain(k.close), toPlain(k.volume),
          toPlain(k.quoteVolume), toPlain(k.quoteVolume), k.closed ? '1' : '0',
        ]));
      },
    },
    'GET /api/v5/market/books': {
      auth: false,
      run: (c) => {
        const m = byId.get(c.params.instId ?? '');
        if (m === undefined) return fail(200, '51001', 'Instrument ID does not exist.');
        const sz = Math.min(Number(c.params.sz ?? '1') || 1, 400);
        const b = ctx.feed.bookAt(m.symbol, step(c.now));
        const side = (levels: typeof b.asks) => levels.slice(0, sz).map((l) => [toPlain(l.price), toPlain(l.size), '0', '1']);
        return ok([{ asks: side(b.asks), bids: side(b.bids), ts: String(c.now) }]);
      },
    },
    'GET /api/v5/account/balance': {
      auth: true, permission: 'read',
      run: (c) => {
        const key = c.key as StoredKey;
        const wanted = c.params.ccy === undefined ? undefined : c.params.ccy.split(',');
        const details = ctx.engine.balances(key.accountId)
          .filter((b) => (wanted === undefined ? b.free + b.locked > ZERO : wanted.includes(b.asset)))
          .map((b) => ({
            availBal: toPlain(b.free), availEq: '', borrowFroz: '', cashBal: toPlain(b.free + b.locked), ccy: b.asset,
            crossLiab: '', disEq: toPlain(b.free + b.locked), eq: toPlain(b.free + b.locked), eqUsd: '', fixedBal: '0',
            frozenBal: toPlain(b.locked), imr: '', interest: '', isoEq: '', isoLiab: '', isoUpl: '', liab: '',
            maxLoan: '', mgnRatio: '', mmr: '', notionalLever: '', ordFrozen: toPlain(b.locked), spotInUseAmt: '',
            stgyEq: '0', twap: '0', uTime: String(c.now), upl: '', uplLiab: '',
          }));
        return ok([{
          adjEq: '', borrowFroz: '', details, imr: '', isoEq: '', mgnRatio: '', mmr: '', notionalUsd: '',
          ordFroz: '', totalEq: '', uTime: String(c.now), upl: '',
        }]);
      },
    },
    'GET /api/v5/account/config': {
      auth: true,
      run: (c) => {
        const key = c.key as StoredKey;
        const uid = String(Number.parseInt(hexId(ctx.seed, `okx-uid/${key.accountId}`, 0, 12), 16));
        return ok([{
          uid, mainUid: uid, acctLv: '1', acctStpMode: 'cancel_maker', posMode: 'net_mode', autoLoan: false,
          greeksType: 'PA', level: 'Lv1', levelTmp: '', ctIsoMode: 'automatic', mgnIsoMode: 'automatic',
          roleType: '0', traderInsts: [], spotRoleType: '0', spotTraderInsts: [], opAuth: '0', kycLv: '2',
          label: key.label, ip: key.ipRestrict.join(','), enableSpotBorrow: false, spotBorrowAutoRepay: false,
          perm: (['read', 'trade', 'withdraw'] as const).filter((p) => key.permissions.has(p)).map((p) => OKX_PERM[p]).join(','),
          liquidationGear: '-1', type: '0', settleCcy: '', settleCcyList: [],
        }]);
      },
    },
    'GET /api/v5/asset/currencies': {
      auth: true, permission: 'read',
      run: () => ok(ctx.assets.map((a) => ({
        ccy: a.code, chain: `${a.code}-${a.code}`, name: a.name, logoLink: '', canDep: true, canWd: true, canInternal: true,
        depEstOpenTime: '', wdEstOpenTime: '', minDep: '0.00000001', minWd: toPlain(a.minWithdraw), maxWd: '100000000',
        wdTickSz: String(a.decimals), wdQuota: '10000000', usedWdQuota: '0', minFee: toPlain(a.withdrawFee),
        maxFee: toPlain(a.withdrawFee), fee: toPlain(a.withdrawFee), minFeeForCtAddr: toPlain(a.withdrawFee),
        maxFeeForCtAddr: toPlain(a.withdrawFee), burningFeeRate: '', mainNet: true, needTag: false,
        minDepArrivalConfirm: '1', minWdUnlockConfirm: '1', depQuotaFixed: '', usedDepQuotaFixed: '', depQuoteDailyLayer2: '',
      }))),
    },
    'POST /api/v5/trade/order': {
      auth: true, permission: 'trade',
      run: (c) => batch([place(c.key as StoredKey, c.body, c.now)], 'Operation failed.'),
    },
    'POST /api/v5/trade/batch-orders': {
      auth: true, permission: 'trade',
      run: (c) => {
        if (!Array.isArray(c.body) || c.body.length === 0 || c.body.length > 20) return fail(200, '50000', 'Body can not be empty.');
        return batch(c.body.map((item) => place(c.key as StoredKey, item, c.now)), 'All operations failed.');
      },
    },
    'GET /api/v5/trade/order': {
      auth: true, permission: 'read',
      run: (c) => {
        const o = findOrder(c.key as StoredKey, c.params);
        return isResponse(o) ? o : ok([orderJson(o)]);
      },
    },
    'POST /api/v5/trade/cancel-order': {
      auth: true, permission: 'trade',
      run: (c) => batch([cancel(c.key as StoredKey, c.body)], 'Operation failed.'),
    },
    'POST /api/v5/trade/cancel-batch-orders': {
      auth: true, permission: 'trade',
      run: (c) => {
        if (!Array.isArray(c.body) || c.body.length === 0) return fail(200, '50000', 'Body can not be empty.');
        return batch(c.body.map((item) => cancel(c.key as StoredKey, item)), 'All operations failed.');
      },
    },
    'GET /api/v5/trade/orders-pending': {
      auth: true, permission: 'read',
      run: (c) => {
        if (c.params.instType !== undefined && c.params.instType !== 'SPOT') return ok([]);
        const m = c.params.instId === undefined ? undefined : byId.get(c.params.instId);
        const open = ctx.engine.orders((c.key as StoredKey).accountId, { open: true, symbol: m?.symbol });
        return ok(open.filter(() => c.params.instId === undefined || m !== undefined).reverse().map(orderJson));
      },
    },
    'GET /api/v5/trade/orders-history': {
      auth: true, permission: 'read',
      run: (c) => {
        if (c.params.instType === undefined) return fail(200, '50014', 'Parameter instType can not be empty.');
        const m = c.params.instId === undefined ? undefined : byId.get(c.params.instId);
        const done = ctx.engine.orders((c.key as StoredKey).accountId, { open: false, symbol: m?.symbol });
        return ok(done.slice().reverse().map(orderJson));
      },
    },
    'POST /api/v5/asset/withdrawal': {
      auth: true, permission: 'withdraw',
      run: (c) => {
        const b = (typeof c.body === 'object' && c.body !== null ? c.body : {}) as Record<string, unknown>;
        const ccy = scalar(b.ccy);
        const amt = parseDec(scalar(b.amt) ?? '');
        const toAddr = scalar(b.toAddr);
        if (ccy === undefined) return fail(200, '50014', 'Parameter ccy can not be empty.');
        if (amt === undefined) return fail(200, '51000', 'Parameter amt error');
        if (toAddr === undefined) return fail(200, '50014', 'Parameter toAddr can not be empty.');
        const res = performWithdrawal(ctx, c.key as StoredKey, { asset: ccy, amount: amt, address: toAddr, network: scalar(b.chain) });
        if (res.ok) {
          return ok([{
            amt: toPlain(amt), wdId: String(Number.parseInt(hexId(ctx.seed, 'okx-wd', Number(res.record.id.slice(3)), 8), 16)),
            ccy, clientId: scalar(b.clientId) ?? '', chain: scalar(b.chain) ?? `${ccy}-${ccy}`,
          }]);
        }
        switch (res.reason) {
          case 'INSUFFICIENT_FUNDS': return fail(200, '58350', 'Insufficient balance.');
          case 'INVALID_ADDRESS': return fail(200, '58207', 'Withdrawal address is not whitelisted for verification exemption.');
          case 'UNKNOWN_ASSET': return fail(200, '51000', 'Parameter ccy error');
          default: return fail(200, '58201', 'Withdrawal amount exceeds the daily limit');
        }
      },
    },
  };

  const authenticate = (req: WireRequest, now: number): StoredKey | WireResponse => {
    const h = req.headers;
    const apiKey = h['ok-access-key'];
    const passphrase = h['ok-access-passphrase'];
    const sign = h['ok-access-sign'];
    const timestamp = h['ok-access-timestamp'];
    if (apiKey === undefined || apiKey === '') return fail(401, '50103', 'Request header "OK-ACCESS-KEY" can not be empty.');
    if (passphrase === undefined || passphrase === '') return fail(401, '50104', 'Request header "OK-ACCESS-PASSPHRASE" can not be empty.');
    if (sign === undefined || sign === '') return fail(401, '50106', 'Request header "OK-ACCESS-SIGN" can not be empty.');
    if (timestamp === undefined || timestamp === '') return fail(401, '50107', 'Request header "OK-ACCESS-TIMESTAMP" can not be empty.');
    const ts = parseOkxTimestamp(timestamp);
    if (ts === undefined) return fail(401, '50112', 'Invalid OK-ACCESS-TIMESTAMP');
    if (Math.abs(now - ts) > OKX_WINDOW_MS) return fail(401, '50102', 'Timestamp request expired');
    const key = ctx.keys.find('okx', apiKey);
    if (key === undefined || key.hmacKey === undefined || key.passphraseDigest === undefined) return fail(401, '50111', 'Invalid OK-ACCESS-KEY');
    if (!timingSafeEqual(sha256(passphrase), key.passphraseDigest)) return fail(401, '50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.');
    if (!key.isIpAllowed(req.ip)) return fail(401, '50110', `Your IP ${req.ip} is not included in your API key's IP whitelist.`);
    const requestPath = req.query === '' ? req.path : `${req.path}?${req.query}`;
    if (!isValidOkxSignature(key.hmacKey, timestamp, req.method, requestPath, req.body, sign)) return fail(401, '50113', 'Invalid Sign');
    return key;
  };

  return {
    exchange: 'okx',
    // asset/withdrawal, withdrawal-lightning, cancel-withdrawal and any other withdrawal path.
    isWithdrawal: (req) => req.method === 'POST' && /withdrawal/i.test(req.path),
    presentedKey: (req) => req.headers['ok-access-key'],
    handle(req) {
      const route = routes[`${req.method} ${req.path}`];
      if (route === undefined) return fail(404, '50115', 'Invalid request method.');
      const now = ctx.clock.now();
      ctx.engine.sync();
      const form = parseForm(req.query);
      if (form === undefined) return fail(400, '51000', 'Parameter error');
      const params = toRecord(form);
      let key: StoredKey | undefined;
      if (route.auth) {
        const auth = authenticate(req, now);
        if (isResponse(auth)) return auth;
        key = auth;
        if (route.permission !== undefined && !key.permissions.has(route.permission)) {
          return fail(401, '50120', "API key doesn't have permission to use this endpoint");
        }
        key.lastUsed = now;
      }
      let body: unknown;
      if (req.method === 'POST') {
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return fail(400, '50006', 'Invalid Content_Type, please use "application/json" format');
        }
        try {
          body = JSON.parse(req.body === '' ? 'null' : req.body);
        } catch {
          return fail(400, '50002', 'Json data format error');
        }
        if (body === null) return fail(400, '50000', 'Body can not be empty.');
      }
      return route.run({ params, body, key, now });
    },
  };
}
