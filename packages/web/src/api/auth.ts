// The sign-up and sign-in calls (docs/server.md "Sign-up and sign-in"). Shapes follow
// packages/keyward/src/api/auth-routes.ts; the keys in them come from ../crypto.
import type { PreloginAnswer, SignUpBody } from '../crypto/index.js';
import { request } from './http.js';

export interface PublicAccount {
  readonly id: string;
  readonly email: string | null;
  readonly kdf: { readonly memoryKiB: number; readonly iterations: number };
  readonly salt: string;
  readonly wrappedUserKey: string;
}

export interface SessionAnswer {
  readonly account: PublicAccount;
  readonly csrfToken: string;
  readonly session: { readonly expiresAt: number; readonly unlocked: boolean };
}

export interface SecondFactorAnswer {
  readonly secondFactor: readonly ('totp' | 'recovery' | 'passkey')[];
  readonly ticket: string;
}

export const isSecondFactor = (a: SessionAnswer | SecondFactorAnswer): a is SecondFactorAnswer => 'ticket' in a;

export const prelogin = (email: string): Promise<PreloginAnswer> => request('POST', '/auth/prelogin', { email });

export const signUp = (body: SignUpBody): Promise<SessionAnswer> => request('POST', '/auth/signup', body);

export const signIn = (email: string, authKey: string): Promise<SessionAnswer | SecondFactorAnswer> =>
  request('POST', '/auth/signin', { email, authKey });

/** A passkey's answer is SimpleWebAuthn's AuthenticationResponseJSON (../webauthn credentialToJson). */
export type SecondFactor = { totp: string } | { recoveryCode: string } | { passkey: Record<string, unknown> };

export const signInSecondFactor = (ticket: string, factor: SecondFactor): Promise<SessionAnswer> =>
  request('POST', '/auth/signin/second-factor', { ticket, ...factor });

/** WebAuthn request options (base64url JSON) bound to this sign-in ticket. */
export const signInPasskeyOptions = (ticket: string): Promise<Record<string, unknown>> => request('POST', '/auth/signin/passkey-options', { ticket });

/** GET /session: the signed-in state after a reload, and what the allowlist editor needs. */
export interface SessionInfo extends SessionAnswer {
  readonly ipAllowlist: readonly string[] | null;
  /** The address this request came from, as the server sees it (and checks the allowlist against). */
  readonly address: string;
}

export const getSession = (): Promise<SessionInfo> => request('GET', '/session');

/** Re-authentication: the auth key, plus the second factor when the account has one. */
export const reauthenticate = (authKey: string, factor: SecondFactor | Record<string, never>): Promise<{ freshUntil: number }> =>
  request('POST', '/session/reauth', { authKey, ...factor });
export const reauthPasskeyOptions = (): Promise<Record<string, unknown>> => request('POST', '/session/passkey-options');

/** `body` is secretJsonBody({ userKey }): the key never becomes a string on its way out. */
export const unlock = (body: Uint8Array): Promise<{ unlocked: boolean }> => request('POST', '/session/unlock', body);

export const signOut = (): Promise<void> => request('POST', '/auth/signout');
