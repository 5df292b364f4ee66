// The hash chain: link(n) = MAC(link(n-1) ‖ u16 account length ‖ account ‖ u64 seq ‖ body), with
// link(0) all zeros. The key is not in the database, so whoever can write the database cannot
// forge a link: any edit, insertion or deletion breaks the chain at a place `verify.ts` can name.
// The MAC is keyed BLAKE2b-256 (crypto/blake2b-mac.ts): one libsodium call a record, a quarter of
// what HMAC-SHA256 cost on the gateway's request path (bench/gateway.bench.ts). Logs written before
// 2026-11 are linked with HMAC-SHA256 under another key of the vault; `linkVersion` tells them
// apart, and verify.ts accepts the older MAC only before an account's first BLAKE2b link.
import { equal, type HmacKey, type MacKey } from '../crypto/index.js';

export const GENESIS_LINK = Buffer.alloc(32);

export interface ChainKey {
  /** HMAC-SHA256: links written before 2026-11, verified and never written. */
  readonly v1: HmacKey;
  /** Keyed BLAKE2b-256: every link written now. */
  readonly v2: MacKey;
}

function message(previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('a sequence number is a whole number');
  // Written into one buffer: one call into the MAC.
  const accountBytes = Buffer.byteLength(accountId, 'utf8');
  const accountAt = previous.length + 2;
  const bodyAt = accountAt + accountBytes + 8;
  const out = Buffer.allocUnsafe(bodyAt + Buffer.byteLength(body, 'utf8'));
  out.set(previous, 0);
  out.writeUInt16BE(accountBytes, previous.length);
  out.write(accountId, accountAt, 'utf8');
  out.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), bodyAt - 8);
  out.writeUInt32BE(seq % 0x1_0000_0000, bodyAt - 4);
  out.write(body, bodyAt, 'utf8');
  return out;
}

/** The link of a record written now; `key` is ChainKey.v2, all a writer needs. */
export function linkOf(key: MacKey, previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  return key.digest(message(previous, accountId, seq, body));
}

/** The link the older MAC gives (logs written before 2026-11). */
export function linkOfV1(key: HmacKey, previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  return key.digest(message(previous, accountId, seq, body));
}

/** Which MAC made `link` from these inputs (compared in constant time): 2, 1, or null for neither. */
export function linkVersion(key: ChainKey, previous: Uint8Array, accountId: string, seq: number, body: string, link: Uint8Array): 1 | 2 | null {
  const m = message(previous, accountId, seq, body);
  if (equal(key.v2.digest(m), link)) return 2;
  if (equal(key.v1.digest(m), link)) return 1;
  return null;
}
