// The security centre's calls. Shapes follow packages/keyward/src/api/{security,token,passkey,
// credential}-routes.ts and the audit status route in main/server.ts; GET /api/v1/openapi.json
// lists them all.
import type { Policy } from '@keyward/protocol/policy';
import { request } from './http.js';

const seg = (s: string): string => encodeURIComponent(s);

export interface TokenView {
  readonly accessor: string;
  readonly parent: string | null;
  readonly label: string;
  /** 'root' only for the account's own root, which the list shows as every tree's top. */
  readonly policy: Policy | 'root';
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly usesLeft: number | null;
  readonly revokedAt: number | null;
}

export interface IssuedToken extends TokenView {
  /** The bearer token: shown once, never stored. */
  readonly token: string;
}

export interface AccessRecord {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly endpoint: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: string | null;
  readonly sourceIp: string | null;
  readonly outcome: { readonly status: number | null; readonly latencyMs: number; readonly error: string | null } | null;
}

export interface AuditStatus {
  readonly ok: boolean;
  readonly records: number;
  readonly lastSeq: number;
  readonly checkpoints: number;
  readonly problems: readonly { readonly kind: string; readonly seq: number; readonly detail: string }[];
}

export interface CredentialSummary {
  readonly id: string;
  readonly name: string;
  readonly exchange: string;
  readonly custody: string;
}

export interface NewToken {
  readonly label: string;
  readonly parent?: string;
  readonly policy: Policy;
  readonly ttlSeconds?: number;
  readonly uses?: number;
}

export const listTokens = (): Promise<{ tokens: TokenView[] }> => request('GET', '/tokens');
export const issueToken = (t: NewToken): Promise<IssuedToken> => request('POST', '/tokens', t);
export const changeTokenPolicy = (accessor: string, policy: Policy): Promise<TokenView> => request('PATCH', `/tokens/${seg(accessor)}`, { policy });
export const revokeToken = (accessor: string): Promise<{ revoked: number }> => request('DELETE', `/tokens/${seg(accessor)}`);
export const tokenAccessLog = (accessor: string, limit = 100): Promise<{ records: AccessRecord[] }> =>
  request('GET', `/tokens/${seg(accessor)}/access-log?limit=${String(limit)}`);
export const auditStatus = (): Promise<AuditStatus> => request('GET', '/audit/status');
export const listCredentials = (): Promise<{ credentials: CredentialSummary[] }> => request('GET', '/credentials');

export interface SessionView {
  readonly id: string;
  readonly current: boolean;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly ip: string;
  readonly userAgent: string;
  readonly device: string;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  readonly unlocked: boolean;
}

export const listSessions = (): Promise<{ sessions: SessionView[] }> => request('GET', '/sessions');
export const endSession = (id: string): Promise<void> => request('DELETE', `/sessions/${seg(id)}`);

export interface Notification {
  readonly id: string;
  readonly at: number;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly readAt: number | null;
}

export const listNotifications = (unreadOnly = false): Promise<{ notifications: Notification[] }> =>
  request('GET', `/notifications${unreadOnly ? '?unread=1' : ''}`);
export const markNotificationsRead = (ids: readonly string[] | 'all'): Promise<{ marked: number }> => request('POST', '/notifications/read', { ids });

export interface FactorView { readonly id: string; readonly label: string; readonly createdAt: number; readonly usedAt: number | null }
export interface SecondFactors { readonly totp: FactorView[]; readonly passkeys: FactorView[]; readonly recoveryCodesLeft: number }

export const listSecondFactors = (): Promise<SecondFactors> => request('GET', '/account/second-factors');
export const startTotp = (): Promise<{ otpauthUri: string; qrSvg: string; confirmBy: number }> => request('POST', '/account/totp');
export const confirmTotp = (code: string, label: string): Promise<{ enrolled: boolean; recoveryCodes: string[] | null }> =>
  request('POST', '/account/totp/confirm', { code, label });
export const replaceRecoveryCodes = (): Promise<{ recoveryCodes: string[] }> => request('POST', '/account/recovery-codes');
export const removeSecondFactor = (id: string): Promise<void> => request('DELETE', `/account/second-factors/${seg(id)}`);
export const passkeyRegistrationOptions = (): Promise<Record<string, unknown>> => request('POST', '/account/passkeys/options');
export const addPasskey = (label: string, response: Record<string, unknown>): Promise<{ id: string; recoveryCodes: string[] | null }> =>
  request('POST', '/account/passkeys', { label, response });

export const changePasswordOnServer = (body: unknown): Promise<{ otherSessionsEnded: number }> => request('PUT', '/account/password', body);
export const changeEmail = (email: string): Promise<{ email: string }> => request('PUT', '/account/email', { email });
export const setIpAllowlist = (cidrs: readonly string[] | null): Promise<{ cidrs: string[] | null }> => request('PUT', '/account/ip-allowlist', { cidrs });
export const breakGlass = (): Promise<{ tokensRevoked: number; sessionsEnded: number; tookMs: number }> =>
  request('POST', '/account/break-glass', { confirm: 'BREAK GLASS' });
