// What an order would cost before it is sent: the client's estimate, shown beside the confirm
// button. The server has no preview route, so the policy's answer comes on submit; this estimate
// only uses the order book and each exchange's published standard fee (a user's own tier can be
// lower). Numbers here are for display; the order itself travels as the decimal strings typed.
import type { Level, OrderType, Side } from '../../api/trading.js';

/** Standard spot fees (maker, taker) as fractions, from each exchange's public fee page. */
export const STANDARD_FEES: Readonly<Record<string, { readonly maker: number; readonly taker: number }>> = {
  binance: { maker: 0.001, taker: 0.001 },
  okx: { maker: 0.0008, taker: 0.001 },
  kraken: { maker: 0.0025, taker: 0.004 },
  coinbase: { maker: 0.006, taker: 0.012 },
};
const FALLBACK_FEE = { maker: 0.002, taker: 0.002 };

/** The server's PLAIN_DECIMAL (packages/keyward/src/trading/decimal.ts): no sign, no exponent. */
export const PLAIN_DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

export const isPositiveDecimal = (s: string): boolean => PLAIN_DECIMAL.test(s) && /[1-9]/.test(s);

export interface PreviewInput {
  readonly exchange: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: string;
  /** Required for a limit order. */
  readonly price?: string;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export interface Preview {
  /** Average price the order is expected to fill at (the limit price for a resting limit order). */
  readonly price: number;
  /** quantity × price, in the quote currency. */
  readonly notional: number;
  readonly fee: number;
  readonly feeRate: number;
  /** What a buy spends or a sell receives, fees included. */
  readonly total: number;
  /** A limit order priced through the book fills at once (taker); else it rests (maker). */
  readonly fillsNow: boolean;
  /** Part of a market order the visible book cannot fill. */
  readonly unfilled: number;
  readonly warnings: readonly string[];
}

export interface WalkResult {
  readonly filled: number;
  readonly cost: number;
}

/** Takes `quantity` from the levels in order; the levels are the side an order of this kind hits. */
export function walkBook(levels: readonly Level[], quantity: number): WalkResult {
  let left = quantity;
  let cost = 0;
  for (const [p, q] of levels) {
    if (left <= 0) break;
    const take = Math.min(left, Number(q));
    cost += take * Number(p);
    left -= take;
  }
  return { filled: quantity - Math.max(left, 0), cost };
}

/** null when the input is not yet a complete order (the form shows why separately). */
export function previewOrder(input: PreviewInput): Preview | null {
  if (!isPositiveDecimal(input.quantity)) return null;
  const quantity = Number(input.quantity);
  const fees = STANDARD_FEES[input.exchange] ?? FALLBACK_FEE;
  const opposite = input.side === 'buy' ? input.asks : input.bids;
  const best = opposite[0] === undefined ? null : Number(opposite[0][0]);
  const warnings: string[] = [];
  let price: number;
  let fillsNow: boolean;
  let unfilled = 0;
  if (input.type === 'limit') {
    if (input.price === undefined || !isPositiveDecimal(input.price)) return null;
    price = Number(input.price);
    fillsNow = best !== null && (input.side === 'buy' ? price >= best : price <= best);
    if (best !== null) {
      const away = Math.abs(price - best) / best;
      if (fillsNow && away > 0.02) warnings.push(`This price is ${(away * 100).toFixed(1)}% through the best ${input.side === 'buy' ? 'ask' : 'bid'}: the order fills at once, at up to this price.`);
      if (!fillsNow && away > 0.2) warnings.push(`This price is ${(away * 100).toFixed(0)}% from the market: the order may wait a long time.`);
    }
  } else {
    if (best === null) return null;
    const walk = walkBook(opposite, quantity);
    fillsNow = true;
    unfilled = quantity - walk.filled;
    price = walk.filled > 0 ? walk.cost / walk.filled : best;
    if (unfilled > 0) warnings.push('The visible order book is thinner than this order: the rest fills at prices further away, or not at all.');
    const slip = Math.abs(price - best) / best;
    if (slip > 0.005) warnings.push(`Expected slippage: ${(slip * 100).toFixed(2)}% from the best price.`);
  }
  const feeRate = fillsNow ? fees.taker : fees.maker;
  const notional = quantity * price;
  const fee = notional * feeRate;
  const total = input.side === 'buy' ? notional + fee : notional - fee;
  return { price, notional, fee, feeRate, total, fillsNow, unfilled, warnings };
}
