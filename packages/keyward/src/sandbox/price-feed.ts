// A seeded, deterministic price walk per symbol, and a synthetic order book around it.
// Time is cut into steps (1 s by default); the mid at step k depends only on (seed, symbol, k),
// so the same seed and the same clock readings always give the same market, whatever order
// requests arrive in. Steps before the feed's start show the initial price.
import { createRandom, unitHash, type Random } from './random.js';
import { ceilTo, floorTo, fromFloat, max, mul, toFloat, ZERO, type Dec } from './decimal.js';
import type { MarketSpec } from './markets.js';

export interface BookLevel {
  readonly price: Dec;
  readonly size: Dec;
}

export interface Book {
  readonly symbol: string;
  readonly step: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export interface Stats24h {
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly last: Dec;
  /** Synthetic traded volume, in base units: the feed has no real trades to sum. */
  readonly volume: Dec;
}

export interface PriceFeed {
  readonly stepMs: number;
  readonly startMs: number;
  stepAt(timeMs: number): number;
  /** Mid price at a step, snapped to the tick size. */
  midAt(symbol: string, step: number): Dec;
  bookAt(symbol: string, step: number): Book;
  stats24h(symbol: string, step: number): Stats24h;
}

export interface PriceFeedOptions {
  readonly seed: string;
  readonly markets: readonly MarketSpec[];
  readonly startMs: number;
  readonly stepMs?: number | undefined;
}

// Pulls the log price gently back toward the initial price, so a sandbox left running for
// days still quotes BTC near 65,000 rather than drifting to 0 or infinity.
const MEAN_REVERSION = 0.0005;
const DAY_MS = 86_400_000;

interface Walk {
  readonly market: MarketSpec;
  readonly rng: Random;
  readonly x0: number;
  /** Log mids for steps firstStep .. firstStep + history.length - 1. */
  history: number[];
  firstStep: number;
}

export function createPriceFeed(options: PriceFeedOptions): PriceFeed {
  const stepMs = options.stepMs ?? 1000;
  if (!Number.isInteger(stepMs) || stepMs <= 0) throw new RangeError('sandbox: stepMs must be a positive integer');
  const startStep = Math.floor(options.startMs / stepMs);
  const keep = Math.ceil(DAY_MS / stepMs) + 1;
  const walks = new Map<string, Walk>();
  for (const market of options.markets) {
    const x0 = Math.log(toFloat(market.initialPrice));
    walks.set(market.symbol, {
      market, x0, rng: createRandom(`${options.seed}/walk/${market.symbol}`), history: [x0], firstStep: startStep,
    });
  }

  function walkOf(symbol: string): Walk {
    const w = walks.get(symbol);
    if (w === undefined) throw new RangeError(`sandbox: unknown symbol ${symbol}`);
    return w;
  }

  function logMid(w: Walk, step: number): number {
    if (step <= startStep) return w.x0;
    let last = w.firstStep + w.history.length - 1;
    while (last < step) {
      const x = w.history[w.history.length - 1] ?? w.x0;
      w.history.push(x + w.market.volatility * w.rng.normal() - MEAN_REVERSION * (x - w.x0));
      last += 1;
    }
    // Keep about two days, so 24 h statistics stay answerable without unbounded growth.
    if (w.history.length > 2 * keep) {
      const drop = w.history.length - keep;
      w.history = w.history.slice(drop);
      w.firstStep += drop;
    }
    const index = step - w.firstStep;
    return w.history[Math.max(0, index)] ?? w.x0;
  }

  function midAt(symbol: string, step: number): Dec {
    const w = walkOf(symbol);
    return fromFloat(Math.exp(logMid(w, step)), w.market.tickSize);
  }

  function bookAt(symbol: string, step: number): Book {
    const w = walkOf(symbol);
    const m = w.market;
    const mid = midAt(symbol, step);
    const bps = (n: number): Dec => max(m.tickSize, fromFloat(toFloat(mid) * n / 10_000, m.tickSize));
    const half = bps(m.book.halfSpreadBps);
    const gap = bps(m.book.levelGapBps);
    const bestAsk = ceilTo(mid + half, m.tickSize);
    let bestBid = floorTo(mid > half ? mid - half : m.tickSize, m.tickSize);
    if (bestBid >= bestAsk) bestBid = bestAsk - m.tickSize;
    const size = (side: string, i: number): Dec => {
      const u = unitHash(`${options.seed}/book/${symbol}/${String(step)}/${side}/${String(i)}`);
      const scaled = mul(m.book.levelSize, fromFloat(0.4 + 1.2 * u, 1_000_000n)); // 0.4x .. 1.6x
      return max(m.stepSize, floorTo(scaled, m.stepSize));
    };
    const asks: BookLevel[] = [];
    const bids: BookLevel[] = [];
    for (let i = 0; i < m.book.levels; i++) {
      asks.push({ price: bestAsk + gap * BigInt(i), size: size('ask', i) });
      const bid = bestBid - gap * BigInt(i);
      if (bid > ZERO) bids.push({ price: bid, size: size('bid', i) });
    }
    return { symbol, step, bids, asks };
  }

  function stats24h(symbol: string, step: number): Stats24h {
    const w = walkOf(symbol);
    const from = step - keep + 1;
    const open = midAt(symbol, from);
    let high = open;
    let low = open;
    for (let s = Math.max(from, w.firstStep, startStep); s <= step; s++) {
      const p = midAt(symbol, s);
      if (p > high) high = p;
      if (p < low) low = p;
    }
    const volume = mul(w.market.book.levelSize, BigInt(w.market.book.levels) * 250n * 10n ** 12n);
    return { open, high, low, last: midAt(symbol, step), volume };
  }

  return {
    stepMs,
    startMs: options.startMs,
    stepAt: (timeMs) => Math.floor(timeMs / stepMs),
    midAt,
    bookAt,
    stats24h,
  };
}
