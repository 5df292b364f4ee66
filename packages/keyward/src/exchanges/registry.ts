// Every adapter, once. The gateway, the agent and `keyward sign` look adapters up here.
import type { ExchangeAdapter } from './adapter.js';
import { binance } from './binance.js';
import { bitfinex } from './bitfinex.js';
import { bitstamp } from './bitstamp.js';
import { bybit } from './bybit.js';
import { coinbase } from './coinbase.js';
import { coinbaseExchange } from './coinbase-exchange.js';
import { gate } from './gate.js';
import { gemini } from './gemini.js';
import { kraken } from './kraken.js';
import { kucoin } from './kucoin.js';
import { okx } from './okx.js';
import { poloniex } from './poloniex.js';

export const ADAPTERS: readonly ExchangeAdapter[] = [
  binance, coinbase, coinbaseExchange, kraken, bitfinex, poloniex, okx, bybit, kucoin, gemini, bitstamp, gate,
];

export function adapterFor(id: string): ExchangeAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
