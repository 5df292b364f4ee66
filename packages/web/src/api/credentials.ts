// Connecting exchanges (packages/keyward/src/api/credential-routes.ts): the exchanges the server
// connects, the account's keys, and the calls that connect, check, re-custody and remove one. The
// body of `connectCredential` is what `sealCredentialForUpload` returned: ciphertext only.
import type { SealedCredential } from '../crypto/index.js';
import { ApiError, request } from './http.js';

export type Custody = 'sealed' | 'token-bound' | 'delegated';

export interface ExchangeChoice {
  readonly id: string;
  readonly name: string;
}

export interface ExchangesAnswer {
  readonly exchanges: readonly ExchangeChoice[];
  readonly custodyModes: readonly { readonly mode: Custody; readonly whoCanOpen: string }[];
}

export interface KeyPermissions {
  readonly read: boolean | null;
  readonly trade: boolean | null;
  readonly withdraw: boolean | null;
  readonly transfer: boolean | null;
  readonly ipRestricted: boolean | null;
  readonly ipAllowlist: readonly string[] | null;
}

export interface CredentialCheck {
  readonly checkedAt: number;
  readonly ok: boolean;
  readonly permissions: KeyPermissions | null;
  readonly warnings: readonly string[];
  readonly refusal: string | null;
}

export interface CredentialView {
  readonly id: string;
  readonly name: string;
  readonly exchange: string;
  readonly fingerprint: string;
  readonly custody: Custody;
  readonly whoCanOpen: string;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
  readonly check: CredentialCheck | null;
}

export interface ServerInfo {
  readonly gatewayUrl: string;
  readonly exchanges: readonly string[];
  readonly sandbox: boolean;
  /** The address exchanges see Keyward's requests come from (for a key's IP restriction), or words when unknown. */
  readonly egressAddress: string;
}

const seg = (s: string): string => encodeURIComponent(s);

let info: Promise<ServerInfo> | null = null;
/** Asked once per page: it describes the server, not the account. A failure is not kept. */
export const serverInfo = (): Promise<ServerInfo> => {
  info ??= request<ServerInfo>('GET', '/info').catch((e: unknown) => {
    info = null;
    throw e;
  });
  return info;
};
export const listExchanges = (): Promise<ExchangesAnswer> => request('GET', '/exchanges');

/** A sandbox server's paper key (paper money), for trying the wizard; sealed like any other before upload. */
export interface PaperKey {
  readonly exchange: string;
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase?: string;
}
export const paperKey = (exchange: string, withdraw: boolean): Promise<PaperKey> => request('POST', '/sandbox/paper-key', { exchange, withdraw });
export const listCredentials = (): Promise<{ credentials: CredentialView[] }> => request('GET', '/credentials');
export const connectCredential = (sealed: SealedCredential, custody: Custody): Promise<CredentialView> =>
  request('POST', '/credentials', { ...sealed, custody });
export const checkCredential = (id: string): Promise<CredentialView> => request('POST', `/credentials/${seg(id)}/check`);
export const setCustody = (id: string, custody: Custody): Promise<CredentialView> => request('PUT', `/credentials/${seg(id)}/custody`, { custody });
export const removeCredential = (id: string): Promise<void> => request('DELETE', `/credentials/${seg(id)}`);

const FLAGS = ['read', 'trade', 'withdraw', 'transfer', 'ipRestricted'] as const;

/** What a refused key could do: the `permissions` member of a 422 KW_CREDENTIAL_REFUSED problem. */
export function refusedPermissions(e: unknown): KeyPermissions | null {
  return e instanceof ApiError && e.code === 'KW_CREDENTIAL_REFUSED' ? permissionsOf(e.extras['permissions']) : null;
}

/** Checked, since it comes from the network: anything not shaped like KeyPermissions is absent. */
export function permissionsOf(value: unknown): KeyPermissions | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!FLAGS.every((f) => v[f] === undefined || v[f] === null || typeof v[f] === 'boolean')) return null;
  if (!FLAGS.some((f) => typeof v[f] === 'boolean')) return null;
  const list = Array.isArray(v['ipAllowlist']) && v['ipAllowlist'].every((x) => typeof x === 'string') ? v['ipAllowlist'] as string[] : null;
  const flag = (f: (typeof FLAGS)[number]): boolean | null => (typeof v[f] === 'boolean' ? v[f] as boolean : null);
  return { read: flag('read'), trade: flag('trade'), withdraw: flag('withdraw'), transfer: flag('transfer'), ipRestricted: flag('ipRestricted'), ipAllowlist: list };
}
