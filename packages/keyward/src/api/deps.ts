// What the app API needs from the rest of the server, as ports; main/server.ts wires them.
import type { AuthHashParams, HmacKey, SecureBuffer } from '../crypto/index.js';
import type { Throttle } from '../accounts/index.js';
import type { KeyEncryptionKey } from '../kms/index.js';
import type { Store } from '../store/index.js';
import type { TokenService } from '../tokens/index.js';
import type { SessionService } from './sessions.js';

/** The server's own keys (vault/server-secrets.ts), as the API uses them. */
export interface ApiKeys {
  /** Keyed hash (hex) of session cookies, CSRF tokens and device ids. */
  sessionHash(value: Uint8Array): string;
  /** The salt pre-login answers for an address with no account: the same every time. */
  fakeSalt(email: string): Uint8Array;
  fakeAccountId(email: string): string;
  sealTotpSeed(seed: SecureBuffer, accountId: string, factorId: string): Uint8Array;
  openTotpSeed(sealed: Uint8Array, accountId: string, factorId: string): SecureBuffer;
  readonly recoveryKey: HmacKey;
}

/** User keys handed over at unlock, held in secure memory per session (vault/session-keys.ts). */
export interface KeyRing {
  put(accountId: string, sessionId: string, userKey: SecureBuffer): void;
  forAccount(accountId: string): SecureBuffer | undefined;
  hasSession(sessionId: string): boolean;
  dropSession(sessionId: string): void;
  dropAccount(accountId: string): void;
}

export type NotifyKind =
  | 'sign-in' | 'new-device' | 'failed-attempts' | 'second-factor-changed' | 'password-changed' | 'token-created'
  | 'token-revoked' | 'policy-raised' | 'break-glass' | 'credential-refused' | 'email-changed' | 'ip-allowlist-changed';

export interface ApiDeps {
  readonly store: Store;
  readonly keys: ApiKeys;
  readonly sessions: SessionService;
  readonly keyRing: KeyRing;
  readonly kek: KeyEncryptionKey;
  readonly throttle: Throttle;
  readonly tokens: TokenService;
  /** Inbox first, then e-mail; never throws. */
  notify(accountId: string, kind: NotifyKind, facts: Readonly<Record<string, string | number>>, options?: { readonly address?: string }): void;
  readonly authHash: AuthHashParams;
  readonly passkeys: { readonly rpId: string; readonly rpName: string; readonly origin: string };
  readonly secureCookies: boolean;
  /** Exchanges this server can connect (those with an upstream). */
  readonly exchanges: readonly string[];
  readonly now: () => number;
}
