// KEK rotation (DESIGN.md "Key hierarchy": rotating the server KEK rewraps only DEKs). Given the
// KEK-wrapped DEKs of delegated credentials, returns their wrappings under the new KEK; the
// credential ciphertexts are not an input, so they cannot change. No storage here: the caller
// writes the results (in one transaction, or row by row: rows already under `to` are skipped, so
// an interrupted rotation resumes) and retires the old KEK only when no row names it.
import { KeywardError } from '@keyward/protocol/errors';
import { equal, releaseAll, type AdFields, type SecureBuffer } from '../crypto/index.js';
import type { KeyEncryptionKey } from './kek.js';

export interface KekWrappedDek {
  /** The record the DEK belongs to (the credential id); reported when it fails to open. */
  readonly id: string;
  /** Which KEK made `kekWrappedDek` (KeyEncryptionKey.id). */
  readonly kekId: string;
  readonly kekWrappedDek: Uint8Array;
  /** The AD the DEK was wrapped with; the new wrapping is bound to the same AD. */
  readonly ad: AdFields;
}

export interface RewrappedDek {
  readonly id: string;
  readonly kekId: string;
  readonly kekWrappedDek: Uint8Array;
}

/**
 * Rewraps every row wrapped by `from` under `to`. All or nothing: a row that names another KEK,
 * or fails to open, throws before anything is returned. Each new wrapping is opened again and
 * compared before it is accepted, so a faulty token cannot turn rotation into data loss.
 */
export async function rewrapAll(rows: readonly KekWrappedDek[], from: KeyEncryptionKey, to: KeyEncryptionKey): Promise<RewrappedDek[]> {
  if (from.id === to.id) throw new RangeError(`rotation from ${from.id} to itself`);
  const foreign = rows.find((r) => r.kekId !== from.id && r.kekId !== to.id);
  if (foreign !== undefined) {
    throw new RangeError(`record ${foreign.id} is wrapped by ${foreign.kekId}, neither ${from.id} nor ${to.id}`);
  }
  const out: RewrappedDek[] = [];
  for (const row of rows) {
    if (row.kekId === to.id) continue;
    let dek: SecureBuffer | null = null;
    let check: SecureBuffer | null = null;
    try {
      try {
        dek = await from.unwrap(row.kekWrappedDek, row.ad);
      } catch (e) {
        throw new KeywardError('KW_CRYPTO_OPEN_FAILED', `the data key of record ${row.id} failed to open under ${from.id}`, { cause: e });
      }
      const wrapped = await to.wrap(dek, row.ad);
      check = await to.unwrap(wrapped, row.ad);
      if (!equal(dek, check)) throw new Error(`${to.id} did not give back the data key of record ${row.id}`);
      out.push({ id: row.id, kekId: to.id, kekWrappedDek: wrapped });
    } finally {
      releaseAll(dek, check);
    }
  }
  return out;
}
