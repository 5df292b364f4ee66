// Kraken spot REST authentication, from docs.kraken.com "Spot REST Authentication":
//   API-Sign = base64( HMAC-SHA512( base64decode(secret), URIpath ‖ SHA256( nonce ‖ POSTdata ) ) )
// where URIpath is e.g. /0/private/AddOrder, POSTdata the exact body sent (form-encoded, or JSON)
// and nonce the same string as the body's nonce. The nonce is an always-increasing unsigned
// 64-bit integer per API key: a nonce not above the key's last accepted one is EAPI:Invalid nonce.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const U64_MAX = 2n ** 64n - 1n;

export function krakenSignature(secret: Buffer, uriPath: string, nonce: string, body: string): Buffer {
  const inner = createHash('sha256').update(nonce + body, 'utf8').digest();
  return createHmac('sha512', secret).update(Buffer.concat([Buffer.from(uriPath, 'utf8'), inner])).digest();
}

export function isValidKrakenSignature(secret: Buffer, uriPath: string, nonce: string, body: string, apiSign: string): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(apiSign)) return false;
  return timingSafeEqual(krakenSignature(secret, uriPath, nonce, body), Buffer.from(apiSign, 'base64'));
}

/** The nonce as a number, or undefined if it is not an unsigned 64-bit integer. */
export function parseNonce(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^\d{1,20}$/.test(text)) return undefined;
  const n = BigInt(text);
  return n <= U64_MAX ? n : undefined;
}
