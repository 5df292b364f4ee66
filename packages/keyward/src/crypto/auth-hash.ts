// The server's check of a client's auth key (DESIGN.md "Key hierarchy"): stored only as a libsodium
// Argon2id string hash, computed and verified on libuv's thread pool so sign-ins never block the
// event loop. The auth key is already 256 derived bits; this hash keeps a stolen database from
// yielding something that can be replayed to sign in, and is not a layer against password guessing
// (that is the client's Argon2id, whose output wraps the user key).
import { sodium } from './sodium.js';
import type { SecureBuffer } from './secure-buffer.js';

export interface AuthHashParams {
  /** Argon2id passes. */
  readonly iterations: number;
  readonly memoryKiB: number;
}

/** OWASP's smallest Argon2id setting: ample for a 256-bit input, cheap enough under throttling. */
export const AUTH_HASH_DEFAULTS: AuthHashParams = Object.freeze({ iterations: 2, memoryKiB: 19 * 1024 });

export function hashAuthKey(authKey: SecureBuffer, params: AuthHashParams = AUTH_HASH_DEFAULTS): Promise<string> {
  const out = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
  return new Promise((resolve, reject) => {
    authKey.reveal((key) => sodium.crypto_pwhash_str_async(out, key, params.iterations, params.memoryKiB * 1024, (err) => {
      if (err) reject(err);
      else resolve(out.toString('utf8').replace(/\0+$/, ''));
    }));
  });
}

/** Constant-time inside libsodium; false for a malformed stored hash as for a wrong key. */
export function verifyAuthKey(stored: string, authKey: SecureBuffer): Promise<boolean> {
  const str = Buffer.alloc(sodium.crypto_pwhash_STRBYTES);
  const bytes = Buffer.from(stored, 'utf8');
  if (bytes.length >= str.length || !stored.startsWith('$argon2id$')) return Promise.resolve(false);
  bytes.copy(str);
  return new Promise((resolve) => {
    authKey.reveal((key) => sodium.crypto_pwhash_str_verify_async(str, key, (err, ok) => {
      resolve(err === null && ok === true);
    }));
  });
}
