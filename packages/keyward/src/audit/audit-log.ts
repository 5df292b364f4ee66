// Appending to the audit log. Every gateway request writes a decision record BEFORE it is
// forwarded (DESIGN.md): `append` resolves only when the record is committed, and rejects if it
// cannot be, so the caller refuses the request. Appends that arrive together are written in one
// transaction (group commit), and outcome records wait to join the next one, so the log does not
// become the gateway's bottleneck. Commits (Store.appendAudit) survive a crash of the gateway at
// once and reach the disk with the next WAL flush: a power failure can lose the last milliseconds
// of the log, which `keyward audit verify` then reports against its checkpoints.
import type { HmacKey } from '../crypto/index.js';
import type { AuditRepo, AuditRow, Store } from '../store/index.js';
import { GENESIS_LINK, linkOf } from './chain.js';
import { canonicalRecord, type AuditRecord } from './record.js';

export interface AuditLogDeps {
  readonly store: Pick<Store, 'appendAudit'> & { readonly audit: Pick<AuditRepo, 'head'> };
  readonly key: HmacKey;
  /** Called after each committed batch with the new head, e.g. to write checkpoints. */
  readonly onCommit?: (accountId: string, head: { seq: number; link: Buffer }) => void;
  /** Largest batch per transaction. */
  readonly maxBatch?: number;
}

interface Pending {
  readonly accountId: string;
  readonly record: AuditRecord;
  resolve(seq: number): void;
  reject(e: unknown): void;
}

export function createAuditLog(deps: AuditLogDeps) {
  const maxBatch = deps.maxBatch ?? 512;
  const heads = new Map<string, { seq: number; link: Buffer }>();
  let queue: Pending[] = [];
  let flushing = false;
  let scheduled = false;
  let outcomeTimer: NodeJS.Timeout | undefined;

  async function headOf(accountId: string): Promise<{ seq: number; link: Buffer }> {
    const cached = heads.get(accountId);
    if (cached !== undefined) return cached;
    const h = await deps.store.audit.head(accountId);
    const head = h === undefined ? { seq: 0, link: GENESIS_LINK } : { seq: h.seq, link: Buffer.from(h.link) };
    heads.set(accountId, head);
    return head;
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        const rows: AuditRow[] = [];
        const seqs: number[] = [];
        const next = new Map<string, { seq: number; link: Buffer }>();
        try {
          for (const p of batch) {
            const head = next.get(p.accountId) ?? await headOf(p.accountId);
            const seq = head.seq + 1;
            const body = canonicalRecord(p.record);
            const link = linkOf(deps.key, head.link, p.accountId, seq, body);
            rows.push({ accountId: p.accountId, seq, at: p.record.at, body, link });
            seqs.push(seq);
            next.set(p.accountId, { seq, link });
          }
          await deps.store.appendAudit(rows);
        } catch (e) {
          // Another writer may have moved the head: forget it, and let every caller refuse.
          heads.clear();
          for (const p of batch) p.reject(e);
          continue;
        }
        for (const [accountId, head] of next) {
          heads.set(accountId, head);
          deps.onCommit?.(accountId, head);
        }
        batch.forEach((p, i) => p.resolve(seqs[i] ?? 0));
      }
    } finally {
      flushing = false;
    }
  }

  return {
    /** Commits everything queued (outcomes included); for shutdown and locking. */
    async drain(): Promise<void> {
      clearTimeout(outcomeTimer);
      outcomeTimer = undefined;
      while (queue.length > 0 || flushing) {
        await flush();
        if (flushing) await new Promise((r) => setImmediate(r));
      }
    },
    /** Resolves with the record's sequence number once it is committed. */
    append(accountId: string, record: AuditRecord): Promise<number> {
      return new Promise<number>((resolve, reject) => {
        queue.push({ accountId, record, resolve, reject });
        if (record.kind === 'decision') {
          // Let every request that arrives in this turn of the event loop join the batch.
          if (!scheduled) {
            scheduled = true;
            setImmediate(() => {
              scheduled = false;
              void flush();
            });
          }
        } else {
          // Nothing waits on an outcome: it joins the next decision's batch, or goes within 20 ms.
          outcomeTimer ??= setTimeout(() => {
            outcomeTimer = undefined;
            void flush();
          }, 20);
        }
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
