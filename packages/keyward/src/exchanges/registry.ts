// Every adapter, once. The gateway, the sandbox wiring and `keyward sign` look adapters up here.
import type { ExchangeAdapter } from './adapter.js';
import { binance } from './binance.js';

export const ADAPTERS: readonly ExchangeAdapter[] = [binance];

export function adapterFor(id: string): ExchangeAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
