// Ed25519 (RFC 8032) signing from a 32-byte seed held in secure memory; libsodium's expanded
// secret key is kept in secure memory too and wiped on release.
import { sodium } from './sodium.js';
import { SecureBuffer } from './secure-buffer.js';

export interface Ed25519Key {
  readonly publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
  release(): void;
}

export function createEd25519Key(seed: SecureBuffer): Ed25519Key {
  if (seed.length !== sodium.crypto_sign_SEEDBYTES) throw new RangeError('Ed25519 seed must be 32 bytes');
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = SecureBuffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  secretKey.reveal((sk) => seed.reveal((s) => sodium.crypto_sign_seed_keypair(publicKey, sk, s)));
  return {
    publicKey,
    sign(message) {
      const sig = Buffer.alloc(sodium.crypto_sign_BYTES);
      secretKey.reveal((sk) => sodium.crypto_sign_detached(sig, message, sk));
      return sig;
    },
    release: () => secretKey.release(),
  };
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== sodium.crypto_sign_BYTES || publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES) return false;
  return sodium.crypto_sign_verify_detached(signature, message, publicKey);
}
