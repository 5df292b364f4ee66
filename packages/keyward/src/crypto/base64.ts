// Base64 (RFC 4648 §4, and the URL-safe alphabet of §5) decoded straight into secure memory, for
// secrets that exchanges hand out in base64 (Kraken, Coinbase Exchange) and PEM bodies. Node's
// Buffer.from(s, 'base64') needs a string, which a secret must never become. The character
// mapping is arithmetic rather than a table lookup, so no memory access depends on a secret byte
// (after libsodium's sodium_base642bin).
import { SecureBuffer } from './secure-buffer.js';

/** The 6-bit value of a base64 character, or -1. Branch-free over the input byte. */
function sextet(c: number): number {
  const upper = ((64 - c) & (c - 91)) >> 8; // 'A'..'Z'
  const lower = ((96 - c) & (c - 123)) >> 8; // 'a'..'z'
  const digit = ((47 - c) & (c - 58)) >> 8; // '0'..'9'
  const plus = ((42 - c) & (c - 44)) >> 8; // '+'
  const slash = ((46 - c) & (c - 48)) >> 8; // '/'
  const dash = ((44 - c) & (c - 46)) >> 8; // '-' (URL-safe)
  const under = ((94 - c) & (c - 96)) >> 8; // '_' (URL-safe)
  return -1 + (upper & (c - 64)) + (lower & (c - 70)) + (digit & (c + 5)) + (plus & 63) + (slash & 64) + (dash & 63) + (under & 64);
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Decodes base64 (standard or URL-safe, padded or not, whitespace ignored) into secure memory.
 * Returns null when the input is not base64, so callers can report it without echoing it.
 */
export function decodeBase64Secure(input: Uint8Array): SecureBuffer | null {
  let chars = 0;
  let end = input.length;
  while (end > 0 && (input[end - 1] === 0x3d || isSpace(input[end - 1] ?? 0))) end--; // '=' padding
  for (let i = 0; i < end; i++) {
    const c = input[i] ?? 0;
    if (isSpace(c)) continue;
    if (sextet(c) < 0) return null;
    chars++;
  }
  if (chars % 4 === 1) return null;
  const out = SecureBuffer.alloc(Math.floor((chars * 3) / 4));
  out.reveal((o) => {
    let acc = 0;
    let bits = 0;
    let at = 0;
    for (let i = 0; i < end; i++) {
      const c = input[i] ?? 0;
      if (isSpace(c)) continue;
      acc = ((acc << 6) | sextet(c)) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        o[at++] = (acc >> bits) & 0xff;
      }
    }
    acc = 0;
  });
  return out;
}
