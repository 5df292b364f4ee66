// ccxt as an independent oracle for signatures (a development dependency; runtime code never
// imports it). ccxt signs a request with a frozen clock; the adapter is handed ccxt's output, strips
// ccxt's signature, signs again with the same clock, and must produce the same bytes.
import ccxt from 'ccxt';
import type { ExchangeRequest } from '../exchanges/index.js';
import { requestFromUrl } from '../exchanges/index.js';

export interface CcxtCall {
  readonly path: string;
  readonly api: string | readonly string[];
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface CcxtSigned {
  readonly request: ExchangeRequest;
  /** ccxt's headers with lower-case names. */
  readonly headers: Record<string, string>;
}

type Exchange = InstanceType<typeof ccxt.Exchange> & {
  sign(path: string, api: unknown, method: string, params: Record<string, unknown>): { url: string; method: string; body?: string; headers?: Record<string, string> };
};

export function ccxtExchange(id: string, config: Record<string, unknown>, frozenMs: number): Exchange {
  const Ctor = (ccxt as unknown as Record<string, new (c: Record<string, unknown>) => Exchange>)[id];
  if (Ctor === undefined) throw new Error(`ccxt has no exchange ${id}`);
  const ex = new Ctor(config);
  ex.milliseconds = () => frozenMs;
  ex.seconds = () => Math.floor(frozenMs / 1000);
  ex.microseconds = () => frozenMs * 1000;
  return ex;
}

export function ccxtSign(ex: Exchange, call: CcxtCall): CcxtSigned {
  const out = ex.sign(call.path, call.api, call.method, call.params);
  const headers = Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return {
    request: requestFromUrl(out.method, out.url, Buffer.from(out.body ?? '', 'utf8'), headers),
    headers,
  };
}

/** The ccxt error class a client raises for a refusal the adapter rendered (null: none raised). */
export function ccxtErrorFor(id: string, rendered: { status: number; headers: Readonly<Record<string, string>>; body: string }, url: string, method: string): string | null {
  const ex = ccxtExchange(id, {}, 0) as unknown as {
    handleErrors(code: number, reason: string, url: string, method: string, headers: Record<string, string>, body: string, response: unknown, reqHeaders: unknown, reqBody: unknown): unknown;
    handleHttpStatusCode(code: number, reason: string, url: string, method: string, body: string): unknown;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rendered.body);
  } catch {
    parsed = undefined;
  }
  try {
    // What ccxt's fetch does with a response: the exchange's own handler, then the HTTP status.
    ex.handleErrors(rendered.status, '', url, method, { ...rendered.headers }, rendered.body, parsed, {}, '');
    ex.handleHttpStatusCode(rendered.status, '', url, method, rendered.body);
    return null;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}
