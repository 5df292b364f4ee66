// Small byte helpers shared by the crypto files. Randomness comes from the platform's CSPRNG
// (WebCrypto getRandomValues: browsers and Node 20 alike).

/** Zeroes every buffer given. JS cannot promise more: see README.md "What JavaScript cannot promise". */
export function wipe(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

const RANDOM_CHUNK = 65_536; // getRandomValues refuses more per call (WebCrypto §10.1.1)

export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + RANDOM_CHUNK)));
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError('hex');
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
