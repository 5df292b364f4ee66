// SHA-256, SHA-384 and SHA-512 as streaming states that can live in secure memory.
// libsodium exports SHA-256 and SHA-512 but not SHA-384. FIPS 180-4 §5.3.4 and §6.5 define
// SHA-384 as SHA-512 with other initial hash values, truncated to 384 bits, so we start a SHA-512
// state and overwrite its eight 64-bit words. The layout of crypto_hash_sha512_state
// ({ uint64_t state[8]; uint64_t count[2]; uint8_t buf[128]; }) is part of libsodium's public
// header; the RFC 4231 SHA-384 vectors in hmac.test.ts prove the result.
import { endianness } from 'node:os';
import { sodium } from './sodium.js';

export type HashName = 'sha256' | 'sha384' | 'sha512';

export interface HashFunction {
  readonly name: HashName;
  readonly blockBytes: number;
  readonly outputBytes: number;
  readonly stateBytes: number;
  init(state: Uint8Array): void;
  update(state: Uint8Array, data: Uint8Array): void;
  /** Writes exactly outputBytes into out[0..outputBytes); `scratch` holds the full SHA-512 output for SHA-384. */
  final(state: Uint8Array, out: Uint8Array, scratch: Uint8Array): void;
}

// FIPS 180-4 §5.3.4.
const SHA384_IV = [
  0xcbbb9d5dc1059ed8n, 0x629a292a367cd507n, 0x9159015a3070dd17n, 0x152fecd8f70e5939n,
  0x67332667ffc00b31n, 0x8eb44a8768581511n, 0xdb0c2e0d64f98fa7n, 0x47b5481dbefa4fa4n,
];
const littleEndian = endianness() === 'LE';

const sha256: HashFunction = {
  name: 'sha256', blockBytes: 64, outputBytes: 32, stateBytes: sodium.crypto_hash_sha256_STATEBYTES,
  init: (s) => sodium.crypto_hash_sha256_init(s),
  update: (s, d) => sodium.crypto_hash_sha256_update(s, d),
  final: (s, out) => sodium.crypto_hash_sha256_final(s, out),
};

const sha512: HashFunction = {
  name: 'sha512', blockBytes: 128, outputBytes: 64, stateBytes: sodium.crypto_hash_sha512_STATEBYTES,
  init: (s) => sodium.crypto_hash_sha512_init(s),
  update: (s, d) => sodium.crypto_hash_sha512_update(s, d),
  final: (s, out) => sodium.crypto_hash_sha512_final(s, out),
};

const sha384: HashFunction = {
  name: 'sha384', blockBytes: 128, outputBytes: 48, stateBytes: sodium.crypto_hash_sha512_STATEBYTES,
  init(s) {
    sodium.crypto_hash_sha512_init(s);
    const view = new DataView(s.buffer, s.byteOffset, 64);
    SHA384_IV.forEach((word, i) => view.setBigUint64(i * 8, word, littleEndian));
  },
  update: (s, d) => sodium.crypto_hash_sha512_update(s, d),
  final(s, out, scratch) {
    sodium.crypto_hash_sha512_final(s, scratch);
    out.set(scratch.subarray(0, 48));
  },
};

export const HASHES: Readonly<Record<HashName, HashFunction>> = Object.freeze({ sha256, sha384, sha512 });

/** A one-shot digest of public data (a request body, a nonce): nothing secret goes in here. */
export function hash(name: HashName, ...parts: Uint8Array[]): Buffer {
  const h = HASHES[name];
  const state = Buffer.alloc(h.stateBytes);
  const scratch = Buffer.alloc(64);
  const out = Buffer.alloc(h.outputBytes);
  h.init(state);
  for (const p of parts) h.update(state, p);
  h.final(state, out, scratch);
  return out;
}
