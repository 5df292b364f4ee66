// The one import of sodium-native, typed for the calls this module makes. sodium-native ships no
// type declarations; keeping them here means nothing outside crypto/ can reach libsodium directly.
import { createRequire } from 'node:module';

export interface Sodium {
  sodium_malloc(size: number): Buffer & { secure?: boolean };
  sodium_free(buf: Buffer): void;
  sodium_memzero(buf: Uint8Array): void;
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  sodium_mprotect_noaccess(buf: Buffer): void;
  sodium_mprotect_readonly(buf: Buffer): void;
  sodium_mprotect_readwrite(buf: Buffer): void;
  randombytes_buf(buf: Uint8Array): void;
  crypto_hash_sha256_init(state: Uint8Array): void;
  crypto_hash_sha256_update(state: Uint8Array, data: Uint8Array): void;
  crypto_hash_sha256_final(state: Uint8Array, out: Uint8Array): void;
  /** BLAKE2b; with a key, a MAC (blake2b-mac.ts). */
  crypto_generichash(out: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_hash_sha512_init(state: Uint8Array): void;
  crypto_hash_sha512_update(state: Uint8Array, data: Uint8Array): void;
  crypto_hash_sha512_final(state: Uint8Array, out: Uint8Array): void;
  crypto_pwhash(out: Uint8Array, password: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number, alg: number): void;
  crypto_pwhash_async(out: Uint8Array, password: Uint8Array, salt: Uint8Array, opslimit: number, memlimit: number, alg: number, cb: (err: Error | null) => void): void;
  crypto_pwhash_str_async(out: Uint8Array, password: Uint8Array, opslimit: number, memlimit: number, cb: (err: Error | null) => void): void;
  crypto_pwhash_str_verify_async(str: Uint8Array, password: Uint8Array, cb: (err: Error | null, ok: boolean) => void): void;
  crypto_aead_xchacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array): number;
  crypto_aead_xchacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;
  crypto_sign_seed_keypair(pk: Uint8Array, sk: Uint8Array, seed: Uint8Array): void;
  crypto_sign_detached(sig: Uint8Array, m: Uint8Array, sk: Uint8Array): void;
  crypto_sign_verify_detached(sig: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean;
  readonly crypto_hash_sha256_STATEBYTES: number;
  readonly crypto_generichash_BYTES_MIN: number;
  readonly crypto_generichash_BYTES_MAX: number;
  readonly crypto_generichash_KEYBYTES_MIN: number;
  readonly crypto_generichash_KEYBYTES_MAX: number;
  readonly crypto_hash_sha512_STATEBYTES: number;
  readonly crypto_pwhash_ALG_ARGON2ID13: number;
  readonly crypto_pwhash_SALTBYTES: number;
  readonly crypto_pwhash_STRBYTES: number;
  readonly crypto_aead_xchacha20poly1305_ietf_ABYTES: number;
  readonly crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number;
  readonly crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number;
  readonly crypto_sign_SEEDBYTES: number;
  readonly crypto_sign_PUBLICKEYBYTES: number;
  readonly crypto_sign_SECRETKEYBYTES: number;
  readonly crypto_sign_BYTES: number;
}

export const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
