/**
 * @module accounts
 * The pure parts of signing in: TOTP and passkey second factors, recovery codes, and throttling
 * that slows attackers without locking owners out. Data in, data out; the clock is injected.
 * See README.md.
 */
export { newTotpSeed, verifyTotp, hotp, totpStep, TOTP_DEFAULTS, TOTP_SEED_BYTES, TOTP_DRIFT_STEPS, type TotpAlgorithm, type TotpOptions, type TotpResult } from './totp.js';
export { otpauthUri, enrolmentQr } from './enrolment.js';
export { generateRecoveryCodes, verifyRecoveryCode, RECOVERY_CODE_COUNT, RECOVERY_CODE_CHARS, RECOVERY_CODE_HASH_BYTES, type RecoveryCodes } from './recovery-codes.js';
export { createThrottle, THROTTLE_DEFAULTS, type AttemptKey, type Burst, type Throttle, type ThrottleDecision, type ThrottleLimits, type ThrottleOptions } from './throttle.js';
export { sourceAddressKey } from './source-address.js';
export {
  registrationOptions, verifyRegistration, authenticationOptions, verifyAuthentication, PASSKEY_ALGORITHMS,
  type PasskeyRegistrationRequest, type RegisteredPasskey, type StoredPasskey,
} from './passkeys.js';
export { createChallengeStore, PASSKEY_CHALLENGE_TTL_MS, type ChallengeStore, type ChallengeStoreOptions } from './passkeys-challenge-store.js';
export type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
} from '@simplewebauthn/server';
