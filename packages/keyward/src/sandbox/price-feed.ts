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

/**
 * The walk folded into a time bucket: OHLC of the step mids whose time falls in it, and a
 * synthetic volume (the feed has no traders; see `syntheticVolume`).
 */
export interface Ohlc {
  readonly openMs: number;
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly close: Dec;
}

export interface Bar extends Ohlc {
  /** Synthetic, in base units: the sum of `syntheticVolume` over the bucket's steps. */
  readonly volume: Dec;
  /** Steps folded in; one synthetic print each. */
  readonly steps: number;
}

/** Buckets the feed keeps, finest first: minutes for 16 days, hours for about three years. */
export const BAR_UNITS = [
  { unitMs: 60_000, keep: 16 * 1440 },
  { unitMs: 3_600_000, keep: 1100 * 24 },
] as const;

export interface PriceFeed {
  readonly stepMs: number;
  readonly startMs: number;
  stepAt(timeMs: number): number;
  /** Mid price at a step, snapped to the tick size. */
  midAt(symbol: string, step: number): Dec;
  bookAt(symbol: string, step: number): Book;
  stats24h(symbol: string, step: number): Stats24h;
  /**
   * The path in `unitMs` buckets (one of BAR_UNITS) whose open time is in [fromMs, toMs), oldest
   * first, walked up to `nowMs` first. Every step since the feed's start is folded in as the walk
   * passes it, so past buckets stay answerable after the step history is trimmed.
   */
  bars(symbol: string, unitMs: number, fromMs: number, toMs: number, nowMs: number): readonly Bar[];
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
  /** One map per BAR_UNITS entry: bucket index → bar, in ascending insertion order. */
  readonly buckets: Map<number, MutableBar>[];
}

type MutableBar = { -readonly [K in keyof Bar]: Bar[K] };

/**
 * Synthetic traded volume of one step, in base units: about the day's figure that stats24h shows
 * (levelSize × levels × 250), spread over the day's steps, times a factor in [0.5, 1.5) drawn from
 * (seed, symbol, step). Deterministic; no real trade stands behind it.
 */
function syntheticVolume(seed: string, market: MarketSpec, step: number, stepMs: number): Dec {
  const perDay = toFloat(market.book.levelSize) * market.book.levels * 250;
  const u = unitHash(`${seed}/volume/${market.symbol}/${String(step)}`);
  return fromFloat(perDay * stepMs / DAY_MS * (0.5 + u), market.stepSize);
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
      buckets: BAR_UNITS.map(() => new Map<number, MutableBar>()),
    });
  }
  for (const w of walks.values()) fold(w, startStep, w.x0);

  /** Adds one step's mid to every bucket series; drops the oldest buckets past their keep. */
  function fold(w: Walk, step: number, x: number): void {
    const price = fromFloat(Math.exp(x), w.market.tickSize);
    const volume = syntheticVolume(options.seed, w.market, step, stepMs);
    const timeMs = step * stepMs;
    BAR_UNITS.forEach((u, i) => {
      const series = w.buckets[i];
      if (series === undefined) return;
      const index = Math.floor(timeMs / u.unitMs);
      const bar = series.get(index);
      if (bar === undefined) {
        series.set(index, { openMs: index * u.unitMs, open: price, high: price, low: price, close: price, volume, steps: 1 });
        if (series.size > u.keep) {
          const oldest = series.keys().next();
          if (oldest.done !== true) series.delete(oldest.value);
        }
        return;
      }
      if (price > bar.high) bar.high = price;
      if (price < bar.low) bar.low = price;
      bar.close = price;
      bar.volume += volume;
      bar.steps += 1;
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
      const next = x + w.market.volatility * w.rng.normal() - MEAN_REVERSION * (x - w.x0);
      w.history.push(next);
      last += 1;
      fold(w, last, next);
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

  function bars(symbol: string, unitMs: number, fromMs: number, toMs: number, nowMs: number): readonly Bar[] {
    const w = walkOf(symbol);
    const i = BAR_UNITS.findIndex((u) => u.unitMs === unitMs);
    const series = w.buckets[i];
    if (series === undefined) throw new RangeError(`sandbox: no ${String(unitMs)} ms bars`);
    logMid(w, Math.floor(nowMs / stepMs));
    const out: Bar[] = [];
    // Nothing exists before the feed's start or after now: clamp, so a range from 0 costs nothing.
    const first = Math.max(Math.floor(fromMs / unitMs), Math.floor((startStep * stepMs) / unitMs));
    const end = Math.min(Math.ceil(toMs / unitMs), Math.floor(nowMs / unitMs) + 1);
    for (let index = first; index < end; index++) {
      const bar = series.get(index);
      if (bar !== undefined && bar.openMs >= fromMs) out.push({ ...bar });
    }
    return out;
  }

  return {
    stepMs,
    startMs: options.startMs,
    stepAt: (timeMs) => Math.floor(timeMs / stepMs),
    midAt,
    bookAt,
    stats24h,
    bars,
  };
}
