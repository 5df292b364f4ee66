// Which heads to checkpoint next, and writing them. A checkpoint names only records the store
// already holds in its database (Store.flushAudit first): `keyward audit verify` in another process
// checks checkpoints against the database, and one ahead of it would read as a cut-off tail. Heads
// that cannot be written yet (the records cannot go in, the signer is gone) wait for the next call.
import type { Ed25519Key } from '../crypto/index.js';
import { appendCheckpoint } from './checkpoint.js';

export interface CheckpointerDeps {
  readonly file: string;
  readonly flushAudit: () => Promise<void>;
  /** null while the key is not at hand (a locked agent): nothing is written then. */
  readonly signer: () => Ed25519Key | null;
  readonly now: () => number;
}

type Head = { readonly seq: number; readonly link: Buffer };

export function createCheckpointer(deps: CheckpointerDeps) {
  const heads = new Map<string, Head>();
  /** Puts back heads that could not be written, unless a newer one came meanwhile. */
  const keep = (named: readonly (readonly [string, Head])[]): void => {
    for (const [accountId, head] of named) if (!heads.has(accountId)) heads.set(accountId, head);
  };
  return {
    /** The newest committed head of an account's chain. */
    note(accountId: string, head: Head): void {
      heads.set(accountId, head);
    },
    async write(): Promise<void> {
      if (heads.size === 0 || deps.signer() === null) return;
      const named = [...heads];
      heads.clear();
      try {
        await deps.flushAudit();
      } catch {
        keep(named);
        return;
      }
      const signer = deps.signer();
      if (signer === null) {
        keep(named);
        return;
      }
      for (const [accountId, head] of named) {
        appendCheckpoint(deps.file, { accountId, seq: head.seq, link: head.link.toString('hex'), at: deps.now() }, signer);
      }
    },
  };
}
