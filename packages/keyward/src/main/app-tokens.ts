// The web app trades through the gateway's own path (policy, signing, audit), so it needs what a
// bot has: a token. Each unlocked session gets, per credential it trades on, a child token of the
// account's root, made on first use, held only in this process's memory, expiring with the session
// and revoked when the session ends. Its requests show in the access log like any token's.
import type { TokenService } from '../tokens/index.js';

export interface AppTokensDeps {
  readonly tokens: Pick<TokenService, 'issue' | 'revoke'>;
  readonly now: () => number;
}

/** Everything the owner may do with the credential: the root's policy still bounds it. */
const appPolicy = (credential: string) => ({
  credential, actions: ['read', 'trade', 'cancel'], symbols: null, maxOrderNotional: null, maxDailyNotional: null,
  priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null,
});

export function createAppTokens(deps: AppTokensDeps) {
  const bySession = new Map<string, { accountId: string; tokens: Map<string, Promise<{ accessor: string; token: string }>> }>();

  return {
    /** A live token of this session for `credential`; `expiresAt`: the session's absolute end. */
    async tokenFor(accountId: string, sessionId: string, credential: string, expiresAt: number): Promise<string> {
      let s = bySession.get(sessionId);
      if (s === undefined) bySession.set(sessionId, (s = { accountId, tokens: new Map() }));
      let issued = s.tokens.get(credential);
      if (issued === undefined) {
        issued = deps.tokens.issue({ accountId, label: `web session ${sessionId.slice(0, 8)}`, policy: appPolicy(credential), expiresAt })
          .then((r) => ({ accessor: r.row.accessor, token: r.token }));
        s.tokens.set(credential, issued);
        issued.catch(() => s?.tokens.delete(credential));
      }
      return (await issued).token;
    },
    /** Revokes and forgets a session's tokens (sign-out, expiry, break-glass). */
    async endSession(sessionId: string): Promise<void> {
      const s = bySession.get(sessionId);
      if (s === undefined) return;
      bySession.delete(sessionId);
      for (const p of s.tokens.values()) {
        const t = await p.catch(() => null);
        if (t !== null) await deps.tokens.revoke(s.accountId, t.accessor).catch(() => 0);
      }
    },
    endAccount(accountId: string): void {
      for (const [id, s] of bySession) if (s.accountId === accountId) bySession.delete(id);
    },
  };
}

export type AppTokens = ReturnType<typeof createAppTokens>;
