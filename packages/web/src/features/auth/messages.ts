// Plain words for the errors a sign-in can meet. KeywardError (thrown by ../../crypto) and
// ApiError (answered by the server) both carry a stable KW_* code.
import { isKeywardError } from '@keyward/protocol/errors';
import { ApiError } from '../../api/http.js';

const WORDS: Readonly<Record<string, string>> = {
  KW_AUTH_FAILED: 'Wrong e-mail address or password.',
  KW_KDF_PARAMS_REFUSED: 'The server asked for key-derivation settings weaker than Keyward allows, so your password was not used. Tell whoever runs this server.',
  KW_CRYPTO_OPEN_FAILED: 'Your account key did not open: the server sent a key that was altered or belongs to another account.',
  KW_SECOND_FACTOR_INVALID: 'That code did not work. Try the next one.',
};

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return (e.code === null ? undefined : WORDS[e.code]) ?? e.message;
  if (isKeywardError(e)) return WORDS[e.code] ?? e.message;
  return 'Something went wrong. Try again.';
}
