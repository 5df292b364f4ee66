// Binance SIGNED endpoint checks, written from the spot API docs (rest-api.md, "SIGNED (TRADE
// and USER_DATA) Endpoint security"), independently of Keyward's own signer:
// - totalParams = query string concatenated with the request body, with no '&' between them;
//   the signature parameter itself is not part of it;
// - HMAC keys: hex HMAC-SHA256 of totalParams, case-insensitive;
//   Ed25519 keys: base64 Ed25519 signature of totalParams, percent-encoded in the request;
// - timing: accept if timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow;
//   recvWindow defaults to 5000 and may not exceed 60000 (it may carry up to 3 decimals, and
//   timestamp may be in microseconds).
import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export interface SignedPayload {
  /** The bytes the client must have signed. */
  readonly payload: string;
  /** Raw (still percent-encoded) value of the signature parameter, if exactly one was sent. */
  readonly signature: string | undefined;
  readonly signatureCount: number;
}

function strip(raw: string): { rest: string; found: string[] } {
  if (raw === '') return { rest: '', found: [] };
  const kept: string[] = [];
  const found: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) found.push(part.slice('signature='.length));
    else kept.push(part);
  }
  return { rest: kept.join('&'), found };
}

export function signedPayload(query: string, body: string): SignedPayload {
  const q = strip(query);
  const b = strip(body);
  const found = [...q.found, ...b.found];
  return { payload: q.rest + b.rest, signature: found.length === 1 ? found[0] : undefined, signatureCount: found.length };
}

export function isValidHmacSignature(secret: Buffer, payload: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(payload, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

export function isValidEd25519Signature(publicKey: KeyObject, payload: string, encodedSignature: string): boolean {
  let b64: string;
  try {
    b64 = decodeURIComponent(encodedSignature);
  } catch {
    return false;
  }
  if (!/^[A-Za-z0-9+/]{86}==$/.test(b64)) return false;
  return verify(null, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(b64, 'base64'));
}

export type TimingVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: number; readonly msg: string };

const MAX_RECV_WINDOW_US = 60_000_000n;

/** Milliseconds with up to three decimals, as microseconds. */
function recvWindowMicros(text: string): bigint | undefined {
  const m = /^(\d{1,9})(?:\.(\d{1,3}))?$/.exec(text);
  if (m === null) return undefined;
  return BigInt(m[1] ?? '0') * 1000n + BigInt((m[2] ?? '').padEnd(3, '0'));
}

/** Timestamps of 16 digits are microseconds; 13-digit ones milliseconds. */
function timestampMicros(text: string): bigint | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const v = BigInt(text);
  return text.length >= 16 ? v : v * 1000n;
}

export function checkTiming(timestamp: string | undefined, recvWindow: string | undefined, nowMs: number): TimingVerdict {
  if (timestamp === undefined || timestamp === '') {
    return { ok: false, code: -1102, msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed." };
  }
  const ts = timestampMicros(timestamp);
  if (ts === undefined) return { ok: false, code: -1102, msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed." };
  let window = 5_000_000n;
  if (recvWindow !== undefined) {
    const w = recvWindowMicros(recvWindow);
    if (w === undefined) return { ok: false, code: -1102, msg: "Mandatory parameter 'recvWindow' was not sent, was empty/null, or malformed." };
    if (w > MAX_RECV_WINDOW_US) return { ok: false, code: -1131, msg: 'recvWindow must be less than 60000' };
    window = w;
  }
  const server = BigInt(nowMs) * 1000n;
  if (ts >= server + 1_000_000n) return { ok: false, code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." };
  if (server - ts > window) return { ok: false, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' };
  return { ok: true };
}
