// A credential's plaintext in the binary layout of @keyward/protocol/credential-format: the same
// bytes packages/keyward/src/vault/credential-secrets.ts writes, so the server opens what the
// browser seals. Binary rather than JSON, so no secret part is ever a JavaScript string.
import { credentialEncodedLength, writeCredentialFields, type CredentialField } from '@keyward/protocol/credential-format';

export interface CredentialParts {
  /** The exchange's key identifier: sent in the clear with every request, so not a secret. */
  readonly apiKey: string;
  /** Absent for a key that has none (Coinbase's CDP keys are a name and a PEM private key). */
  readonly secret?: Uint8Array;
  readonly passphrase?: Uint8Array;
  readonly privateKey?: Uint8Array;
}

/**
 * The encoded plaintext; the caller wipes it. The input buffers are read, not wiped. A part that is
 * absent is not written at all (no empty field), as the Node encoder does: the bytes, and so the
 * fingerprint, of a key without a secret are the same whichever side sealed it.
 */
export function encodeCredential(parts: CredentialParts): Uint8Array {
  const fields: { field: CredentialField; bytes: Uint8Array }[] = [{ field: 'apiKey', bytes: new TextEncoder().encode(parts.apiKey) }];
  if (parts.secret !== undefined) fields.push({ field: 'secret', bytes: parts.secret });
  if (parts.passphrase !== undefined) fields.push({ field: 'passphrase', bytes: parts.passphrase });
  if (parts.privateKey !== undefined) fields.push({ field: 'privateKey', bytes: parts.privateKey });
  const out = new Uint8Array(credentialEncodedLength(fields.map((f) => f.bytes.length)));
  try {
    writeCredentialFields(out, fields);
    return out;
  } catch (e) {
    out.fill(0);
    throw e;
  }
}
