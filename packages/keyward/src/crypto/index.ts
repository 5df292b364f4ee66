/**
 * @module crypto
 * Primitives over libsodium secure memory. Imports nothing else from src/. See README.md.
 */
export { SecureBuffer, releaseAll } from './secure-buffer.js';
export { checkMemoryLocking, type MemoryLockReport } from './memory-lock.js';
export { equal } from './constant-time.js';
export { randomBytes } from './random.js';
export { hash, type HashName } from './sha2.js';
export { createHmacKey, hmac, type HmacKey, type Message } from './hmac.js';
export { createBlake2bMac, type MacKey } from './blake2b-mac.js';
export { hkdf, hkdfExtract, hkdfExpand, deriveSubkey } from './hkdf.js';
export { argon2id, argon2idAsync } from './kdf.js';
export { seal, open } from './aead.js';
export { sealEnvelope, openEnvelope, wrapKey, unwrapKey, type AdFields } from './envelope.js';
export { derivePasswordKeys, derivePasswordKeysAsync, type PasswordKeys } from './key-hierarchy.js';
export { createEd25519Key, verifyEd25519, type Ed25519Key } from './ed25519.js';
export { decodeBase64Secure } from './base64.js';
export { hashAuthKey, verifyAuthKey, AUTH_HASH_DEFAULTS, type AuthHashParams } from './auth-hash.js';
