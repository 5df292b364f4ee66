/**
 * @module main
 * Composition roots, one per deployment shape; imported only by cli/.
 */
export { openLocal, sqlitePathOf, type LocalContext, type LocalLocation } from './local.js';
export {
  exportBackup, mergeBackup, openBackup, parseBackup, restoreBackup, LOCAL_ACCOUNT_NAME,
  type CredentialInput, type CredentialSummary, type OpenedBackup, type ParsedBackup,
} from '../vault/index.js';
export { signRequest, type SignRequestInput, type SignedHttpRequest } from './sign.js';
export { startSandbox, type RunningSandbox } from './sandbox.js';
export { startAgent, policySubset, type AgentOptions, type RunningAgent } from './agent.js';
export { issueToken, listTokens, revokeToken, verifyAudit, auditEntries, checkpointFile } from './admin.js';
export { startServer, type ServerOptions, type RunningServer } from './server.js';
export { rotateKek } from './rotate-kek.js';
