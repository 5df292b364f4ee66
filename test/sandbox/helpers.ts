// Helpers for the ccxt cross-checks: a listening sandbox and unmodified ccxt clients pointed at
// it. Only urls and documented options change; ccxt signs exactly as it does for the real
// exchange, so a signature the sandbox accepts is one the exchange's most common client produces.
import ccxt from 'ccxt';
import { startSandbox, type KeyMaterial, type RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

export interface OffsetClock {
  now(): number;
  /** Moves the sandbox's clock relative to the real one (ccxt always reads the real clock). */
  offsetMs: number;
}

export function offsetClock(): OffsetClock {
  return { offsetMs: 0, now() { return Date.now() + this.offsetMs; } };
}

export async function start(clock: OffsetClock = offsetClock()): Promise<{ running: RunningSandbox; clock: OffsetClock }> {
  const running = await startSandbox({ seed: 7, clock });
  return { running, clock };
}

export function binanceClient(url: string, key: Pick<KeyMaterial, 'apiKey' | 'secret'>): InstanceType<typeof ccxt.binance> {
  const base = `${url}/binance`;
  return new ccxt.binance({
    apiKey: key.apiKey,
    secret: key.secret,
    urls: { api: { public: `${base}/api/v3`, private: `${base}/api/v3`, sapi: `${base}/sapi/v1` } },
    // Spot only: the sandbox has no futures (fapi/dapi) or margin markets to list.
    options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false },
  });
}

export function krakenClient(url: string, key: Pick<KeyMaterial, 'apiKey' | 'secret'>): InstanceType<typeof ccxt.kraken> {
  const base = `${url}/kraken`;
  return new ccxt.kraken({ apiKey: key.apiKey, secret: key.secret, urls: { api: { public: base, private: base } } });
}

export function okxClient(url: string, key: Pick<KeyMaterial, 'apiKey' | 'secret' | 'passphrase'>): InstanceType<typeof ccxt.okx> {
  return new ccxt.okx({
    apiKey: key.apiKey,
    secret: key.secret,
    password: key.passphrase,
    hostname: 'unused',
    urls: { api: { rest: `${url}/okx` } },
    options: { fetchMarkets: { types: ['spot'] } },
  });
}

export function coinbaseClient(url: string, key: Pick<KeyMaterial, 'apiKey' | 'secret'>): InstanceType<typeof ccxt.coinbase> {
  return new ccxt.coinbase({ apiKey: key.apiKey, secret: key.secret, urls: { api: { rest: `${url}/coinbase` } } });
}
