// Paper matching against the price feed's synthetic book. Accounts never trade with each other:
// every order meets the feed. What the invariants promise (matching-engine.test.ts holds them):
// - free + locked of every asset moves only by fills, fees and withdrawals; nothing is created.
// - a resting order locks what it could spend (buy: price*qty plus the taker fee; sell: qty)
//   and gives back exactly what it did not use when it ends.
// - fees are charged in the quote asset, at the taker rate when an order takes liquidity on
//   arrival and at the maker rate when a resting order is filled later.
// - resting orders are filled step by step as the walk crosses them, at their own limit price,
//   up to the liquidity shown at that step; the result depends on the clock, not on when
//   anyone asks (every request first calls sync()).
import {
  div, floorTo, isMultipleOf, min, mul, ZERO, type Dec,
} from './decimal.js';
import type { MarketSpec } from './markets.js';
import type { BookLevel, PriceFeed } from './price-feed.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** open covers partially filled orders: look at executedQty. */
export type OrderStatus = 'open' | 'filled' | 'canceled' | 'expired';

export interface Fill {
  readonly tradeId: number;
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly fee: Dec;
  readonly feeAsset: string;
  readonly maker: boolean;
  readonly time: number;
}

export interface Order {
  readonly id: number;
  /** The dialect's own id for the order (a Kraken txid, a Coinbase UUID...). */
  readonly ref: string;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly price: Dec | undefined;
  /** Base quantity; undefined for a market buy sized in quote. */
  readonly quantity: Dec | undefined;
  readonly quoteQuantity: Dec | undefined;
  readonly executedQty: Dec;
  readonly cumQuote: Dec;
  readonly feeTotal: Dec;
  readonly status: OrderStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fills: readonly Fill[];
}

export interface Balance {
  readonly asset: string;
  readonly free: Dec;
  readonly locked: Dec;
}

export interface PlaceOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity?: Dec | undefined;
  readonly quoteQuantity?: Dec | undefined;
  readonly price?: Dec | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly postOnly?: boolean | undefined;
  readonly clientOrderId?: string | undefined;
  readonly ref: (id: number) => string;
}

export type RejectReason =
  | 'UNKNOWN_SYMBOL' | 'INVALID_QUANTITY' | 'INVALID_PRICE' | 'BELOW_MIN_QTY' | 'ABOVE_MAX_QTY'
  | 'BELOW_MIN_NOTIONAL' | 'INSUFFICIENT_FUNDS' | 'POST_ONLY_WOULD_TAKE' | 'DUPLICATE_CLIENT_ORDER_ID'
  | 'UNKNOWN_ACCOUNT';

export type PlaceResult = { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly reason: RejectReason };
export type CancelResult = { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly reason: 'NOT_FOUND' | 'NOT_OPEN'; readonly order?: Order };

export interface OrderQuery {
  readonly id?: number | undefined;
  readonly ref?: string | undefined;
  readonly clientOrderId?: string | undefined;
}

export interface MatchingEngine {
  openAccount(accountId: string, balances: Readonly<Record<string, Dec>>): void;
  hasAccount(accountId: string): boolean;
  balances(accountId: string): readonly Balance[];
  /** Processes every feed step up to the clock's present: call before reading or writing. */
  sync(): void;
  placeOrder(accountId: string, request: PlaceOrderRequest): PlaceResult;
  cancelOrder(accountId: string, query: OrderQuery): CancelResult;
  findOrder(accountId: string, query: OrderQuery): Order | undefined;
  orders(accountId: string, filter?: { symbol?: string | undefined; open?: boolean | undefined }): readonly Order[];
  /** Debits a withdrawal from free balance; false if the account cannot cover it. */
  debit(accountId: string, asset: string, amount: Dec): boolean;
  market(symbol: string): MarketSpec | undefined;
  /** Every fill on a symbol (any account) with time in [fromMs, toMs), oldest first: candle volume. */
  trades(symbol: string, fromMs: number, toMs: number): readonly MarketTrade[];
}

export interface MarketTrade {
  readonly time: number;
  readonly price: Dec;
  readonly qty: Dec;
}

/** Fills remembered per symbol for candles; older ones are dropped past this count. */
const TRADE_LOG_LIMIT = 100_000;

export interface MatchingEngineOptions {
  readonly feed: PriceFeed;
  readonly markets: readonly MarketSpec[];
  readonly now: () => number;
}

type MutableOrder = { -readonly [K in keyof Order]: Order[K] };

interface LiveOrder extends MutableOrder {
  fills: Fill[];
  /** Amount still locked for this order, in lockAsset. */
  reserved: Dec;
  lockAsset: string;
  /** Feed step at which the order arrived; resting fills start at the next step. */
  placedStep: number;
}

interface Wallet {
  free: Dec;
  locked: Dec;
}

interface PlanInput {
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec | undefined;
  readonly remainingQty: Dec | undefined;
  readonly remainingQuote: Dec | undefined;
}

interface Taking {
  readonly level: number;
  readonly price: Dec;
  readonly qty: Dec;
}

export function createMatchingEngine(options: MatchingEngineOptions): MatchingEngine {
  const { feed } = options;
  const markets = new Map(options.markets.map((m) => [m.symbol, m]));
  const accounts = new Map<string, Map<string, Wallet>>();
  const orders = new Map<string, LiveOrder[]>();
  const resting: LiveOrder[] = [];
  // Liquidity already taken at a step, so two market orders in the same second walk deeper.
  const consumed = new Map<string, Dec>();
  let consumedStep = -1;
  const tradeLog = new Map<string, MarketTrade[]>();
  let nextOrderId = 1;
  let nextTradeId = 1;
  let syncedStep = feed.stepAt(options.now());

  function wallet(accountId: string, asset: string): Wallet {
    const acct = accounts.get(accountId);
    if (acct === undefined) throw new RangeError(`sandbox: unknown account ${accountId}`);
    let w = acct.get(asset);
    if (w === undefined) {
      w = { free: ZERO, locked: ZERO };
      acct.set(asset, w);
    }
    return w;
  }

  function available(symbol: string, step: number, side: 'bid' | 'ask', index: number, level: BookLevel): Dec {
    if (step !== consumedStep) {
      consumed.clear();
      consumedStep = step;
    }
    const taken = consumed.get(`${symbol}|${side}|${String(index)}`) ?? ZERO;
    return level.size > taken ? level.size - taken : ZERO;
  }

  function consume(symbol: string, side: 'bid' | 'ask', index: number, qty: Dec): void {
    const key = `${symbol}|${side}|${String(index)}`;
    consumed.set(key, (consumed.get(key) ?? ZERO) + qty);
  }

  /**
   * What an order could take from the book at a step, without changing anything. Buys take asks
   * at or below the limit, sells take bids at or above it. `bookExhausted` says the walk stopped
   * for lack of (acceptable) liquidity rather than because the order was satisfied.
   */
  function plan(o: PlanInput, step: number, m: MarketSpec): { takes: Taking[]; bookExhausted: boolean } {
    const book = feed.bookAt(o.symbol, step);
    const levels = o.side === 'buy' ? book.asks : book.bids;
    const side = o.side === 'buy' ? 'ask' : 'bid';
    const takes: Taking[] = [];
    let qtyLeft = o.remainingQty;
    let quoteLeft = o.remainingQuote;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if (level === undefined) break;
      if (qtyLeft !== undefined && qtyLeft <= ZERO) return { takes, bookExhausted: false };
      if (quoteLeft !== undefined && quoteLeft < mul(level.price, m.stepSize)) return { takes, bookExhausted: false };
      if (o.price !== undefined && (o.side === 'buy' ? level.price > o.price : level.price < o.price)) break;
      let qty = available(o.symbol, step, side, i, level);
      if (qtyLeft !== undefined) qty = min(qty, qtyLeft);
      if (quoteLeft !== undefined) qty = min(qty, floorTo(div(quoteLeft, level.price), m.stepSize));
      if (qty <= ZERO) continue;
      takes.push({ level: i, price: level.price, qty });
      if (qtyLeft !== undefined) qtyLeft -= qty;
      if (quoteLeft !== undefined) quoteLeft -= mul(qty, level.price);
    }
    const satisfied = (qtyLeft !== undefined && qtyLeft <= ZERO);
    return { takes, bookExhausted: !satisfied };
  }

  function settle(order: LiveOrder, m: MarketSpec, price: Dec, qty: Dec, maker: boolean, time: number): void {
    const quoteQty = mul(price, qty);
    const fee = mul(quoteQty, maker ? m.makerFee : m.takerFee);
    const base = wallet(order.accountId, m.base);
    const quote = wallet(order.accountId, m.quote);
    if (order.side === 'buy') {
      const spend = quoteQty + fee;
      quote.locked -= spend;
      order.reserved -= spend;
      base.free += qty;
    } else {
      base.locked -= qty;
      order.reserved -= qty;
      quote.free += quoteQty - fee;
    }
    order.executedQty += qty;
    order.cumQuote += quoteQty;
    order.feeTotal += fee;
    order.updatedAt = time;
    order.fills.push({ tradeId: nextTradeId++, price, qty, quoteQty, fee, feeAsset: m.quote, maker, time });
    let log = tradeLog.get(order.symbol);
    if (log === undefined) tradeLog.set(order.symbol, (log = []));
    log.push({ time, price, qty });
    if (log.length > TRADE_LOG_LIMIT) log.splice(0, log.length - TRADE_LOG_LIMIT);
  }

  function release(order: LiveOrder): void {
    if (order.reserved > ZERO) {
      const w = wallet(order.accountId, order.lockAsset);
      w.locked -= order.reserved;
      w.free += order.reserved;
      order.reserved = ZERO;
    }
  }

  function close(order: LiveOrder, status: OrderStatus, time: number): void {
    order.status = status;
    order.updatedAt = time;
    release(order);
    const i = resting.indexOf(order);
    if (i >= 0) resting.splice(i, 1);
  }

  function isComplete(order: LiveOrder): boolean {
    return order.quantity !== undefined && order.executedQty >= order.quantity;
  }

  function sync(): void {
    const now = options.now();
    const target = feed.stepAt(now);
    for (let step = syncedStep + 1; step <= target; step++) {
      if (resting.length === 0) break;
      const time = step * feed.stepMs;
      for (const order of [...resting]) {
        if (order.placedStep >= step || order.price === undefined || order.quantity === undefined) continue;
        const m = markets.get(order.symbol);
        if (m === undefined) continue;
        // Cheap test first: a buy can only be crossed when the mid is at or below its price.
        const mid = feed.midAt(order.symbol, step);
        if (order.side === 'buy' ? mid > order.price : mid < order.price) continue;
        const remaining = order.quantity - order.executedQty;
        const { takes } = plan({ symbol: order.symbol, side: order.side, price: order.price, remainingQty: remaining, remainingQuote: undefined }, step, m);
        for (const t of takes) {
          consume(order.symbol, order.side === 'buy' ? 'ask' : 'bid', t.level, t.qty);
          settle(order, m, order.price, t.qty, true, time);
        }
        if (isComplete(order)) close(order, 'filled', time);
      }
    }
    if (target > syncedStep) syncedStep = target;
  }

  function validate(m: MarketSpec, r: PlaceOrderRequest): RejectReason | undefined {
    if (r.type === 'limit') {
      if (r.price === undefined || r.price <= ZERO || !isMultipleOf(r.price, m.tickSize)) return 'INVALID_PRICE';
      if (r.quantity === undefined) return 'INVALID_QUANTITY';
    }
    if (r.quantity !== undefined) {
      if (r.quantity <= ZERO || !isMultipleOf(r.quantity, m.stepSize)) return 'INVALID_QUANTITY';
      if (r.quantity < m.minQty) return 'BELOW_MIN_QTY';
      if (r.quantity > m.maxQty) return 'ABOVE_MAX_QTY';
      if (r.price !== undefined && mul(r.price, r.quantity) < m.minNotional) return 'BELOW_MIN_NOTIONAL';
    } else {
      if (r.type !== 'market' || r.side !== 'buy' || r.quoteQuantity === undefined || r.quoteQuantity <= ZERO) return 'INVALID_QUANTITY';
      if (r.quoteQuantity < m.minNotional) return 'BELOW_MIN_NOTIONAL';
    }
    return undefined;
  }

  function placeOrder(accountId: string, r: PlaceOrderRequest): PlaceResult {
    if (!accounts.has(accountId)) return { ok: false, reason: 'UNKNOWN_ACCOUNT' };
    const m = markets.get(r.symbol);
    if (m === undefined) return { ok: false, reason: 'UNKNOWN_SYMBOL' };
    sync();
    const invalid = validate(m, r);
    if (invalid !== undefined) return { ok: false, reason: invalid };
    const clientOrderId = r.clientOrderId ?? '';
    if (clientOrderId !== '' && (orders.get(accountId) ?? []).some((o) => o.status === 'open' && o.clientOrderId === clientOrderId)) {
      return { ok: false, reason: 'DUPLICATE_CLIENT_ORDER_ID' };
    }
    const now = options.now();
    const step = feed.stepAt(now);
    const price = r.type === 'limit' ? r.price : undefined;
    const { takes, bookExhausted } = plan({ symbol: r.symbol, side: r.side, price, remainingQty: r.quantity, remainingQuote: r.quoteQuantity }, step, m);
    const takenQty = takes.reduce((s, t) => s + t.qty, ZERO);
    const takenQuote = takes.reduce((s, t) => s + mul(t.qty, t.price), ZERO);
    if (r.postOnly === true && takes.length > 0) return { ok: false, reason: 'POST_ONLY_WOULD_TAKE' };
    const tif: TimeInForce = r.type === 'market' ? 'IOC' : (r.timeInForce ?? 'GTC');
    const fok = tif === 'FOK' && r.quantity !== undefined && takenQty < r.quantity;

    // What the order may spend, locked up front. A limit buy locks for the worst case (all of it
    // taken at its limit price, taker fee); market orders lock what their planned fills cost.
    let lockAsset: string;
    let lock: Dec;
    if (r.side === 'sell') {
      lockAsset = m.base;
      lock = r.quantity ?? ZERO;
    } else {
      lockAsset = m.quote;
      if (r.type === 'limit' && price !== undefined && r.quantity !== undefined) {
        const notional = mul(price, r.quantity);
        lock = notional + mul(notional, m.takerFee);
      } else if (r.quoteQuantity !== undefined) {
        lock = r.quoteQuantity + mul(r.quoteQuantity, m.takerFee);
      } else {
        lock = takenQuote + mul(takenQuote, m.takerFee);
      }
    }
    const funds = wallet(accountId, lockAsset);
    if (funds.free < lock) return { ok: false, reason: 'INSUFFICIENT_FUNDS' };
    funds.free -= lock;
    funds.locked += lock;

    const order: LiveOrder = {
      id: nextOrderId,
      ref: r.ref(nextOrderId),
      clientOrderId,
      accountId,
      symbol: r.symbol,
      side: r.side,
      type: r.type,
      timeInForce: tif,
      postOnly: r.postOnly === true,
      price,
      quantity: r.quantity,
      quoteQuantity: r.quoteQuantity,
      executedQty: ZERO,
      cumQuote: ZERO,
      feeTotal: ZERO,
      status: 'open',
      createdAt: now,
      updatedAt: now,
      fills: [],
      reserved: lock,
      lockAsset,
      placedStep: step,
    };
    nextOrderId += 1;
    let list = orders.get(accountId);
    if (list === undefined) {
      list = [];
      orders.set(accountId, list);
    }
    list.push(order);

    if (!fok) {
      for (const t of takes) {
        consume(r.symbol, r.side === 'buy' ? 'ask' : 'bid', t.level, t.qty);
        settle(order, m, t.price, t.qty, false, now);
      }
    }
    // A market buy sized in quote is done when its money ran out before the book did.
    const quoteDone = r.quantity === undefined && !fok && !bookExhausted && takes.length > 0;
    if (isComplete(order) || quoteDone) close(order, 'filled', now);
    else if (r.type === 'market' || tif !== 'GTC') close(order, 'expired', now);
    else resting.push(order);
    return { ok: true, order };
  }

  function findLive(accountId: string, q: OrderQuery): LiveOrder | undefined {
    const list = orders.get(accountId) ?? [];
    return list.find((o) =>
      (q.id === undefined || o.id === q.id)
      && (q.ref === undefined || o.ref === q.ref)
      && (q.clientOrderId === undefined || o.clientOrderId === q.clientOrderId)
      && (q.id !== undefined || q.ref !== undefined || q.clientOrderId !== undefined));
  }

  return {
    openAccount(accountId, balances) {
      if (accounts.has(accountId)) return;
      const acct = new Map<string, Wallet>();
      for (const [asset, amount] of Object.entries(balances)) acct.set(asset, { free: amount, locked: ZERO });
      accounts.set(accountId, acct);
    },
    hasAccount: (accountId) => accounts.has(accountId),
    balances(accountId) {
      const acct = accounts.get(accountId);
      if (acct === undefined) return [];
      return [...acct.entries()].map(([asset, w]) => ({ asset, free: w.free, locked: w.locked }));
    },
    sync,
    placeOrder,
    cancelOrder(accountId, query) {
      sync();
      const order = findLive(accountId, query);
      if (order === undefined) return { ok: false, reason: 'NOT_FOUND' };
      if (order.status !== 'open') return { ok: false, reason: 'NOT_OPEN', order };
      close(order, 'canceled', options.now());
      return { ok: true, order };
    },
    findOrder(accountId, query) {
      sync();
      return findLive(accountId, query);
    },
    orders(accountId, filter) {
      sync();
      return (orders.get(accountId) ?? []).filter((o) =>
        (filter?.symbol === undefined || o.symbol === filter.symbol)
        && (filter?.open === undefined || (o.status === 'open') === filter.open));
    },
    debit(accountId, asset, amount) {
      sync();
      if (!accounts.has(accountId) || amount <= ZERO) return false;
      const w = wallet(accountId, asset);
      if (w.free < amount) return false;
      w.free -= amount;
      return true;
    },
    market: (symbol) => markets.get(symbol),
    trades(symbol, fromMs, toMs) {
      sync();
      return (tradeLog.get(symbol) ?? []).filter((t) => t.time >= fromMs && t.time < toMs);
    },
  };
}

/** Average fill price, or undefined before the first fill. */
export function averagePrice(order: Order): Dec | undefined {
  return order.executedQty > ZERO ? div(order.cumQuote, order.executedQty) : undefined;
}
