// The security centre's calls. Shapes follow packages/keyward/src/api/{security,token,passkey,
// credential}-routes.ts and the audit status route in main/server.ts; GET /api/v1/openapi.json
// lists them all.
import type { Policy } from '@keyward/protocol/policy';
import { request } from './http.js';

// http.ts types the four methods the auth calls use; narrowing a token is the one PATCH.
const send = request as <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<T>;
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

export const listTokens = (): Promise<{ tokens: TokenView[] }> => send('GET', '/tokens');
export const issueToken = (t: NewToken): Promise<IssuedToken> => send('POST', '/tokens', t);
export const changeTokenPolicy = (accessor: string, policy: Policy): Promise<TokenView> => send('PATCH', `/tokens/${seg(accessor)}`, { policy });
export const revokeToken = (accessor: string): Promise<{ revoked: number }> => send('DELETE', `/tokens/${seg(accessor)}`);
export const tokenAccessLog = (accessor: string, limit = 100): Promise<{ records: AccessRecord[] }> =>
  send('GET', `/tokens/${seg(accessor)}/access-log?limit=${String(limit)}`);
export const auditStatus = (): Promise<AuditStatus> => send('GET', '/audit/status');
export const listCredentials = (): Promise<{ credentials: CredentialSummary[] }> => send('GET', '/credentials');

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

export const listSessions = (): Promise<{ sessions: SessionView[] }> => send('GET', '/sessions');
export const endSession = (id: string): Promise<void> => send('DELETE', `/sessions/${seg(id)}`);

export interface Notification {
  readonly id: string;
  readonly at: number;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly readAt: number | null;
}

export const listNotifications = (unreadOnly = false): Promise<{ notifications: Notification[] }> =>
  send('GET', `/notifications${unreadOnly ? '?unread=1' : ''}`);
export const markNotificationsRead = (ids: readonly string[] | 'all'): Promise<{ marked: number }> => send('POST', '/notifications/read', { ids });

export interface FactorView { readonly id: string; readonly label: string; readonly createdAt: number; readonly usedAt: number | null }
export interface SecondFactors { readonly totp: FactorView[]; readonly passkeys: FactorView[]; readonly recoveryCodesLeft: number }

export const listSecondFactors = (): Promise<SecondFactors> => send('GET', '/account/second-factors');
export const startTotp = (): Promise<{ otpauthUri: string; qrSvg: string; confirmBy: number }> => send('POST', '/account/totp');
export const confirmTotp = (code: string, label: string): Promise<{ enrolled: boolean; recoveryCodes: string[] | null }> =>
  send('POST', '/account/totp/confirm', { code, label });
export const replaceRecoveryCodes = (): Promise<{ recoveryCodes: string[] }> => send('POST', '/account/recovery-codes');
export const removeSecondFactor = (id: string): Promise<void> => send('DELETE', `/account/second-factors/${seg(id)}`);
export const passkeyRegistrationOptions = (): Promise<Record<string, unknown>> => send('POST', '/account/passkeys/options');
export const addPasskey = (label: string, response: Record<string, unknown>): Promise<{ id: string; recoveryCodes: string[] | null }> =>
  send('POST', '/account/passkeys', { label, response });

export interface ReauthFactor { readonly totp?: string; readonly recoveryCode?: string; readonly passkey?: Record<string, unknown> }
export const reauthenticate = (authKey: string, factor: ReauthFactor): Promise<{ freshUntil: number }> =>
  send('POST', '/session/reauth', { authKey, ...factor });
export const reauthPasskeyOptions = (): Promise<Record<string, unknown>> => send('POST', '/session/passkey-options');

export const changePasswordOnServer = (body: unknown): Promise<{ otherSessionsEnded: number }> => send('PUT', '/account/password', body);
export const changeEmail = (email: string): Promise<{ email: string }> => send('PUT', '/account/email', { email });
export const setIpAllowlist = (cidrs: readonly string[] | null): Promise<{ cidrs: string[] | null }> => send('PUT', '/account/ip-allowlist', { cidrs });
export const breakGlass = (): Promise<{ tokensRevoked: number; sessionsEnded: number; tookMs: number }> =>
  send('POST', '/account/break-glass', { confirm: 'BREAK GLASS' });
