// Browser sessions (docs/server.md "Sessions"). The cookie holds 32 random bytes; the database holds
// only a keyed hash of them, so a copy of the database cannot be replayed as a cookie. Each session
// has a CSRF token (also stored hashed), idle and absolute timeouts, an optional IP allowlist check,
// and a "fresh" mark set when the password was re-confirmed. Ending a session wipes the user key it
// handed over (vault's session key ring).
import { KeywardError } from '@keyward/protocol/errors';
import { equal, randomBytes } from '../crypto/index.js';
import { isAddressAllowed } from '../policy/index.js';
import type { AccountRow, SessionRow, Store } from '../store/index.js';

export const FRESH_MS = 5 * 60_000;

export interface ActiveSession {
  readonly id: string;
  readonly accountId: string;
  readonly account: AccountRow;
  readonly row: SessionRow;
}

export interface SessionServiceDeps {
  readonly store: Pick<Store, 'sessions' | 'accounts'>;
  /** A keyed hash (hex) of a cookie or CSRF value; the key is the server's, not in the database. */
  readonly hash: (value: Uint8Array) => string;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly now: () => number;
  /** Called whenever a session ends, to wipe what it unlocked. */
  readonly onEnd: (sessionId: string) => void;
}

export interface StartedSession {
  readonly id: string;
  /** The cookie value (base64url). A bearer secret of the browser's, never logged. */
  readonly cookie: string;
  readonly csrf: string;
  readonly row: SessionRow;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

export function addressAllowed(allowlist: readonly string[] | null, ip: string): boolean {
  if (allowlist === null || allowlist.length === 0) return true;
  return isAddressAllowed(allowlist, ip);
}

export function createSessionService(deps: SessionServiceDeps) {
  const { store } = deps;

  async function start(accountId: string, client: { ip: string; userAgent: string; device: string }): Promise<StartedSession> {
    const cookieBytes = randomBytes(32);
    const csrfBytes = randomBytes(32);
    const at = deps.now();
    const row: SessionRow = {
      id: deps.hash(cookieBytes), accountId, createdAt: at, lastSeenAt: at, expiresAt: at + deps.absoluteMs, reauthAt: at,
      ip: client.ip, userAgent: client.userAgent.slice(0, 300), device: deps.hash(Buffer.from(client.device)), csrf: Buffer.from(deps.hash(csrfBytes), 'hex'),
      endedAt: null, endReason: null,
    };
    await store.sessions.insert(row);
    return { id: row.id, cookie: b64(cookieBytes), csrf: b64(csrfBytes), row };
  }

  /** The session a cookie names, checked: not ended, not idle too long, not past its end, allowed address. */
  async function resolve(cookie: string | undefined, ip: string): Promise<ActiveSession> {
    if (cookie === undefined || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) throw new KeywardError('KW_SESSION_REQUIRED');
    const id = deps.hash(Buffer.from(cookie, 'base64url'));
    const row = await store.sessions.findById(id);
    if (row === undefined) throw new KeywardError('KW_SESSION_EXPIRED');
    const at = deps.now();
    if (row.endedAt !== null) throw new KeywardError('KW_SESSION_EXPIRED', `This session ended (${row.endReason ?? 'signed out'}).`);
    if (at >= row.expiresAt) {
      await end(id, 'absolute timeout');
      throw new KeywardError('KW_SESSION_EXPIRED', 'This session reached its maximum length.');
    }
    if (at - row.lastSeenAt >= deps.idleMs) {
      await end(id, 'idle timeout');
      throw new KeywardError('KW_SESSION_EXPIRED', 'This session was idle too long.');
    }
    const account = await store.accounts.findById(row.accountId);
    if (account === undefined) throw new KeywardError('KW_SESSION_EXPIRED');
    if (!addressAllowed(account.ipAllowlist, ip)) throw new KeywardError('KW_ADDRESS_NOT_ALLOWED', `${ip} is not on this account's IP allowlist.`);
    // Touch at most every few seconds: a page firing ten requests writes once.
    if (at - row.lastSeenAt > 5_000) await store.sessions.touch(id, at);
    return { id, accountId: row.accountId, account, row };
  }

  function checkCsrf(session: ActiveSession, header: string | undefined): void {
    if (header === undefined || !/^[A-Za-z0-9_-]{43}$/.test(header)) throw new KeywardError('KW_CSRF_INVALID');
    const presented = Buffer.from(deps.hash(Buffer.from(header, 'base64url')), 'hex');
    if (!equal(presented, session.row.csrf)) throw new KeywardError('KW_CSRF_INVALID');
  }

  /** A new CSRF token for a live session (the old one stops working), e.g. after a page reload. */
  async function rotateCsrf(session: ActiveSession): Promise<string> {
    const bytes = randomBytes(32);
    await store.sessions.setCsrf(session.id, Buffer.from(deps.hash(bytes), 'hex'));
    return b64(bytes);
  }

  function isFresh(session: ActiveSession): boolean {
    return session.row.reauthAt !== null && deps.now() - session.row.reauthAt < FRESH_MS;
  }

  async function end(id: string, reason: string): Promise<boolean> {
    deps.onEnd(id);
    return store.sessions.end(id, deps.now(), reason);
  }

  async function endAll(accountId: string, reason: string, exceptId?: string): Promise<number> {
    const live = (await store.sessions.list(accountId)).filter((s) => s.endedAt === null && s.id !== exceptId);
    for (const s of live) deps.onEnd(s.id);
    return store.sessions.endAll(accountId, deps.now(), reason, exceptId);
  }

  return { start, resolve, checkCsrf, rotateCsrf, isFresh, end, endAll, markFresh: (id: string) => store.sessions.setReauth(id, deps.now()) };
}

export type SessionService = ReturnType<typeof createSessionService>;
