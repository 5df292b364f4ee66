// Plain words for the errors the security centre meets; anything else falls back to the sign-in
// words and then to the server's own detail.
import { ApiError } from '../../api/http.js';
import { messageOf as authMessageOf } from '../auth/messages.js';
import { ReauthCancelled } from '../auth/reauth.js';

const WORDS: Readonly<Record<string, string>> = {
  KW_SESSION_LOCKED: 'Your keys are locked in this session: sign out and sign in again to unlock them.',
  KW_SESSION_EXPIRED: 'Your session has ended. Sign in again.',
  KW_SESSION_REQUIRED: 'You are signed out. Sign in again.',
  KW_AUTH_FAILED: 'That password (or code) is not right.',
  KW_PASSKEY_INVALID: 'The passkey was not accepted.',
};

export function messageOf(e: unknown): string {
  if (e instanceof ReauthCancelled) return e.message;
  if (e instanceof ApiError) {
    const words = e.code === null ? undefined : WORDS[e.code];
    if (words !== undefined) return words;
    // The server's detail names the field or the limit; the title alone ("Invalid input") does not.
    if (e.detail !== undefined) return e.detail;
  }
  if (e instanceof DOMException && e.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
  return authMessageOf(e);
}

export const isSessionGone = (e: unknown): boolean =>
  e instanceof ApiError && (e.code === 'KW_SESSION_EXPIRED' || e.code === 'KW_SESSION_REQUIRED' || e.status === 401);
