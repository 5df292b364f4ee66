// Row conversions shared by the repositories (repos.ts, server-repos.ts).
import type { Selectable } from 'kysely';
import type { CredentialTable } from './schema.js';
import type { CredentialRow } from './store.js';

/** A Buffer over the same bytes: drivers take Buffers, and a view is stored as its own bytes only. */
export const toBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export const nullableBytes = (b: Uint8Array | null): Buffer | null => (b === null ? null : toBytes(b));

/** Integer columns as numbers, whatever integer type the driver hands back. */
export const nullableNumber = (n: number | null): number | null => (n === null ? null : Number(n));

export function credentialFrom(r: Selectable<CredentialTable>): CredentialRow {
  return {
    id: r.id, accountId: r.account_id, name: r.name, exchange: r.exchange, fingerprint: r.fingerprint,
    custody: r.custody, ciphertext: toBytes(r.ciphertext), wrappedDek: toBytes(r.wrapped_dek),
    kekWrappedDek: nullableBytes(r.kek_wrapped_dek), kekId: r.kek_id,
    revision: Number(r.revision), createdAt: Number(r.created_at), rotatedAt: nullableNumber(r.rotated_at),
  };
}
