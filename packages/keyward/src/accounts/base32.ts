// Base32 (RFC 4648 §6) without padding, as the otpauth:// URI's `secret` parameter expects
// (Google Authenticator's Key Uri Format drops the '=' padding).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 0x1f] ?? '';
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 0x1f] ?? '';
  acc = 0;
  return out;
}
