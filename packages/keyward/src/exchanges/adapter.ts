// One interface per exchange (STYLE habit 2): sign, classify, check a key's permissions, and
// speak the exchange's error format. Adapters see a KeyHandle, never key bytes.
import type { KeyHandle } from '../vault/index.js';
import type { Classification } from './classification.js';
import type { ExchangeRequest, SignContext } from './request.js';

/** null = the exchange's answer does not say. */
export type Tri = boolean | null;

export interface KeyPermissions {
  readonly read: Tri;
  readonly trade: Tri;
  readonly withdraw: Tri;
  readonly transfer: Tri;
  readonly ipRestricted: Tri;
  readonly ipAllowlist: readonly string[] | null;
  /** The exchange's own words for what the key may do, for display. */
  readonly native: readonly string[];
}

export interface PermissionCheck {
  /** The unsigned request that asks the exchange about the key itself. */
  request(): ExchangeRequest;
  /** Reads the exchange's answer; throws KW_EXCHANGE_REFUSED when it is an error. */
  parse(status: number, body: Buffer): KeyPermissions;
}

/** Why the gateway refuses, in categories every exchange's error vocabulary can express. */
export type RefusalKind = 'auth' | 'forbidden' | 'invalid' | 'rate-limited' | 'unavailable';

export interface Refusal {
  readonly kind: RefusalKind;
  /** A Keyward code (KW_...), included in the message so the user can look it up. */
  readonly code: string;
  readonly message: string;
}

export interface RenderedError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ExchangeAdapter {
  /** The id in @keyward/protocol/exchange-ids. */
  readonly id: string;
  readonly name: string;
  /** The real exchange's REST base URL. */
  readonly baseUrl: string;
  /** How the HMAC secret is handed out: used as is, or base64 to decode first. */
  readonly secretEncoding: 'utf8' | 'base64';
  /** 'increasing': every signed request needs a nonce above the last one this key used. */
  readonly nonce: 'none' | 'increasing';
  classify(req: ExchangeRequest): Classification;
  /**
   * Strips whatever signature, key, timestamp and nonce the client sent, sets the gateway's own,
   * and signs. Parameters the exchange reads its timestamp or nonce from are set where they stand.
   */
  sign(req: ExchangeRequest, key: KeyHandle, ctx: SignContext): ExchangeRequest;
  readonly permissions: PermissionCheck | null;
  renderError(refusal: Refusal): RenderedError;
}
