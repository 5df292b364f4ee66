// Plain words for the errors the desk can meet, by stable KW_* code; the server's own detail is
// added when it says something the words do not (a policy's limit, an exchange's message).
import { isKeywardError } from '@keyward/protocol/errors';
import { ApiError } from '../api/http.js';

const WORDS: Readonly<Record<string, string>> = {
  KW_AUTH_FAILED: 'That password is not right.',
  KW_SECOND_FACTOR_INVALID: 'That code did not work. Try the next one.',
  KW_SESSION_EXPIRED: 'Your session has ended. Sign in again.',
  KW_SESSION_REQUIRED: 'You are signed out. Sign in again.',
  KW_SESSION_LOCKED: 'Your keys are locked in this session. Sign in again to unlock them.',
  KW_CSRF_INVALID: 'This page is out of date. Reload it and try again.',
  KW_REAUTH_REQUIRED: 'Confirm your password to make this change.',
  KW_RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
  KW_ADDRESS_NOT_ALLOWED: 'Your current address is not on your IP allowlist (Security).',
  KW_CREDENTIAL_REFUSED: 'Keyward refused this key, and did not keep it.',
  KW_CREDENTIAL_NOT_FOUND: 'That exchange key is no longer connected.',
  KW_EXCHANGE_UNKNOWN: 'This server does not connect that exchange.',
  KW_EXCHANGE_REFUSED: 'The exchange refused the request.',
  KW_GATEWAY_UPSTREAM: 'The exchange could not be reached. Try again in a moment.',
  KW_GATEWAY_NO_CREDENTIAL: 'This key cannot be opened right now: sign in again, or change its custody.',
  KW_POLICY_ACTION_DENIED: 'Your policy does not allow this action.',
  KW_POLICY_SYMBOL_DENIED: 'Your policy does not allow trading this market.',
  KW_POLICY_RATE_EXCEEDED: 'Your policy\'s orders-per-minute limit is reached. Wait a minute.',
  KW_POLICY_NOTIONAL_EXCEEDED: 'This order is larger than your policy allows per order.',
  KW_POLICY_DAILY_NOTIONAL_EXCEEDED: 'This order would pass your policy\'s daily limit.',
  KW_POLICY_NOTIONAL_UNKNOWN: 'Your policy limits order value, and this order\'s value cannot be known in advance. Use a limit order.',
  KW_POLICY_PRICE_OUTSIDE_BAND: 'The price is too far from the market for your policy.',
  KW_POLICY_NO_REFERENCE_PRICE: 'There is no market price to check this order against, so it was not sent.',
  KW_POLICY_BOOK_TOO_THIN: 'The order book is too thin for this market order. Send a smaller order or a limit order.',
  KW_POLICY_VALUE_EXIT: 'Keyward never signs withdrawals or transfers.',
  KW_INPUT_INVALID: 'Some of what was entered is not valid.',
  KW_NOT_FOUND: 'That is not available on this server.',
  KW_STORE_UNAVAILABLE: 'The server cannot reach its database. Try again later.',
  KW_INTERNAL_ERROR: 'The server ran into a problem. Try again.',
  KW_CRYPTO_OPEN_FAILED: 'Your account key did not open: the server sent a key that was altered or belongs to another account.',
};

/** Codes after which this tab cannot go on and must sign in again. */
export const SESSION_LOST_CODES: ReadonlySet<string> = new Set(['KW_SESSION_EXPIRED', 'KW_SESSION_REQUIRED', 'KW_SESSION_LOCKED']);

export function codeOf(e: unknown): string | null {
  if (e instanceof ApiError) return e.code;
  if (isKeywardError(e)) return e.code;
  return null;
}

export function wordsFor(e: unknown): string {
  if (e instanceof ApiError) {
    const words = e.code === null ? undefined : WORDS[e.code];
    if (words === undefined) return e.detail ?? e.title;
    // The detail names the specific limit or the exchange's message; the words alone would not.
    return e.detail !== undefined && !SESSION_LOST_CODES.has(e.code ?? '') ? `${words} ${e.detail}` : words;
  }
  if (isKeywardError(e)) return WORDS[e.code] ?? e.message;
  if (e instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return 'Something went wrong. Try again.';
}
