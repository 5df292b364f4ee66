// The key-check value stored at sign-up (docs/server.md "Unlock"): the server compares it with
// HMAC(userKey, label) to recognise the user key a session hands it, when no credential exists yet
// to test the key against. The label is the server's USER_KEY_CHECK_LABEL (api/auth-routes.ts);
// user-key-check.test.ts holds the two equal.
import { hmacSha256 } from './hmac.js';

export const USER_KEY_CHECK_LABEL = 'keyward/v1/user-key-check';

export function userKeyCheckOf(userKey: Uint8Array): Uint8Array {
  return hmacSha256(userKey, new TextEncoder().encode(USER_KEY_CHECK_LABEL));
}
