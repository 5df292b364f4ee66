// Plain words for the errors a sign-in can meet. KeywardError (thrown by ../../crypto) and
// ApiError (answered by the server) both carry a stable KW_* code.
import { isKeywardError } from '@keyward/protocol/errors';
import { ApiError } from '../../api/http.js';

const WORDS: Readonly<Record<string, string>> = {
  KW_AUTH_FAILED: 'Wrong e-mail address or password.',
  KW_KDF_PARAMS_REFUSED: 'The server asked for key-derivation settings weaker than Keyward allows, so your password was not used. Tell whoever runs this server.',
  KW_CRYPTO_OPEN_FAILED: 'Your account key did not open: the server sent a key that was altered or belongs to another account.',
  KW_SECOND_FACTOR_INVALID: 'That code did not work. Try the next one.',
  KW_PASSKEY_INVALID: 'The passkey was not accepted.',
  KW_PASSKEY_CLONED: 'The passkey was refused: its signature counter went backwards, as happens when an authenticator was copied.',
};

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return (e.code === null ? undefined : WORDS[e.code]) ?? e.message;
  if (isKeywardError(e)) return WORDS[e.code] ?? e.message;
  // WebAuthn rejects with NotAllowedError for a cancelled or timed-out prompt, and no other detail.
  if (e instanceof DOMException && e.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
  if (e instanceof DOMException) return `The browser could not use a passkey here (${e.name}: ${e.message})`;
  return 'Something went wrong. Try again.';
}
