// Nonces that only grow, per credential (Kraken, Bitfinex, Gemini refuse a nonce not above the
// last one the key used). The gateway owns them. A high-water mark is persisted BEFORE a nonce is
// handed out, in leases of `leaseSize`, so a crash or restart never reuses one: the next process
// starts above the whole lease. Leases are taken with compare-and-set, so two processes on one
// database never hold overlapping leases. (Across processes, requests can still reach the exchange
// out of order; a server with several nodes should use leaseSize 1 and the exchange's nonce window.)
import type { NonceRepo } from '../store/index.js';

export interface NonceKeeper {
  /** A nonce above every nonce this credential was given before, and at least `floor`. */
  next(credentialId: string, floor: bigint): Promise<bigint>;
}

export function createNonceKeeper(deps: { nonces: NonceRepo; leaseSize?: bigint }): NonceKeeper {
  const leaseSize = deps.leaseSize ?? 1000n;
  const leases = new Map<string, { next: bigint; end: bigint }>();
  const queues = new Map<string, Promise<unknown>>();

  async function take(credentialId: string, floor: bigint): Promise<bigint> {
    const lease = leases.get(credentialId);
    if (lease !== undefined) {
      const candidate = lease.next > floor ? lease.next : floor;
      if (candidate < lease.end) {
        lease.next = candidate + 1n;
        return candidate;
      }
    }
    for (;;) {
      const mark = await deps.nonces.get(credentialId);
      const start = [floor, (mark ?? -1n) + 1n, lease?.next ?? 0n].reduce((a, b) => (a > b ? a : b));
      const end = start + leaseSize;
      // The mark is the last nonce of the lease: after a crash the next lease starts above it.
      if (await deps.nonces.advance(credentialId, mark, end - 1n)) {
        leases.set(credentialId, { next: start + 1n, end });
        return start;
      }
    }
  }

  return {
    next(credentialId, floor) {
      // One at a time per credential, so two requests in flight never get the same nonce.
      const run = (queues.get(credentialId) ?? Promise.resolve()).then(() => take(credentialId, floor));
      queues.set(credentialId, run.catch(() => undefined));
      return run;
    },
  };
}
