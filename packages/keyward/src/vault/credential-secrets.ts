// A credential's parts in memory: the API key (an identifier the exchange sees in every request,
// so a plain string) and the secret parts, each in its own SecureBuffer. Encoding and decoding go
// through secure memory only; the layout is @keyward/protocol/credential-format.
import {
  credentialEncodedLength, locateCredentialFields, writeCredentialFields, type CredentialField,
} from '@keyward/protocol/credential-format';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer, releaseAll } from '../crypto/index.js';

export type SecretField = Exclude<CredentialField, 'apiKey'>;
export const SECRET_FIELDS: readonly SecretField[] = ['secret', 'passphrase', 'privateKey'];

export interface CredentialInput {
  readonly apiKey: string;
  readonly secret?: SecureBuffer;
  readonly passphrase?: SecureBuffer;
  readonly privateKey?: SecureBuffer;
}

export interface CredentialSecrets extends CredentialInput {
  /** Wipes every secret part. */
  release(): void;
}

export function encodeCredential(input: CredentialInput): SecureBuffer {
  const apiKey = Buffer.from(input.apiKey, 'utf8');
  const present = SECRET_FIELDS.filter((f) => input[f] !== undefined);
  const lengths = [apiKey.length, ...present.map((f) => input[f]?.length ?? 0)];
  const out = SecureBuffer.alloc(credentialEncodedLength(lengths));
  out.reveal((o) => {
    // Reveal each secret part while the fields are written; the views never leave this block.
    const write = (acc: { field: CredentialField; bytes: Uint8Array }[], rest: SecretField[]): void => {
      const [field, ...tail] = rest;
      if (field === undefined) {
        writeCredentialFields(o, acc);
        return;
      }
      const buf = input[field];
      if (buf === undefined) return write(acc, tail);
      buf.reveal((bytes) => write([...acc, { field, bytes }], tail));
    };
    write([{ field: 'apiKey', bytes: apiKey }], [...present]);
  });
  return out;
}

export function decodeCredential(plain: SecureBuffer): CredentialSecrets {
  return plain.reveal((bytes) => {
    let spans;
    try {
      spans = locateCredentialFields(bytes);
    } catch {
      throw new KeywardError('KW_CRYPTO_OPEN_FAILED');
    }
    const parts: Partial<Record<SecretField, SecureBuffer>> = {};
    let apiKey = '';
    for (const s of spans) {
      if (s.field === 'apiKey') apiKey = Buffer.from(bytes.subarray(s.start, s.end)).toString('utf8');
      else parts[s.field] = SecureBuffer.from(bytes.subarray(s.start, s.end), { wipeSource: false });
    }
    return {
      apiKey,
      ...parts,
      release: () => releaseAll(parts.secret, parts.passphrase, parts.privateKey),
    };
  });
}
