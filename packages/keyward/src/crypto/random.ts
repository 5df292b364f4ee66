// Randomness from libsodium (getrandom(2) on Linux) for anything that is not itself a secret:
// salts, nonces, record ids. Secret random bytes go straight into SecureBuffer.random().
import { sodium } from './sodium.js';

export function randomBytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  sodium.randombytes_buf(out);
  return out;
}
