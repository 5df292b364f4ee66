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

export const signInSecondFactor = (ticket: string, factor: { totp: string } | { recoveryCode: string }): Promise<SessionAnswer> =>
  request('POST', '/auth/signin/second-factor', { ticket, ...factor });

/** `body` is secretJsonBody({ userKey }): the key never becomes a string on its way out. */
export const unlock = (body: Uint8Array): Promise<{ unlocked: boolean }> => request('POST', '/session/unlock', body);

export const signOut = (): Promise<void> => request('POST', '/auth/signout');
