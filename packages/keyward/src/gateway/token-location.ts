// Where each exchange's clients put their API key: there the bot puts its Keyward token instead,
// so an unmodified client (ccxt, an official SDK, a script) works by changing its base URL and
// its key. Coinbase CDP clients send a JWT they signed themselves; its `sub` (and `kid`) carry the
// key name, so the token travels there, and the client's JWT is discarded, never trusted.
import type { ExchangeRequest } from '../exchanges/index.js';

type Extractor = (req: ExchangeRequest) => string | undefined;

const header = (name: string): Extractor => (req) => req.headers[name];

function bearerJwtSubject(req: ExchangeRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined || !auth.startsWith('Bearer ')) return undefined;
  const value = auth.slice('Bearer '.length).trim();
  if (value.startsWith('kw_')) return value;
  const payload = value.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; kid?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

const bitstamp: Extractor = (req) => {
  const v = req.headers['x-auth'];
  return v?.startsWith('BITSTAMP ') === true ? v.slice('BITSTAMP '.length) : undefined;
};

const LOCATIONS: Readonly<Record<string, Extractor>> = {
  binance: header('x-mbx-apikey'),
  kraken: header('api-key'),
  okx: header('ok-access-key'),
  coinbase: bearerJwtSubject,
  'coinbase-exchange': header('cb-access-key'),
  bitfinex: header('bfx-apikey'),
  poloniex: header('key'),
  bybit: header('x-bapi-api-key'),
  kucoin: header('kc-api-key'),
  gemini: header('x-gemini-apikey'),
  bitstamp,
  gate: header('key'),
};

/** The presented token, or undefined when the request carries none where the exchange reads its key. */
export function presentedToken(exchange: string, req: ExchangeRequest): string | undefined {
  return LOCATIONS[exchange]?.(req);
}

export function hasTokenLocation(exchange: string): boolean {
  return Object.hasOwn(LOCATIONS, exchange);
}

const TOKEN_HEADERS: Readonly<Record<string, string>> = {
  binance: 'x-mbx-apikey', kraken: 'api-key', okx: 'ok-access-key', coinbase: 'authorization', 'coinbase-exchange': 'cb-access-key',
  bitfinex: 'bfx-apikey', poloniex: 'key', bybit: 'x-bapi-api-key', kucoin: 'kc-api-key', gemini: 'x-gemini-apikey', bitstamp: 'x-auth', gate: 'key',
};

/** The request without the header that carried the token, for public requests forwarded unsigned. */
export function withoutToken(exchange: string, req: ExchangeRequest): ExchangeRequest {
  const h = TOKEN_HEADERS[exchange];
  if (h === undefined) return req;
  return { ...req, headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== h)) };
}
