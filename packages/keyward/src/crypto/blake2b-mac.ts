// Keyed BLAKE2b (RFC 7693: the key is hashed in as the first block, which makes BLAKE2b a MAC
// with no HMAC construction around it) over a key in secure memory, via libsodium's
// crypto_generichash. One libsodium call per message, where HMAC-SHA256 (hmac.ts) takes five and
// two state copies: the audit chain links every record with it (audit/chain.ts), on the gateway's
// request path.
import type { SecureBuffer } from './secure-buffer.js';
import { sodium } from './sodium.js';

export interface MacKey {
  readonly outputBytes: number;
  digest(message: Uint8Array): Buffer;
  /** Wipes the key; later use throws. */
  release(): void;
}

/** `key` is copied (the caller may release its own); 16 to 64 bytes, the range BLAKE2b takes. */
export function createBlake2bMac(key: SecureBuffer, outputBytes = 32): MacKey {
  if (key.length < sodium.crypto_generichash_KEYBYTES_MIN || key.length > sodium.crypto_generichash_KEYBYTES_MAX) {
    throw new RangeError(`a BLAKE2b key is ${String(sodium.crypto_generichash_KEYBYTES_MIN)} to ${String(sodium.crypto_generichash_KEYBYTES_MAX)} bytes`);
  }
  if (outputBytes < sodium.crypto_generichash_BYTES_MIN || outputBytes > sodium.crypto_generichash_BYTES_MAX) {
    throw new RangeError('BLAKE2b output length');
  }
  const held = key.clone();
  return {
    outputBytes,
    digest(message) {
      // Off V8's heap (see hmac.ts); every byte is written.
      const out = Buffer.allocUnsafe(outputBytes);
      held.reveal((k) => { sodium.crypto_generichash(out, message, k); });
      return out;
    },
    release() {
      held.release();
    },
  };
}
