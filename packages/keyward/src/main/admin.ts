// The vault-side operations behind `keyward token` and `keyward audit`: they work on the same
// database as a running agent, so a revocation from the CLI takes effect at the agent's next request.
import { join } from 'node:path';
import { LABELS } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { entriesOf, readCheckpoints, verifyChain, type AuditEntry, type VerifyReport } from '../audit/index.js';
import { createBlake2bMac, createEd25519Key, createHmacKey, releaseAll, type SecureBuffer } from '../crypto/index.js';
import type { TokenRow } from '../store/index.js';
import { createTokenService, type IssueInput } from '../tokens/index.js';
import { policySubset } from './agent.js';
import { openLocal, type LocalLocation } from './local.js';

async function withLocal<T>(location: LocalLocation, fn: (ctx: Awaited<ReturnType<typeof openLocal>>, accountId: string) => Promise<T>): Promise<T> {
  const ctx = await openLocal(location, { create: false });
  try {
    const account = await ctx.store.accounts.findByName('local');
    if (account === undefined) throw new KeywardError('KW_VAULT_NOT_FOUND');
    return await fn(ctx, account.id);
  } finally {
    await ctx.close();
  }
}

export function issueToken(location: LocalLocation, password: SecureBuffer, input: Omit<IssueInput, 'accountId'>): Promise<{ token: string; row: TokenRow }> {
  return withLocal(location, async (ctx, accountId) => {
    const { vault } = await ctx.vault.unlock(password);
    const seed = vault.deriveKey(LABELS.tokenKey);
    vault.lock();
    const hashKey = createHmacKey('sha256', seed);
    seed.release();
    try {
      const credentials = await ctx.vault.list();
      const policy = input.policy as { credential?: unknown };
      if (!credentials.some((c) => c.name === policy.credential)) {
        throw new KeywardError('KW_CREDENTIAL_NOT_FOUND', `No credential named "${String(policy.credential).slice(0, 64)}".`);
      }
      return await createTokenService({ tokens: ctx.store.tokens, hashKey, now: () => Date.now(), isSubset: policySubset }).issue({ ...input, accountId });
    } finally {
      hashKey.release();
    }
  });
}

export function listTokens(location: LocalLocation): Promise<TokenRow[]> {
  return withLocal(location, (ctx, accountId) => createTokenService({ tokens: ctx.store.tokens, hashKey: null, now: () => Date.now(), isSubset: policySubset }).list(accountId));
}

export function revokeToken(location: LocalLocation, accessor: string): Promise<number> {
  return withLocal(location, (ctx, accountId) => createTokenService({ tokens: ctx.store.tokens, hashKey: null, now: () => Date.now(), isSubset: policySubset }).revoke(accountId, accessor));
}

export function checkpointFile(location: LocalLocation): string {
  return join(location.home, 'audit-checkpoints.jsonl');
}

export function verifyAudit(location: LocalLocation, password: SecureBuffer): Promise<VerifyReport> {
  return withLocal(location, async (ctx, accountId) => {
    const { vault } = await ctx.vault.unlock(password);
    const auditSeed = vault.deriveKey(LABELS.auditKey);
    const linkSeed = vault.deriveKey(LABELS.auditLinkKey);
    const checkpointSeed = vault.deriveKey(LABELS.auditCheckpointKey);
    vault.lock();
    const key = { v1: createHmacKey('sha256', auditSeed), v2: createBlake2bMac(linkSeed) };
    const signer = createEd25519Key(checkpointSeed);
    releaseAll(auditSeed, linkSeed, checkpointSeed);
    try {
      const rows = await ctx.store.audit.list(accountId);
      return verifyChain(key, accountId, rows, readCheckpoints(checkpointFile(location), signer.publicKey, accountId));
    } finally {
      key.v1.release();
      key.v2.release();
      signer.release();
    }
  });
}

/** The log as readers show it, oldest first: one entry per decision and per outcome (audit/record.ts, entriesOf). */
export function auditEntries(location: LocalLocation): Promise<AuditEntry[]> {
  return withLocal(location, async (ctx, accountId) => (await ctx.store.audit.list(accountId)).flatMap((r) => entriesOf(r.seq, r.body)));
}
