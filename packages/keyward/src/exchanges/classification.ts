// What a request does, as far as policy is concerned. Anything an adapter's endpoint table does
// not name is `unknown`, and the gateway refuses unknown requests (fail closed).

export type Action = 'read' | 'trade' | 'cancel' | 'withdraw' | 'transfer' | 'unknown';

export interface OrderDetails {
  /** The exchange's own symbol, e.g. BTCUSDT, XBTUSD, BTC-USDT. */
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** limit, market, or the exchange's other types in lower case. */
  readonly type: string;
  /** Base quantity as sent, or null when the order is sized in quote (a market buy for 100 USDT). */
  readonly quantity: string | null;
  /** Limit price as sent, or null for a market order. */
  readonly price: string | null;
  /** Quote quantity as sent, when the order is sized in quote. */
  readonly quoteQuantity: string | null;
  /** price × quantity, or the quote quantity; null when it cannot be known from the request (market by base). */
  readonly notional: number | null;
}

export interface Classification {
  readonly action: Action;
  /** The table entry that matched, e.g. `POST /api/v3/order`; for unknown, the request's own method and path. */
  readonly endpoint: string;
  /** True for endpoints that need no signature (market data). */
  readonly isPublic: boolean;
  readonly order: OrderDetails | null;
  /** The symbol a read or cancel is about, when the request names one. */
  readonly symbol: string | null;
  /** Why a request could not be classified (for the audit log and the refusal message). */
  readonly reason: string | null;
}

export function unknownRequest(method: string, path: string, reason: string): Classification {
  return { action: 'unknown', endpoint: `${method} ${path}`, isPublic: false, order: null, symbol: null, reason };
}

export function notionalOf(quantity: string | null, price: string | null, quoteQuantity: string | null): number | null {
  if (quoteQuantity !== null) {
    const q = Number(quoteQuantity);
    return Number.isFinite(q) ? q : null;
  }
  if (quantity === null || price === null) return null;
  const n = Number(quantity) * Number(price);
  return Number.isFinite(n) ? n : null;
}

export function sideOf(raw: string | undefined): 'buy' | 'sell' | null {
  const s = (raw ?? '').toLowerCase();
  return s === 'buy' || s === 'sell' ? s : null;
}
