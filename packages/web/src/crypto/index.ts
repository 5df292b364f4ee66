/**
 * @module crypto
 * The browser's half of the key hierarchy (DESIGN.md): derive keys from the password, open the
 * user key, seal credentials before upload, change the password. The browser twin of
 * packages/keyward/src/client/, with the same names and payloads over Uint8Arrays. See
 * ../../README.md for the invariants and what JavaScript cannot promise.
 */
export { loadSodium } from './sodium.js';
export type { KdfProgress, KdfProgressEvent } from './argon2id.js';
export { checkPreloginParams, type PreloginAnswer, type PreloginParams } from './prelogin.js';
export { prepareSignUp, type SignUpBody, type SignUpOptions } from './sign-up.js';
export { deriveSignIn, openUserKey, type SignInKeys } from './sign-in.js';
export { sealCredentialForUpload, type CredentialForUpload, type SealedCredential } from './credential-upload.js';
export { changePassword, type PasswordChangeBody } from './password-change.js';
export { secretJsonBody } from './secret-json.js';
export { wipe } from './bytes.js';
