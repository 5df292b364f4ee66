// Fee ESTIMATES for the order preview: each exchange's published spot rates for its entry tier
// (no volume discount, no token discount, no promotion), as fractions of the notional. What an
// account really pays depends on its tier and the exchange's current schedule; the preview says
// "estimate" wherever it shows one. The sandbox charges its own flat 0.08% maker / 0.10% taker on
// every exchange, so against it these estimates run high for Kraken and Coinbase.
//   binance:  0.10% / 0.10%  (Regular user, spot; https://www.binance.com/en/fee/schedule)
//   okx:      0.08% / 0.10%  (Regular Lv1, spot; https://www.okx.com/fees)
//   kraken:   0.25% / 0.40%  (Kraken Pro, $0+ 30-day volume; https://www.kraken.com/features/fee-schedule)
//   coinbase: 0.60% / 1.20%  (Advanced Trade, lowest tier; https://help.coinbase.com/en/coinbase/trading-and-funding/advanced-trade/advanced-trade-fees)
export interface FeeRates {
  /** Paid by an order that rests on the book and is filled later. */
  readonly maker: string;
  /** Paid by an order that takes liquidity when it arrives (every market order). */
  readonly taker: string;
}

export const FEE_ESTIMATES: Readonly<Record<string, FeeRates>> = {
  binance: { maker: '0.001', taker: '0.001' },
  okx: { maker: '0.0008', taker: '0.001' },
  kraken: { maker: '0.0025', taker: '0.004' },
  coinbase: { maker: '0.006', taker: '0.012' },
};

/** For an exchange without an entry: the highest rates in the table, so a shortfall is not hidden. */
export const FALLBACK_FEE_ESTIMATE: FeeRates = { maker: '0.006', taker: '0.012' };
