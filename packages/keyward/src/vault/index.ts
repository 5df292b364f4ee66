/**
 * @module vault
 * Credential custody: the only module that turns ciphertext into usable keys. See README.md.
 */
export {
  createLocalVault, LOCAL_ACCOUNT_NAME, openCredential, sealCredential,
  type LocalVault, type UnlockedVault, type CredentialSummary, type UnlockResult,
} from './local-vault.js';
export { SECRET_FIELDS, type CredentialInput, type CredentialSecrets, type SecretField } from './credential-secrets.js';
export { exportBackup, parseBackup, openBackup, restoreBackup, mergeBackup, BACKUP_FORMAT, type ParsedBackup, type OpenedBackup } from './backup.js';
export { createKeyHandle, keyHandleFromParts, type KeyHandle, type KeyHandleOptions, type SignatureKind } from './key-handle.js';
export { createNonceKeeper, type NonceKeeper } from './nonce-keeper.js';
