// OKX v5 REST authentication, from the v5 docs ("REST Authentication"):
//   OK-ACCESS-SIGN = base64( HMAC-SHA256( secret, timestamp + METHOD + requestPath + body ) )
// requestPath includes the query string as sent (?ccy=BTC); body is the raw JSON text ('' for GET).
// OK-ACCESS-TIMESTAMP is ISO 8601 UTC with milliseconds (2020-12-08T09:08:57.715Z); a request
// more than 30 seconds from server time, either way, is refused (50102).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const OKX_WINDOW_MS = 30_000;

const ISO_MS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

/** Milliseconds since the epoch, or undefined when the header is not the documented format. */
export function parseOkxTimestamp(text: string): number | undefined {
  if (!ISO_MS.test(text)) return undefined;
  const t = Date.parse(text);
  // Date.parse rolls 2024-02-30 over to March; an exchange would call it invalid.
  return Number.isFinite(t) && new Date(t).toISOString() === text ? t : undefined;
}

export function okxSignature(secret: Buffer, timestamp: string, method: string, requestPath: string, body: string): Buffer {
  return createHmac('sha256', secret).update(timestamp + method + requestPath + body, 'utf8').digest();
}

export function isValidOkxSignature(secret: Buffer, timestamp: string, method: string, requestPath: string, body: string, sign: string): boolean {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(sign)) return false;
  return timingSafeEqual(okxSignature(secret, timestamp, method, requestPath, body), Buffer.from(sign, 'base64'));
}
