// Argon2id (RFC 9106) through libsodium, with explicit parameters that are stored beside every
// record. Parameters are checked against the floor (no downgrade by whoever stored them) and the
// ceiling (no DoS) before any work starts. libsodium's p is always 1.
import { checkKdfParams, KDF_SALT_BYTES, type KdfParams } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { sodium } from './sodium.js';
import { SecureBuffer } from './secure-buffer.js';

function assertUsable(params: KdfParams, salt: Uint8Array, outputBytes: number): void {
  const check = checkKdfParams(params);
  if (!check.ok) {
    throw new KeywardError('KW_KDF_PARAMS_REFUSED', `Argon2id parameters refused (${check.reason}): m=${String(params.memoryKiB)} KiB, t=${String(params.iterations)}`);
  }
  if (salt.length !== KDF_SALT_BYTES) throw new RangeError(`Argon2id salt must be ${String(KDF_SALT_BYTES)} bytes`);
  if (outputBytes < 16 || outputBytes > 64) throw new RangeError('Argon2id output length');
}

/** Derives a key from a password (the password is never a string: it arrives in secure memory). */
export function argon2id(password: SecureBuffer, salt: Uint8Array, params: KdfParams, outputBytes = 32): SecureBuffer {
  assertUsable(params, salt, outputBytes);
  const out = SecureBuffer.alloc(outputBytes);
  try {
    out.reveal((o) => password.reveal((pw) => sodium.crypto_pwhash(
      o, pw, salt, params.iterations, params.memoryKiB * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13,
    )));
    return out;
  } catch (e) {
    out.release();
    throw e;
  }
}

/**
 * The same on libuv's thread pool, for servers that must not block their event loop for the
 * tenths of a second a derivation takes. The password must stay alive until the promise settles.
 */
export function argon2idAsync(password: SecureBuffer, salt: Uint8Array, params: KdfParams, outputBytes = 32): Promise<SecureBuffer> {
  assertUsable(params, salt, outputBytes);
  const out = SecureBuffer.alloc(outputBytes);
  return new Promise((resolve, reject) => {
    out.reveal((o) => password.reveal((pw) => sodium.crypto_pwhash_async(
      o, pw, salt, params.iterations, params.memoryKiB * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13,
      (err) => {
        if (err) {
          out.release();
          reject(err);
        } else {
          resolve(out);
        }
      },
    )));
  });
}
