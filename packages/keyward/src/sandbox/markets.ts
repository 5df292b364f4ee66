// The sandbox's market list, in unified symbols. Each dialect maps these to its own ids
// (BTCUSDT, XBTUSDT, BTC-USDT). ILLIQ/USDT is deliberately thin: three levels worth a few dollars
// each and a 4% spread, so policy tests can show a market buy walking the book far above the mid
// (the 2022 trade-only-key drain) without any real coin.
import { dec, type Dec } from './decimal.js';

export interface MarketSpec {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly initialPrice: Dec;
  readonly tickSize: Dec;
  readonly stepSize: Dec;
  readonly minQty: Dec;
  readonly maxQty: Dec;
  readonly minNotional: Dec;
  /** Per-step standard deviation of the log price. */
  readonly volatility: number;
  readonly book: {
    readonly levels: number;
    /** Distance from mid to best bid/ask. */
    readonly halfSpreadBps: number;
    /** Distance between consecutive levels. */
    readonly levelGapBps: number;
    /** Mean size of one level, in base units. */
    readonly levelSize: Dec;
  };
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  readonly liquid: boolean;
}

export interface AssetSpec {
  readonly code: string;
  readonly name: string;
  /** Decimals the wallet keeps; withdrawals finer than this are refused. */
  readonly decimals: number;
  readonly withdrawFee: Dec;
  readonly minWithdraw: Dec;
}

export const ASSETS: readonly AssetSpec[] = [
  { code: 'BTC', name: 'Bitcoin', decimals: 8, withdrawFee: dec('0.0002'), minWithdraw: dec('0.001') },
  { code: 'ETH', name: 'Ethereum', decimals: 8, withdrawFee: dec('0.002'), minWithdraw: dec('0.01') },
  { code: 'ILLIQ', name: 'Illiquid Sandbox Token', decimals: 2, withdrawFee: dec('10'), minWithdraw: dec('100') },
  { code: 'USDT', name: 'Tether USD', decimals: 6, withdrawFee: dec('1'), minWithdraw: dec('10') },
];

const FEES = { makerFee: dec('0.0008'), takerFee: dec('0.001') } as const;

export const MARKETS: readonly MarketSpec[] = [
  {
    symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', liquid: true,
    initialPrice: dec('65000'), tickSize: dec('0.01'), stepSize: dec('0.00001'),
    minQty: dec('0.00001'), maxQty: dec('9000'), minNotional: dec('5'), volatility: 0.0004,
    book: { levels: 20, halfSpreadBps: 0.5, levelGapBps: 1, levelSize: dec('0.8') },
    ...FEES,
  },
  {
    symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', liquid: true,
    initialPrice: dec('3200'), tickSize: dec('0.01'), stepSize: dec('0.0001'),
    minQty: dec('0.0001'), maxQty: dec('90000'), minNotional: dec('5'), volatility: 0.0005,
    book: { levels: 20, halfSpreadBps: 1, levelGapBps: 1.5, levelSize: dec('8') },
    ...FEES,
  },
  {
    symbol: 'ILLIQ/USDT', base: 'ILLIQ', quote: 'USDT', liquid: false,
    initialPrice: dec('0.05'), tickSize: dec('0.00001'), stepSize: dec('1'),
    minQty: dec('1'), maxQty: dec('10000000'), minNotional: dec('1'), volatility: 0.003,
    book: { levels: 3, halfSpreadBps: 200, levelGapBps: 300, levelSize: dec('150') },
    ...FEES,
  },
];

/** What a new account holds unless the key's creator says otherwise. */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = {
  BTC: '2', ETH: '20', ILLIQ: '0', USDT: '100000',
};

export function marketBySymbol(symbol: string): MarketSpec | undefined {
  return MARKETS.find((m) => m.symbol === symbol);
}

export function assetByCode(code: string): AssetSpec | undefined {
  return ASSETS.find((a) => a.code === code);
}
