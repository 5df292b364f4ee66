// User keys handed to the server at unlock (sealed custody), held in secure memory per session and
// wiped when that session ends: sign-out, idle or absolute timeout, revocation, break-glass.
import type { SecureBuffer } from '../crypto/index.js';

export function createSessionKeyRing() {
  const bySession = new Map<string, { accountId: string; key: SecureBuffer }>();

  function dropSession(sessionId: string): void {
    const e = bySession.get(sessionId);
    if (e === undefined) return;
    e.key.release();
    bySession.delete(sessionId);
  }

  return {
    /** Takes ownership of `userKey`; a session unlocking twice keeps only the newer copy. */
    put(accountId: string, sessionId: string, userKey: SecureBuffer): void {
      dropSession(sessionId);
      bySession.set(sessionId, { accountId, key: userKey });
    },
    /** A live user key of the account (from any of its unlocked sessions), or undefined. */
    forAccount(accountId: string): SecureBuffer | undefined {
      for (const e of bySession.values()) if (e.accountId === accountId) return e.key;
      return undefined;
    },
    accountOf: (sessionId: string): string | undefined => bySession.get(sessionId)?.accountId,
    hasSession: (sessionId: string): boolean => bySession.has(sessionId),
    dropSession,
    dropAccount(accountId: string): void {
      for (const [id, e] of bySession) if (e.accountId === accountId) dropSession(id);
    },
    clear(): void {
      for (const id of [...bySession.keys()]) dropSession(id);
    },
    size: (): number => bySession.size,
  };
}

export type SessionKeyRing = ReturnType<typeof createSessionKeyRing>;
