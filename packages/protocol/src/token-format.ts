// The shape of Keyward tokens, without any secret handling (isomorphic: the CLI, the server and
// the browser all parse tokens). A token is `kw_` + 43 base64url characters (256 random bits).
// An accessor (`kwa_` + 20 hex characters) names a token for listing and revoking without
// holding it.

export const TOKEN_PREFIX = 'kw_';
export const TOKEN_RANDOM_BYTES = 32;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + 43;
export const ACCESSOR_PREFIX = 'kwa_';
const TOKEN_RE = /^kw_[A-Za-z0-9_-]{43}$/;
const ACCESSOR_RE = /^kwa_[0-9a-f]{20}$/;

export function isTokenShaped(s: string): boolean {
  return TOKEN_RE.test(s);
}

export function isAccessor(s: string): boolean {
  return ACCESSOR_RE.test(s);
}
