// Candles for every dialect, cut from the feed's own path: OHLC are the step mids whose time falls
// in the bucket (the price feed folds each step into minute and hour bars as the walk passes it),
// so the same seed and clock readings give the same candles, whenever they are asked for. Volume is
// the feed's synthetic per-step volume (there are no other traders) plus every paper fill recorded
// on the symbol in the bucket. Candles begin at the feed's start, the market's listing time.
import { mul, ZERO, type Dec } from './decimal.js';
import type { MatchingEngine } from './matching-engine.js';
import type { Bar, Ohlc, PriceFeed } from './price-feed.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface SandboxCandle extends Ohlc {
  /** Base units: synthetic volume plus recorded fills. */
  readonly volume: Dec;
  /** Quote units: fills at their prices; synthetic volume at the bucket's typical price (h+l+c)/3. */
  readonly quoteVolume: Dec;
  /** One synthetic print per price step, plus one per recorded fill. */
  readonly trades: number;
  /** False for the bucket that holds the present. */
  readonly closed: boolean;
}

export interface CandleQuery {
  /** A whole number of minutes; a whole number of hours when over an hour. */
  readonly intervalMs: number;
  /** Buckets are aligned to epoch + offsetMs (OKX's Hong Kong days: -8 h). Default 0. */
  readonly offsetMs?: number | undefined;
  /** Earliest bucket open time wanted (inclusive). */
  readonly fromMs?: number | undefined;
  /** Latest bucket open time wanted (inclusive). */
  readonly toMs?: number | undefined;
  readonly limit: number;
  /** 'start': the first `limit` buckets from fromMs (Binance); 'end': the last `limit` up to toMs. */
  readonly anchor: 'start' | 'end';
  readonly nowMs: number;
}

/** Whether the sandbox can cut candles of this length (minute multiples; hour multiples above an hour). */
export function isCandleInterval(intervalMs: number): boolean {
  if (!Number.isSafeInteger(intervalMs) || intervalMs < MINUTE_MS || intervalMs % MINUTE_MS !== 0) return false;
  return intervalMs <= HOUR_MS || intervalMs % HOUR_MS === 0;
}

/** Candles oldest first; empty when the range holds none. */
export function buildCandles(feed: PriceFeed, engine: Pick<MatchingEngine, 'trades'>, symbol: string, q: CandleQuery): SandboxCandle[] {
  const I = q.intervalMs;
  if (!isCandleInterval(I)) throw new RangeError(`sandbox: no ${String(I)} ms candles`);
  const offset = q.offsetMs ?? 0;
  const bucketOf = (t: number): number => Math.floor((t - offset) / I) * I + offset;
  const listed = bucketOf(feed.stepAt(feed.startMs) * feed.stepMs);
  let last = bucketOf(q.nowMs);
  if (q.toMs !== undefined) last = Math.min(last, bucketOf(q.toMs));
  let first = listed;
  if (q.fromMs !== undefined) {
    const from = bucketOf(q.fromMs);
    first = Math.max(first, from < q.fromMs ? from + I : from);
  }
  if (q.anchor === 'start') last = Math.min(last, first + (q.limit - 1) * I);
  else first = Math.max(first, last - (q.limit - 1) * I);
  if (first > last || q.limit < 1) return [];

  const unit = I >= HOUR_MS ? HOUR_MS : MINUTE_MS;
  const grouped = new Map<number, Bar[]>();
  for (const bar of feed.bars(symbol, unit, first, last + I, q.nowMs)) {
    const b = bucketOf(bar.openMs);
    let list = grouped.get(b);
    if (list === undefined) grouped.set(b, (list = []));
    list.push(bar);
  }
  const fills = new Map<number, { qty: Dec; quote: Dec; count: number }>();
  for (const t of engine.trades(symbol, first, last + I)) {
    const b = bucketOf(t.time);
    const f = fills.get(b) ?? { qty: ZERO, quote: ZERO, count: 0 };
    fills.set(b, { qty: f.qty + t.qty, quote: f.quote + mul(t.price, t.qty), count: f.count + 1 });
  }

  const out: SandboxCandle[] = [];
  for (let b = first; b <= last; b += I) {
    const bars = grouped.get(b);
    const head = bars?.[0];
    const tail = bars?.[bars.length - 1];
    // A bucket older than the finer bars the feed keeps has none: left out, never invented.
    if (bars === undefined || head === undefined || tail === undefined) continue;
    let high = head.high;
    let low = head.low;
    let volume = ZERO;
    let steps = 0;
    for (const bar of bars) {
      if (bar.high > high) high = bar.high;
      if (bar.low < low) low = bar.low;
      volume += bar.volume;
      steps += bar.steps;
    }
    const typical = (high + low + tail.close) / 3n;
    const f = fills.get(b);
    out.push({
      openMs: b, open: head.open, high, low, close: tail.close,
      volume: volume + (f?.qty ?? ZERO), quoteVolume: mul(volume, typical) + (f?.quote ?? ZERO),
      trades: steps + (f?.count ?? 0), closed: b + I <= q.nowMs,
    });
  }
  return out;
}
