// Helpers for the ccxt cross-checks: a listening sandbox and unmodified ccxt clients pointed at
// it. Only urls and documented options change (spot markets only, no client-side rate limiting);
// ccxt signs exactly as it does for the real exchange, so a request the sandbox accepts is one
// the most common client library produces, and a refusal surfaces as ccxt's usual error class.
import ccxt, { type Exchange } from 'ccxt';
import { startSandbox, type KeyMaterial, type RunningSandbox } from '../../packages/keyward/src/sandbox/index.js';

export interface OffsetClock {
  now(): number;
  /** Moves the sandbox's clock relative to the real one (ccxt always reads the real clock). */
  offsetMs: number;
}

export async function start(seed = 7): Promise<{ running: RunningSandbox; clock: OffsetClock }> {
  const clock: OffsetClock = { offsetMs: 0, now() { return Date.now() + this.offsetMs; } };
  const running = await startSandbox({ seed, clock });
  return { running, clock };
}

type Creds = Pick<KeyMaterial, 'apiKey' | 'secret'> & { passphrase?: string | undefined };

export function binanceClient(url: string, key: Creds): InstanceType<typeof ccxt.binance> {
  const base = `${url}/binance`;
  return new ccxt.binance({
    apiKey: key.apiKey,
    secret: key.secret,
    enableRateLimit: false,
    urls: { api: { public: `${base}/api/v3`, private: `${base}/api/v3`, sapi: `${base}/sapi/v1` } },
    // Spot only: the sandbox lists no futures (fapi/dapi) or margin pairs.
    options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false },
  });
}

export function krakenClient(url: string, key: Creds): InstanceType<typeof ccxt.kraken> {
  const base = `${url}/kraken`;
  return new ccxt.kraken({ apiKey: key.apiKey, secret: key.secret, enableRateLimit: false, urls: { api: { public: base, private: base } } });
}

export function okxClient(url: string, key: Creds): InstanceType<typeof ccxt.okx> {
  return new ccxt.okx({
    apiKey: key.apiKey,
    secret: key.secret,
    password: key.passphrase ?? '',
    enableRateLimit: false,
    urls: { api: { rest: `${url}/okx` } },
    options: { fetchMarkets: { types: ['spot'] } },
  });
}

export function coinbaseClient(url: string, key: Creds): InstanceType<typeof ccxt.coinbase> {
  return new ccxt.coinbase({ apiKey: key.apiKey, secret: key.secret, enableRateLimit: false, urls: { api: { rest: `${url}/coinbase` } } });
}

/** Sends ccxt's last request again, byte for byte: a replay, as an attacker on the wire would. */
export async function replayLast(exchange: Exchange, method: string): Promise<{ status: number; body: unknown }> {
  const headers = exchange.last_request_headers as Record<string, string>;
  const body = exchange.last_request_body as string | undefined;
  const res = await fetch(String(exchange.last_request_url), { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: await res.json() };
}
