// The hash chain: link(n) = HMAC(auditKey, link(n-1) || account || seq || body), with link(0) all
// zeros. The key is not in the database, so whoever can write the database cannot forge a link:
// any edit, insertion or deletion breaks the chain at a place `verify.ts` can name.
import type { HmacKey } from '../crypto/index.js';

export const GENESIS_LINK = Buffer.alloc(32);

export function linkOf(key: HmacKey, previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  const account = Buffer.from(accountId, 'utf8');
  const header = Buffer.alloc(2 + account.length + 8);
  header.writeUInt16BE(account.length, 0);
  account.copy(header, 2);
  header.writeBigUInt64BE(BigInt(seq), 2 + account.length);
  return key.digest([previous, header, Buffer.from(body, 'utf8')]);
}
