/**
 * @module vault
 * Credential custody: the only module that turns ciphertext into usable keys. See README.md.
 */
export {
  createLocalVault, LOCAL_ACCOUNT_NAME, openCredential, sealCredential, userKeyAd, dataKeyAd, credentialAd,
  type LocalVault, type UnlockedVault, type CredentialSummary, type UnlockResult,
} from './local-vault.js';
export { SECRET_FIELDS, type CredentialInput, type CredentialSecrets, type SecretField } from './credential-secrets.js';
export { exportBackup, parseBackup, openBackup, restoreBackup, mergeBackup, BACKUP_FORMAT, type ParsedBackup, type OpenedBackup } from './backup.js';
export { createKeyHandle, keyHandleFromParts, type KeyHandle, type KeyHandleOptions, type SignatureKind } from './key-handle.js';
export { createNonceKeeper, type NonceKeeper } from './nonce-keeper.js';
export { openCredentialWithDek } from './local-vault.js';
export {
  whoCanOpen, userKeyCheckOf, openSealed, delegateCredential, openDelegated, bindCredentialToToken, openTokenBound, type TokenBinding,
} from './custody.js';
export { loadServerSecrets, SERVER_SECRET_META_KEY, type ServerSecrets } from './server-secrets.js';
export { createSessionKeyRing, type SessionKeyRing } from './session-keys.js';
export { rotateServerKek, type KekRotationReport } from './rotate-kek.js';
