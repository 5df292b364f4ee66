// Appending to the audit log. Every gateway request writes a decision record BEFORE it is
// forwarded (DESIGN.md): `append` resolves only when the record is durably written, and rejects if
// it cannot be, so the caller refuses the request. Group commit: the first decision of a turn of
// the event loop is written at once (at low load that is every decision, and none waits for
// anything); the decisions after it in the same turn, and those that arrive while a write is in
// flight, go together in one write. Outcomes (appendLater: nothing waits on them) are gathered for
// 20 ms and written as one linked record per account (record.ts, OutcomesRecord), never on a
// decision's way. So a store whose write is a network
// round trip (PostgreSQL) batches under load, and one whose write is a journal append (SQLite,
// store/sqlite/audit-writer.ts) adds no waiting. What "durably" means is Store.appendAudit's:
// surviving a crash of the gateway at once; a power failure can lose the last milliseconds, which
// `keyward audit verify` then reports against its checkpoints.
import type { AuditRepo, AuditRow, Store } from '../store/index.js';
import type { MacKey } from '../crypto/index.js';
import { GENESIS_LINK, linkOf } from './chain.js';
import { canonicalRecord, type AuditRecord, type OutcomeEntry } from './record.js';

export interface AuditLogDeps {
  readonly store: Pick<Store, 'appendAudit'> & { readonly audit: Pick<AuditRepo, 'head'> };
  /** The chain's current MAC (chain.ts): a writer never needs the older one. */
  readonly key: MacKey;
  /** Called after each committed batch with the new head, e.g. to write checkpoints. */
  readonly onCommit?: (accountId: string, head: { seq: number; link: Buffer }) => void;
  /** Largest batch per transaction. */
  readonly maxBatch?: number;
}

/** Most outcomes in one record: a record stays a few tens of kilobytes at most. */
const MAX_OUTCOMES_PER_RECORD = 256;

interface Pending {
  readonly accountId: string;
  readonly record: AuditRecord;
  /** Absent for outcomes: nothing waits on them. */
  readonly resolve?: (seq: number) => void;
  readonly reject?: (e: unknown) => void;
}

type Head = { seq: number; link: Buffer };

export function createAuditLog(deps: AuditLogDeps) {
  const maxBatch = deps.maxBatch ?? 512;
  const heads = new Map<string, Head>();
  let queue: Pending[] = [];
  /** Outcomes waiting for their timer, by account. */
  let later = new Map<string, OutcomeEntry[]>();
  let flushing = false;
  /** A decision was written at once in this turn of the event loop. */
  let wroteThisTurn = false;
  let scheduled = false;
  let outcomeTimer: NodeJS.Timeout | undefined;

  async function readHead(accountId: string): Promise<Head> {
    const h = await deps.store.audit.head(accountId);
    const head = h === undefined ? { seq: 0, link: GENESIS_LINK } : { seq: h.seq, link: Buffer.from(h.link) };
    heads.set(accountId, head);
    return head;
  }

  /** Links a batch onto the heads it starts from; `next` ends holding each account's new head. */
  function link(batch: readonly Pending[], start: ReadonlyMap<string, Head>, next: Map<string, Head>): { rows: AuditRow[]; seqs: number[] } {
    const rows: AuditRow[] = [];
    const seqs: number[] = [];
    for (const p of batch) {
      const head = next.get(p.accountId) ?? start.get(p.accountId) as Head;
      const seq = head.seq + 1;
      const body = canonicalRecord(p.record);
      const l = linkOf(deps.key, head.link, p.accountId, seq, body);
      rows.push({ accountId: p.accountId, seq, at: p.record.at, body, link: l });
      seqs.push(seq);
      next.set(p.accountId, { seq, link: l });
    }
    return { rows, seqs };
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
        queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
        const next = new Map<string, Head>();
        let seqs: number[];
        try {
          // Heads are read once per account and then kept: this process is the log's only writer.
          for (const p of batch) if (!heads.has(p.accountId)) await readHead(p.accountId);
          const linked = link(batch, heads, next);
          seqs = linked.seqs;
          await deps.store.appendAudit(linked.rows);
        } catch (e) {
          // Another writer may have moved the head: forget it, and let every caller refuse.
          heads.clear();
          for (const p of batch) p.reject?.(e);
          continue;
        }
        for (const [accountId, head] of next) heads.set(accountId, head);
        for (let i = 0; i < batch.length; i++) batch[i]?.resolve?.(seqs[i] ?? 0);
        for (const [accountId, head] of next) deps.onCommit?.(accountId, head);
      }
    } finally {
      flushing = false;
    }
  }

  const endOfTurn = (): void => {
    wroteThisTurn = false;
    if (scheduled) {
      scheduled = false;
      void flush();
    }
  };
  const flushOutcomes = (): void => {
    clearTimeout(outcomeTimer);
    outcomeTimer = undefined;
    for (const [accountId, outcomes] of later) {
      for (let i = 0; i < outcomes.length; i += MAX_OUTCOMES_PER_RECORD) {
        const group = outcomes.slice(i, i + MAX_OUTCOMES_PER_RECORD);
        let at = 0;
        for (const o of group) at = Math.max(at, o.at);
        queue.push({ accountId, record: { kind: 'outcomes', at, outcomes: group } });
      }
    }
    later = new Map();
    void flush();
  };

  return {
    /** Commits everything queued (outcomes included); for shutdown and locking. */
    async drain(): Promise<void> {
      flushOutcomes();
      while (queue.length > 0 || flushing) {
        await flush();
        if (flushing) await new Promise((r) => setImmediate(r));
      }
    },
    /** Resolves with the record's sequence number once it is committed. */
    append(accountId: string, record: AuditRecord): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        const pending = { accountId, record, resolve, reject };
        if (record.kind === 'decision') {
          queue.push(pending);
          if (flushing) return; // the write in flight takes it on when it is done
          if (!wroteThisTurn) {
            wroteThisTurn = true;
            setImmediate(endOfTurn);
            void flush();
          } else {
            scheduled = true;
          }
        } else {
          // Not a decision: nothing is in a hurry for it; written with the next outcomes.
          queue.push(pending);
          outcomeTimer ??= setTimeout(flushOutcomes, 20);
        }
      });
    },
    /**
     * Queues an outcome nobody waits on: written within 20 ms, in one record with the account's
     * other outcomes of those 20 ms. A failure to write it shows in the log as a missing outcome.
     */
    appendLater(accountId: string, outcome: OutcomeEntry): void {
      let list = later.get(accountId);
      if (list === undefined) later.set(accountId, list = []);
      list.push(outcome);
      outcomeTimer ??= setTimeout(flushOutcomes, 20);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
