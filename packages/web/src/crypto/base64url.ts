// Base64url without padding (RFC 4648 §5), the encoding of every binary field in the app API.
// `encodeBase64urlBytes` writes the encoding as bytes, so a secret can go into a request body
// without ever becoming a JavaScript string (secret-json.ts); the string forms are for values that
// are not secret (salts, ciphertexts, wrapped keys).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function base64urlLength(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}

/** Writes the ASCII encoding of `bytes` into `out` (exactly base64urlLength(bytes.length) long). */
export function encodeBase64urlBytes(bytes: Uint8Array, out: Uint8Array): void {
  if (out.length !== base64urlLength(bytes.length)) throw new RangeError('base64url output length');
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const left = bytes.length - i;
    out[o++] = CODES[(n >>> 18) & 63] ?? 0;
    out[o++] = CODES[(n >>> 12) & 63] ?? 0;
    if (left > 1) out[o++] = CODES[(n >>> 6) & 63] ?? 0;
    if (left > 2) out[o++] = CODES[n & 63] ?? 0;
  }
}

export function toBase64url(bytes: Uint8Array): string {
  const out = new Uint8Array(base64urlLength(bytes.length));
  encodeBase64urlBytes(bytes, out);
  return new TextDecoder().decode(out); // ASCII only, and no argument-count limit
}

/** Strict decoding: only the URL-safe alphabet, no padding, no stray bits. */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new RangeError('base64url length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (VALUES[code] ?? -1) : -1;
    if (v < 0) throw new RangeError('base64url character');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new RangeError('base64url trailing bits');
  return out;
}
