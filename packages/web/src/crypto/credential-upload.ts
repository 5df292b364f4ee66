// Sealing an exchange credential before it leaves the browser (POST /api/v1/credentials): a fresh
// data key seals the encoded credential, the user key wraps the data key, and a keyed fingerprint
// lets the owner tell keys apart without revealing anything about them. The server receives
// ciphertext only. Same layout and AD as packages/keyward/src/vault/local-vault.ts sealCredential.
import { KEY_BYTES, LABELS } from '@keyward/protocol/key-hierarchy';
import { credentialAd, dataKeyAd } from './associated-data.js';
import { toBase64url } from './base64url.js';
import { randomBytes, toHex, wipe } from './bytes.js';
import { encodeCredential, type CredentialParts } from './credential-encoding.js';
import { sealEnvelope, wrapKey } from './envelope.js';
import { deriveSubkey } from './hkdf.js';
import { hmacSha256 } from './hmac.js';
import { loadSodium } from './sodium.js';
import type { SealedCredential } from '@keyward/protocol/account-api';

export type { SealedCredential } from '@keyward/protocol/account-api';

export interface CredentialForUpload extends CredentialParts {
  readonly name: string;
  readonly exchange: string;
}

/** Fixed values for the shared vectors; never set outside tests. */
export interface SealTestOnlyFixed {
  readonly id: string;
  readonly dek: Uint8Array;
  readonly dekNonce: Uint8Array;
  readonly credentialNonce: Uint8Array;
}

const FINGERPRINT_BYTES = 6;

/** The caller's secret buffers are read, not wiped: their owner wipes them after this returns. */
export async function sealCredentialForUpload(userKey: Uint8Array, accountId: string, input: CredentialForUpload, testOnlyFixed?: SealTestOnlyFixed): Promise<SealedCredential> {
  if (userKey.length !== KEY_BYTES) throw new RangeError('user key must be 32 bytes');
  await loadSodium();
  const id = testOnlyFixed?.id ?? toHex(randomBytes(16));
  const dek = testOnlyFixed === undefined ? randomBytes(KEY_BYTES) : testOnlyFixed.dek.slice();
  let encoded: Uint8Array | null = null;
  let fingerprintKey: Uint8Array | null = null;
  let mac: Uint8Array | null = null;
  try {
    encoded = encodeCredential(input);
    const ciphertext = sealEnvelope(dek, encoded, credentialAd(accountId, id), testOnlyFixed?.credentialNonce);
    const wrappedDek = wrapKey(userKey, dek, dataKeyAd(accountId, id), testOnlyFixed?.dekNonce);
    fingerprintKey = deriveSubkey(userKey, LABELS.fingerprintKey);
    mac = hmacSha256(fingerprintKey, encoded);
    return {
      id, name: input.name, exchange: input.exchange,
      ciphertext: toBase64url(ciphertext), wrappedDek: toBase64url(wrappedDek),
      fingerprint: toHex(mac.subarray(0, FINGERPRINT_BYTES)),
    };
  } finally {
    wipe(dek, encoded, fingerprintKey, mac);
  }
}
