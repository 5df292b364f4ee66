/**
 * @module kms
 * Server key-encryption keys (KEKs) behind one interface: a key file (the default) or a PKCS#11
 * token. They wrap data keys of delegated credentials, never credentials. See README.md.
 */
export type { KeyEncryptionKey } from './kek.js';
export { openKeyFileKek, type KeyFileKekOptions } from './key-file-kek.js';
export { openPkcs11Kek, PKCS11_WRAPPED_BYTES, type Pkcs11KekOptions } from './pkcs11-kek.js';
export { rewrapAll, type KekWrappedDek, type RewrappedDek } from './rotate.js';
