// The checks that decide whether a passkey response may sign someone in, made by us before
// @simplewebauthn/server verifies the whole response. The library makes most of them too, but it
// reports every failure as a plain Error whose message we would have to parse; here each failure
// gets its code and a detail a person can act on, and the input's sizes are bounded before any
// decoding. Section numbers are WebAuthn Level 3 §7.1 (registration) and §7.2 (authentication).
import { KeywardError } from '@keyward/protocol/errors';
import type { ParsedAuthenticatorData } from '@simplewebauthn/server/helpers';
import { hash } from '../crypto/index.js';

/** §5.8.1: a credential id is at most 1023 bytes; 1364 base64url characters hold that many. */
const MAX_ID_CHARS = 1364;
/** Attestation objects with a certificate chain run to a few KiB; 64 KiB is far beyond any real one. */
const MAX_FIELD_CHARS = 64 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export type Ceremony = 'webauthn.create' | 'webauthn.get';

function invalid(detail: string, cause?: unknown): KeywardError {
  return new KeywardError('KW_PASSKEY_INVALID', detail, cause === undefined ? undefined : { cause });
}

export function isBase64Url(value: unknown, maxChars = MAX_FIELD_CHARS): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxChars && BASE64URL.test(value);
}

/** The outer shape both ceremonies share; `fields` are the base64url members of `response`. */
export function checkCredentialShape(credential: unknown, fields: readonly string[]): void {
  if (typeof credential !== 'object' || credential === null) throw invalid('the passkey response is not an object');
  const c = credential as Record<string, unknown>;
  if (!isBase64Url(c.id, MAX_ID_CHARS)) throw invalid('the passkey response has no valid credential id');
  // rawId carries the same bytes; a response where they differ names two credentials at once.
  if (c.rawId !== c.id) throw invalid('the credential id and raw id differ');
  if (c.type !== 'public-key') throw invalid('the credential is not a public-key credential');
  if (typeof c.response !== 'object' || c.response === null) throw invalid('the passkey response has no authenticator response');
  const r = c.response as Record<string, unknown>;
  for (const field of fields) {
    if (!isBase64Url(r[field])) throw invalid(`the authenticator response's ${field} is missing or not base64url`);
  }
}

/** §7.1 steps 7-11 / §7.2 steps 11-15: the browser's record of what was signed, where, and for which challenge. */
export function checkClientData(clientDataJSON: string, ceremony: Ceremony, expectedChallenge: string | null, origin: string): void {
  if (expectedChallenge === null || expectedChallenge.length === 0) {
    throw new KeywardError('KW_PASSKEY_CHALLENGE_INVALID', 'there is no open challenge: it expired, was already used, or was never issued');
  }
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch (e) {
    throw invalid('clientDataJSON is not JSON', e);
  }
  if (typeof data !== 'object' || data === null) throw invalid('clientDataJSON is not an object');
  const d = data as Record<string, unknown>;
  if (d.type !== ceremony) {
    throw invalid(ceremony === 'webauthn.create' ? 'this is not a registration response' : 'this is not a sign-in response');
  }
  if (d.challenge !== expectedChallenge) throw new KeywardError('KW_PASSKEY_CHALLENGE_INVALID', 'the response answers another challenge');
  if (d.origin !== origin) throw invalid('the response was made for another origin');
  // We are never embedded in another site's frame, so a cross-origin ceremony is someone else's.
  if (d.crossOrigin === true || d.topOrigin !== undefined) throw invalid('the response was made inside another site\'s frame');
}

/** §7.1 steps 13-15 / §7.2 steps 15-17: the authenticator's own statement of site, presence and verification. */
export function checkAuthenticatorData(authData: ParsedAuthenticatorData, rpId: string): void {
  const expected = hash('sha256', Buffer.from(rpId, 'utf8'));
  if (!Buffer.from(authData.rpIdHash).equals(expected)) throw invalid('the passkey was used for another site (relying-party id)');
  if (!authData.flags.up) throw invalid('the authenticator did not confirm that the user was present');
  // We require verification (PIN, biometric) because a passkey may stand in for the password.
  if (!authData.flags.uv) throw invalid('the authenticator did not verify the user (PIN or biometric)');
}

/**
 * §6.1.1: if either counter is non-zero, the new one must be greater than the stored one, or two
 * copies of the key are being used. Called only after the signature verified, so an unsigned
 * response cannot raise a false alarm about someone's passkey.
 */
export function checkSignCount(newCounter: number, storedCounter: number): void {
  if ((newCounter > 0 || storedCounter > 0) && newCounter <= storedCounter) {
    throw new KeywardError('KW_PASSKEY_CLONED', `the signature counter is ${String(newCounter)}, and it was already ${String(storedCounter)}`);
  }
}
