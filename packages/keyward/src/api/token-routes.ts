// Tokens and their policies from the security centre: the tree, issue, narrow (or raise, with a
// fresh password), revoke a subtree, and each token's access log from the audit chain.
import { KeywardError } from '@keyward/protocol/errors';
import { isPolicyError, parsePolicy } from '@keyward/protocol/policy';
import { z } from 'zod';
import { isSubset } from '../policy/index.js';
import { parseStoredPolicy, ROOT_POLICY } from '../tokens/index.js';
import type { TokenRow } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { route, type RouteDef } from './route.js';
import type { ActiveSession } from './sessions.js';

const accessorParams = z.object({ accessor: z.string().regex(/^[A-Za-z0-9_-]{4,80}$/) }).strict();

export function tokenView(t: TokenRow): Record<string, unknown> {
  return {
    accessor: t.accessor, parent: t.parentAccessor, label: t.label, policy: t.policy === ROOT_POLICY ? 'root' : parseStoredPolicy(t),
    createdAt: t.createdAt, expiresAt: t.expiresAt, usesLeft: t.usesLeft, revokedAt: t.revokedAt,
  };
}

/** Hooks the server adds to issuing and revoking (token-bound custody keys, memory wipes). */
export interface TokenHooks {
  /** After a token is issued, with its plaintext, while the session's user key is held. */
  afterIssue(session: ActiveSession, row: TokenRow, token: string): Promise<void>;
  /** After tokens were revoked: forget whatever was opened with them. */
  afterRevoke(accountId: string, accessors: readonly string[]): void;
}

export function tokenRoutes(deps: ApiDeps, hooks: TokenHooks, accessLog: (accountId: string, accessor: string, limit: number) => Promise<unknown[]>): RouteDef[] {
  const { tokens, store } = deps;
  const mine = async (s: ActiveSession, accessor: string): Promise<TokenRow> => {
    const row = await store.tokens.findByAccessor(accessor);
    if (row === undefined || row.accountId !== s.accountId || row.policy === ROOT_POLICY) throw new KeywardError('KW_TOKEN_NOT_FOUND');
    return row;
  };
  return [
    route({
      method: 'GET', url: '/api/v1/tokens', tag: 'tokens', access: 'session',
      summary: 'Every token of the account, as a tree (parent accessors), revoked ones included',
      handler: async ({ session }) => ({ tokens: (await tokens.list((session as ActiveSession).accountId)).map(tokenView) }),
    }),
    route({
      method: 'POST', url: '/api/v1/tokens', tag: 'tokens', access: 'unlocked', status: 201,
      summary: 'Issue a token (a child of the account root or of PARENT); its policy must narrow its parent. The token is shown once.',
      body: z.object({
        label: z.string().trim().min(1).max(80),
        parent: z.string().regex(/^[A-Za-z0-9_-]{4,80}$/).optional(),
        policy: z.unknown(),
        ttlSeconds: z.number().int().positive().max(10 * 365 * 86400).optional(),
        uses: z.number().int().positive().max(1_000_000).optional(),
      }).strict(),
      handler: async ({ session, body }) => {
        const s = session as ActiveSession;
        const policy = parsePolicy(body.policy);
        if (isPolicyError(policy)) throw new KeywardError('KW_POLICY_INVALID', policy.error);
        if ((await store.credentials.findByName(s.accountId, policy.credential)) === undefined) {
          throw new KeywardError('KW_CREDENTIAL_NOT_FOUND', `No credential named "${policy.credential.slice(0, 60)}".`);
        }
        const issued = await tokens.issue({
          accountId: s.accountId, label: body.label, policy: body.policy,
          ...(body.parent === undefined ? {} : { parent: body.parent }),
          expiresAt: body.ttlSeconds === undefined ? null : deps.now() + body.ttlSeconds * 1000, uses: body.uses ?? null,
        });
        await hooks.afterIssue(s, issued.row, issued.token);
        deps.notify(s.accountId, 'token-created', { tokenLabel: body.label, accessor: issued.row.accessor });
        return { token: issued.token, ...tokenView(issued.row) };
      },
    }),
    route({
      method: 'PATCH', url: '/api/v1/tokens/:accessor', tag: 'tokens', access: 'session',
      summary: "Change a token's policy: narrowing needs a session, raising needs a fresh password confirmation and must stay within the parent",
      params: accessorParams,
      body: z.object({ policy: z.unknown() }).strict(),
      handler: async ({ session, params, body }) => {
        const s = session as ActiveSession;
        const row = await mine(s, params.accessor);
        const next = parsePolicy(body.policy);
        if (isPolicyError(next)) throw new KeywardError('KW_POLICY_INVALID', next.error);
        const current = parsePolicy(parseStoredPolicy(row));
        if (isPolicyError(current)) throw new KeywardError('KW_POLICY_INVALID', 'The stored policy cannot be read.');
        if (next.credential !== current.credential) throw new KeywardError('KW_POLICY_INVALID', 'A token keeps its credential; issue a new token for another.');
        const narrows = isSubset(next, current).ok;
        if (!narrows) {
          if (!deps.sessions.isFresh(s)) throw new KeywardError('KW_REAUTH_REQUIRED');
          const parent = row.parentAccessor === null ? undefined : await store.tokens.findByAccessor(row.parentAccessor);
          if (parent !== undefined && parent.policy !== ROOT_POLICY) {
            const p = parsePolicy(parseStoredPolicy(parent));
            const within = isPolicyError(p) ? { ok: false as const, reasons: ['the parent policy cannot be read'] } : isSubset(next, p);
            if (!within.ok) throw new KeywardError('KW_TOKEN_POLICY_NOT_SUBSET', `A token can only narrow its parent's policy: ${within.reasons.join('; ')}.`);
          }
        }
        if (!await store.tokens.setPolicy(row.accessor, JSON.stringify(body.policy))) throw new KeywardError('KW_TOKEN_NOT_FOUND');
        if (!narrows) deps.notify(s.accountId, 'policy-raised', { tokenLabel: row.label, accessor: row.accessor });
        return tokenView({ ...row, policy: JSON.stringify(body.policy) });
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/tokens/:accessor', tag: 'tokens', access: 'session',
      summary: 'Revoke a token and every token under it, effective at their next request',
      params: accessorParams,
      handler: async ({ session, params }) => {
        const s = session as ActiveSession;
        const row = await mine(s, params.accessor);
        const before = new Set((await store.tokens.list(s.accountId)).filter((t) => t.revokedAt === null).map((t) => t.accessor));
        const revoked = await tokens.revoke(s.accountId, row.accessor);
        const gone = (await store.tokens.list(s.accountId)).filter((t) => t.revokedAt !== null && before.has(t.accessor)).map((t) => t.accessor);
        hooks.afterRevoke(s.accountId, gone);
        deps.notify(s.accountId, 'token-revoked', { tokenLabel: row.label, accessor: row.accessor, count: revoked });
        return { revoked };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/tokens/:accessor/access-log', tag: 'tokens', access: 'session',
      summary: "A token's requests from the audit log: each decision with its outcome, newest first",
      params: accessorParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      handler: async ({ session, params, query }) => {
        const s = session as ActiveSession;
        await mine(s, params.accessor);
        return { records: await accessLog(s.accountId, params.accessor, query.limit) };
      },
    }),
  ];
}
