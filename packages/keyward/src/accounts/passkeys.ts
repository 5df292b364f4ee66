// Passkeys (WebAuthn) as a second factor, over @simplewebauthn/server v14. Options come from the
// library with our choices fixed: user verification required, no attestation (we trust no
// authenticator vendor's chain and keep nothing that identifies the device model), ES256/EdDSA/RS256
// only. Responses go through passkeys-checks.ts first (clear errors, bounded input), then through
// the library's full verification. Challenges are kept by passkeys-challenge-store.ts.
//
// Two things the library leaves to us: that the response's credential id is the id inside the
// signed authenticator data (registration) or the stored credential's (sign-in), and the sign
// counter, which we compare only once the signature has verified.
import { KeywardError } from '@keyward/protocol/errors';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG, decodeAttestationObject, parseAuthenticatorData, type ParsedAuthenticatorData } from '@simplewebauthn/server/helpers';
import { PASSKEY_CHALLENGE_TTL_MS } from './passkeys-challenge-store.js';
import { checkAuthenticatorData, checkClientData, checkCredentialShape, checkSignCount } from './passkeys-checks.js';

export const PASSKEY_ALGORITHMS: readonly number[] = Object.freeze([COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256]);
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
/** §5.4.3: the user handle is at most 64 bytes. */
const MAX_USER_HANDLE_BYTES = 64;

export interface PasskeyRegistrationRequest {
  readonly rpId: string;
  readonly rpName: string;
  /** Becomes the user handle: an opaque id, never an e-mail address (§14.6.1). */
  readonly accountId: string;
  readonly userName: string;
  /** The account's passkeys, so the same authenticator is not registered twice. */
  readonly existingCredentialIds: readonly string[];
}

export interface RegisteredPasskey {
  readonly credentialId: string;
  /** COSE public key, as stored. */
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
}

export interface StoredPasskey {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
}

interface Expected {
  /** The challenge taken from the ChallengeStore; null (nothing to take) is refused. */
  readonly expectedChallenge: string | null;
  readonly origin: string;
  readonly rpId: string;
}

export function registrationOptions(request: PasskeyRegistrationRequest): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const userID = new TextEncoder().encode(request.accountId);
  if (userID.length === 0 || userID.length > MAX_USER_HANDLE_BYTES) throw new RangeError('accountId must be 1 to 64 bytes');
  return generateRegistrationOptions({
    rpName: request.rpName, rpID: request.rpId, userName: request.userName, userDisplayName: request.userName, userID,
    timeout: PASSKEY_CHALLENGE_TTL_MS, attestationType: 'none',
    excludeCredentials: request.existingCredentialIds.map((id) => ({ id })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
  });
}

export async function verifyRegistration(input: Expected & { readonly response: RegistrationResponseJSON }): Promise<RegisteredPasskey> {
  const { response, expectedChallenge, origin, rpId } = input;
  checkCredentialShape(response, ['clientDataJSON', 'attestationObject']);
  checkClientData(response.response.clientDataJSON, 'webauthn.create', expectedChallenge, origin);
  const authData = parseOrRefuse(() => parseAuthenticatorData(decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url')).get('authData')));
  checkAuthenticatorData(authData, rpId);
  if (authData.credentialID === undefined || Buffer.from(authData.credentialID).toString('base64url') !== response.id) {
    throw new KeywardError('KW_PASSKEY_INVALID', 'the credential id is not the one the authenticator signed');
  }
  const result = await libraryVerdict(() => verifyRegistrationResponse({
    response, expectedChallenge: expectedChallenge ?? '', expectedOrigin: origin, expectedRPID: rpId,
    requireUserVerification: true, supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
  }));
  if (!result.verified) throw new KeywardError('KW_PASSKEY_INVALID', 'the registration response did not verify');
  const { credential } = result.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: new Uint8Array(credential.publicKey),
    counter: credential.counter,
    transports: transportsOf(response.response.transports),
  };
}

export function authenticationOptions(request: { readonly rpId: string; readonly allowCredentials: readonly string[] }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: request.rpId, userVerification: 'required', timeout: PASSKEY_CHALLENGE_TTL_MS,
    allowCredentials: request.allowCredentials.map((id) => ({ id })),
  });
}

export async function verifyAuthentication(
  input: Expected & { readonly response: AuthenticationResponseJSON; readonly credential: StoredPasskey },
): Promise<{ readonly newCounter: number }> {
  const { response, expectedChallenge, origin, rpId, credential } = input;
  checkCredentialShape(response, ['clientDataJSON', 'authenticatorData', 'signature']);
  if (response.id !== credential.id) throw new KeywardError('KW_PASSKEY_INVALID', 'the response comes from another passkey');
  checkClientData(response.response.clientDataJSON, 'webauthn.get', expectedChallenge, origin);
  checkAuthenticatorData(parseOrRefuse(() => parseAuthenticatorData(Buffer.from(response.response.authenticatorData, 'base64url'))), rpId);
  // Counter 0 switches the library's own counter check off: ours runs after the signature verified.
  const result = await libraryVerdict(() => verifyAuthenticationResponse({
    response, expectedChallenge: expectedChallenge ?? '', expectedOrigin: origin, expectedRPID: rpId,
    credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: 0 }, requireUserVerification: true,
  }));
  if (!result.verified) throw new KeywardError('KW_PASSKEY_INVALID', 'the signature does not verify with this passkey\'s public key');
  const newCounter = result.authenticationInfo.newCounter;
  checkSignCount(newCounter, credential.counter);
  return { newCounter };
}

/** Hints for the browser next time; whatever the client sent, only known names are kept. */
function transportsOf(sent: unknown): string[] {
  return Array.isArray(sent) ? sent.filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)).slice(0, TRANSPORTS.size) : [];
}

function parseOrRefuse(parse: () => ParsedAuthenticatorData): ParsedAuthenticatorData {
  try {
    return parse();
  } catch (e) {
    throw new KeywardError('KW_PASSKEY_INVALID', 'the authenticator data cannot be read', { cause: e });
  }
}

async function libraryVerdict<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (e) {
    // Our checks ran first, so what reaches here is malformed or forged below them (a key, a
    // signature, an attestation statement); the library's message stays in `cause`, for logs.
    throw new KeywardError('KW_PASSKEY_INVALID', 'the passkey response did not verify', { cause: e });
  }
}
