// What "Review order" shows: the server's preview (POST /api/v1/orders/preview: the gateway's
// policy decision for the exact request, the balance, an estimated fee), or, from a server without
// that route (KW_NOT_FOUND), this browser's estimate from the order book (preview.ts), which knows
// nothing of the policy or the balance. Both become one shape for the ticket.
import { ApiError } from '../../api/http.js';
import { previewOrderOnServer, type NewOrder, type ServerPreview } from '../../api/trading.js';
import type { Preview } from './preview.js';

export interface Review {
  readonly source: 'server' | 'browser';
  /** Average or limit price; null when nothing could price it. */
  readonly price: number | null;
  readonly notional: number | null;
  readonly fee: number | null;
  readonly feeRate: number | null;
  readonly liquidity: 'maker' | 'taker';
  readonly total: number | null;
  /** The server's verdict; null when only the browser estimated (the policy answers on submit). */
  readonly allowed: boolean | null;
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
}

const num = (s: string | null | undefined): number | null => (s === null || s === undefined ? null : Number(s));

export function fromServer(p: ServerPreview, fallback: Preview | null): Review {
  const notional = num(p.notional);
  const quantityPrice = p.price === undefined ? fallback?.price ?? null : num(p.price);
  return {
    source: 'server',
    price: quantityPrice,
    notional,
    fee: num(p.feeEstimate),
    feeRate: p.feeRate === undefined ? fallback?.feeRate ?? null : Number(p.feeRate),
    liquidity: p.liquidity ?? (fallback?.fillsNow === false ? 'maker' : 'taker'),
    total: num(p.total),
    allowed: p.allowed,
    reasons: p.reasons,
    notes: p.notes ?? [],
  };
}

export function fromBrowser(p: Preview): Review {
  return {
    source: 'browser', price: p.price, notional: p.notional, fee: p.fee, feeRate: p.feeRate, liquidity: p.fillsNow ? 'taker' : 'maker',
    total: p.total, allowed: null, reasons: [], notes: p.warnings,
  };
}

/**
 * The server's preview; the browser's estimate only when the server has no preview route. Any
 * other failure (a bad amount, a locked session) is the caller's to show. null: nothing to review.
 */
export async function reviewOrder(order: NewOrder, local: () => Preview | null, ask: (o: NewOrder) => Promise<ServerPreview> = previewOrderOnServer): Promise<Review | null> {
  try {
    return fromServer(await ask(order), local());
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'KW_NOT_FOUND')) throw e;
    const p = local();
    return p === null ? null : fromBrowser(p);
  }
}
