/**
 * @module audit
 * The tamper-evident audit log: records, the MAC chain, signed checkpoints, verification.
 */
export { canonicalJson, canonicalRecord, entriesOf, type AuditEntry, type AuditRecord, type DecisionRecord, type OutcomeEntry, type OutcomeRecord, type OutcomesRecord } from './record.js';
export { GENESIS_LINK, linkOf, linkOfV1, type ChainKey } from './chain.js';
export { appendCheckpoint, readCheckpoints, type Checkpoint, type CheckpointLine } from './checkpoint.js';
export { verifyChain, type Problem, type VerifyReport } from './verify.js';
export { createCheckpointer, type CheckpointerDeps } from './checkpointer.js';
export { createAuditLog, type AuditLog, type AuditLogDeps } from './audit-log.js';
