// The hash chain: link(n) = HMAC(auditKey, link(n-1) || account || seq || body), with link(0) all
// zeros. The key is not in the database, so whoever can write the database cannot forge a link:
// any edit, insertion or deletion breaks the chain at a place `verify.ts` can name.
import type { HmacKey } from '../crypto/index.js';

export const GENESIS_LINK = Buffer.alloc(32);

export function linkOf(key: HmacKey, previous: Uint8Array, accountId: string, seq: number, body: string): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('a sequence number is a whole number');
  // previous ‖ account length (u16) ‖ account ‖ seq (u64) ‖ body, written into one buffer: one
  // hash update.
  const accountBytes = Buffer.byteLength(accountId, 'utf8');
  const accountAt = previous.length + 2;
  const bodyAt = accountAt + accountBytes + 8;
  const message = Buffer.allocUnsafe(bodyAt + Buffer.byteLength(body, 'utf8'));
  message.set(previous, 0);
  message.writeUInt16BE(accountBytes, previous.length);
  message.write(accountId, accountAt, 'utf8');
  message.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), bodyAt - 8);
  message.writeUInt32BE(seq % 0x1_0000_0000, bodyAt - 4);
  message.write(body, bodyAt, 'utf8');
  return key.digest(message);
}
