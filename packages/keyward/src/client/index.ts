/**
 * @module client
 * The client side of the server's key hierarchy, for Node (tests, the CLI). See README.md.
 */
export { checkPreloginParams, type PreloginAnswer, type PreloginParams } from './prelogin.js';
export {
  prepareSignUp, deriveSignIn, openUserKey, preparePasswordChange, type SignUpBody, type SignInKeys, type PasswordChangeBody,
} from './account-keys.js';
export { sealCredentialForUpload, type SealedCredential } from './credential-upload.js';
