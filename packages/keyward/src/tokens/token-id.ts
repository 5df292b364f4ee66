// Token material: 256 random bits behind a readable prefix, and the keyed hash that is all the
// database keeps. The hash key is not in the database (it is derived from the user key or the
// server's key-encryption key), so a stolen database cannot even test token guesses offline.
import { ACCESSOR_PREFIX, TOKEN_PREFIX, TOKEN_RANDOM_BYTES } from '@keyward/protocol/token-format';
import { randomBytes, type HmacKey } from '../crypto/index.js';

export function generateToken(): { token: string; accessor: string } {
  // The token is handed to a bot as text (HTTP headers are text), so it is a string by nature.
  return {
    token: TOKEN_PREFIX + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url'),
    accessor: ACCESSOR_PREFIX + randomBytes(10).toString('hex'),
  };
}

export function hashToken(key: HmacKey, token: string): Buffer {
  return key.digest(Buffer.from(token, 'utf8'));
}
