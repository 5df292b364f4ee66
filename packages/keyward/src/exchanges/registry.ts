// Every adapter, once. The gateway, the agent and `keyward sign` look adapters up here.
import type { ExchangeAdapter } from './adapter.js';
import { binance } from './binance.js';
import { bybit } from './bybit.js';
import { coinbase } from './coinbase.js';

export const ADAPTERS: readonly ExchangeAdapter[] = [binance, coinbase, bybit];

export function adapterFor(id: string): ExchangeAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
