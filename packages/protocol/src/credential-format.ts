// The plaintext layout of a sealed credential, shared by every implementation that seals one
// (the CLI, the server, the browser). Version byte, then fields as tag (1 byte), big-endian u32
// length, bytes. Binary, not JSON, so a decoder can copy each secret part straight into secure
// memory without ever making it a string.

export const CREDENTIAL_FORMAT_VERSION = 1;

export const CREDENTIAL_FIELDS = Object.freeze({
  apiKey: 1,
  secret: 2,
  passphrase: 3,
  privateKey: 4,
});
export type CredentialField = keyof typeof CREDENTIAL_FIELDS;

export const CREDENTIAL_FIELD_NAMES: ReadonlyMap<number, CredentialField> = new Map(
  (Object.entries(CREDENTIAL_FIELDS) as [CredentialField, number][]).map(([name, tag]) => [tag, name]),
);

/** Largest single field: a PEM private key is a few hundred bytes; this leaves room, not abuse. */
export const CREDENTIAL_FIELD_MAX_BYTES = 16 * 1024;

export interface FieldSpan {
  readonly field: CredentialField;
  readonly start: number;
  readonly end: number;
}

/**
 * Finds each field's byte range without copying: callers copy the spans into memory of their
 * choice. Throws on anything malformed (unknown tag, duplicate, overrun, bad version).
 */
export function locateCredentialFields(bytes: Uint8Array): FieldSpan[] {
  if (bytes.length < 1 || bytes[0] !== CREDENTIAL_FORMAT_VERSION) throw new RangeError('credential format version');
  const spans: FieldSpan[] = [];
  const seen = new Set<CredentialField>();
  let at = 1;
  while (at < bytes.length) {
    if (at + 5 > bytes.length) throw new RangeError('credential field header truncated');
    const field = CREDENTIAL_FIELD_NAMES.get(bytes[at] ?? 0);
    const len = (((bytes[at + 1] ?? 0) << 24) >>> 0) + ((bytes[at + 2] ?? 0) << 16) + ((bytes[at + 3] ?? 0) << 8) + (bytes[at + 4] ?? 0);
    if (field === undefined || seen.has(field)) throw new RangeError('credential field tag');
    if (len > CREDENTIAL_FIELD_MAX_BYTES || at + 5 + len > bytes.length) throw new RangeError('credential field length');
    seen.add(field);
    spans.push({ field, start: at + 5, end: at + 5 + len });
    at += 5 + len;
  }
  return spans;
}

/** Total encoded length for fields of the given lengths. */
export function credentialEncodedLength(lengths: readonly number[]): number {
  return 1 + lengths.reduce((n, l) => n + 5 + l, 0);
}

/** Writes the encoding into `out` (which the caller allocates, e.g. in secure memory). */
export function writeCredentialFields(out: Uint8Array, fields: readonly { field: CredentialField; bytes: Uint8Array }[]): void {
  if (out.length !== credentialEncodedLength(fields.map((f) => f.bytes.length))) throw new RangeError('credential output length');
  out[0] = CREDENTIAL_FORMAT_VERSION;
  let at = 1;
  for (const { field, bytes } of fields) {
    if (bytes.length > CREDENTIAL_FIELD_MAX_BYTES) throw new RangeError('credential field too long');
    out[at] = CREDENTIAL_FIELDS[field];
    out[at + 1] = bytes.length >>> 24;
    out[at + 2] = (bytes.length >>> 16) & 0xff;
    out[at + 3] = (bytes.length >>> 8) & 0xff;
    out[at + 4] = bytes.length & 0xff;
    out.set(bytes, at + 5);
    at += 5 + bytes.length;
  }
}
