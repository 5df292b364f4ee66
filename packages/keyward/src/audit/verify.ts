// Walks an account's chain and compares it with the signed checkpoints. It names what happened:
// - edited:   a record's link fails, but the next record chains from its stored link;
// - inserted: a record's link fails, and the next record chains from the record before it;
// - deleted:  a gap in the sequence numbers;
// - broken:   from some record on nothing verifies (records removed or inserted and renumbered);
// - cut-tail: the log ends before a signed checkpoint's sequence number;
// - checkpoint-mismatch: the record a checkpoint vouches for has another link now;
// - bad-checkpoint: a checkpoint line whose signature does not verify.
import { equal } from '../crypto/index.js';
import type { AuditRow } from '../store/index.js';
import { GENESIS_LINK, linkVersion, type ChainKey } from './chain.js';
import type { CheckpointLine } from './checkpoint.js';

export interface Problem {
  readonly kind: 'edited' | 'inserted' | 'deleted' | 'broken' | 'cut-tail' | 'checkpoint-mismatch' | 'bad-checkpoint';
  readonly seq: number;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly records: number;
  readonly lastSeq: number;
  readonly checkpoints: number;
  readonly problems: readonly Problem[];
}

export function verifyChain(key: ChainKey, accountId: string, rows: readonly AuditRow[], checkpoints: readonly CheckpointLine[]): VerifyReport {
  const problems: Problem[] = [];
  /** Set at an account's first BLAKE2b link: from there on, the older MAC no longer vouches (chain.ts). */
  let current = false;
  const version = (prev: Uint8Array, row: AuditRow): 1 | 2 | null => linkVersion(key, prev, accountId, row.seq, row.body, row.link);
  const accepted = (v: 1 | 2 | null): boolean => v === 2 || (v === 1 && !current);
  const verifies = (prev: Uint8Array, row: AuditRow): boolean => accepted(version(prev, row));
  let prev: Uint8Array = GENESIS_LINK;
  let expected = 1;
  let brokenRun = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as AuditRow;
    if (row.seq > expected) {
      problems.push({ kind: 'deleted', seq: expected, detail: row.seq - expected === 1 ? `record ${String(expected)} is missing` : `records ${String(expected)}-${String(row.seq - 1)} are missing` });
    } else if (row.seq < expected) {
      problems.push({ kind: 'inserted', seq: row.seq, detail: `record ${String(row.seq)} is out of order` });
    }
    const v = version(prev, row);
    if (accepted(v)) {
      brokenRun = 0;
      if (v === 2) current = true;
    } else if (row.seq > expected) {
      // Already reported as a gap: the survivor after a deletion cannot chain to its old predecessor.
    } else {
      const next = rows[i + 1];
      if (next !== undefined && verifies(row.link, next)) {
        problems.push({ kind: 'edited', seq: row.seq, detail: `record ${String(row.seq)} was changed after it was written` });
      } else if (next !== undefined && verifies(prev, { ...next, seq: next.seq - 1 })) {
        problems.push({ kind: 'inserted', seq: row.seq, detail: `record ${String(row.seq)} was inserted; the records after it were renumbered` });
      } else if (brokenRun === 0) {
        problems.push({ kind: 'broken', seq: row.seq, detail: `from record ${String(row.seq)} on the chain does not verify` });
      }
      brokenRun++;
    }
    prev = row.link;
    expected = row.seq + 1;
  }
  const lastSeq = rows.at(-1)?.seq ?? 0;
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  let valid = 0;
  for (const c of checkpoints) {
    if ('invalid' in c) {
      problems.push({ kind: 'bad-checkpoint', seq: 0, detail: `checkpoint line ${String(c.line)}: ${c.invalid}` });
      continue;
    }
    valid++;
    const cp = c.checkpoint;
    if (cp.seq > lastSeq) {
      problems.push({ kind: 'cut-tail', seq: lastSeq + 1, detail: `the log ends at record ${String(lastSeq)}, but a signed checkpoint vouches for ${String(cp.seq)}: records ${String(lastSeq + 1)}-${String(cp.seq)} were removed` });
      continue;
    }
    const row = bySeq.get(cp.seq);
    if (row === undefined || !equal(Buffer.from(cp.link, 'hex'), row.link)) {
      problems.push({ kind: 'checkpoint-mismatch', seq: cp.seq, detail: `record ${String(cp.seq)} is not the one the checkpoint of ${new Date(cp.at).toISOString()} vouched for` });
    }
  }
  // One cut tail is enough to report, the largest.
  const cuts = problems.filter((p) => p.kind === 'cut-tail');
  const kept = problems.filter((p) => p.kind !== 'cut-tail');
  if (cuts.length > 0) kept.push(cuts.reduce((a, b) => (a.detail.length >= b.detail.length && a.seq >= b.seq ? a : b)));
  return { ok: kept.length === 0, records: rows.length, lastSeq, checkpoints: valid, problems: kept };
}
