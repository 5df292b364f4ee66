// The one place a typed exchange secret exists as bytes: sealed here with a copy of the held user
// key, then every buffer is wiped, whether the upload worked or not. Only the sealed fields travel.
import { connectCredential, type CredentialView, type Custody } from '../../api/credentials.js';
import { sealCredentialForUpload, wipe } from '../../crypto/index.js';
import { withUserKey } from '../auth/held-keys.js';

export interface TypedCredential {
  readonly name: string;
  readonly exchange: string;
  readonly apiKey: string;
  readonly secret: Uint8Array | null;
  readonly passphrase: Uint8Array | null;
  readonly privateKey: Uint8Array | null;
}

/** Seals, wipes, uploads. The buffers in `typed` are wiped before this returns or throws. */
export async function sealAndConnect(accountId: string, typed: TypedCredential, custody: Custody, onSealed?: () => void): Promise<CredentialView> {
  // A copy, so that signing out while this runs cannot zero the key under the sealing.
  const userKey = withUserKey((k) => k.slice());
  let sealed;
  try {
    sealed = await sealCredentialForUpload(userKey, accountId, {
      name: typed.name, exchange: typed.exchange, apiKey: typed.apiKey,
      // A part the key does not have is left out, not sent empty (crypto/credential-encoding.ts).
      ...(typed.secret === null ? {} : { secret: typed.secret }),
      ...(typed.passphrase === null ? {} : { passphrase: typed.passphrase }),
      ...(typed.privateKey === null ? {} : { privateKey: typed.privateKey }),
    });
  } finally {
    wipe(userKey, typed.secret, typed.passphrase, typed.privateKey);
  }
  onSealed?.();
  return connectCredential(sealed, custody);
}
