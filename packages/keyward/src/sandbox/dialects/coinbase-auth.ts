// Coinbase Advanced Trade with CDP keys: every request carries "Authorization: Bearer <JWT>",
// built per the CDP docs and the official SDK (coinbase-advanced-py jwt_generator):
//   header  {alg: ES256 | EdDSA, kid: <key name>, nonce: <random hex>, typ: "JWT"}
//   claims  {sub: <key name>, iss: "cdp", nbf: now, exp: now + 120, uri: "<METHOD> <host><path>"}
// ES256 signatures are r‖s (64 bytes, RFC 7518 §3.4); EdDSA per RFC 8037. ccxt's ES256 tokens
// still say iss "coinbase-cloud" and add aud/iat, and its EdDSA tokens carry `uris: [...]`;
// both are accepted because both are what real clients send. The JWT binds neither the query
// nor the body (see the research notes): the sandbox checks exactly what Coinbase checks.
import { verify } from 'node:crypto';
import type { StoredKey } from '../keys.js';

/** The most a token may live: Coinbase issues and accepts two-minute JWTs. */
export const CDP_MAX_LIFETIME_S = 120;

const ISSUERS: readonly string[] = ['cdp', 'coinbase-cloud'];
const B64URL = /^[A-Za-z0-9_-]+$/;

export type JwtVerdict =
  | { readonly ok: true; readonly key: StoredKey }
  | { readonly ok: false; readonly reason: string };

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface JwtCheck {
  readonly token: string;
  /** Every spelling of "<METHOD> <host><path>" this request may legitimately be signed for. */
  readonly acceptedUris: readonly string[];
  readonly nowSeconds: number;
  readonly findKey: (name: string) => StoredKey | undefined;
}

export function verifyCdpJwt(check: JwtCheck): JwtVerdict {
  const parts = check.token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return { ok: false, reason: 'malformed token' };
  const [h = '', c = '', s = ''] = parts;
  const header = decodeJson(h);
  const claims = decodeJson(c);
  if (header === undefined || claims === undefined) return { ok: false, reason: 'malformed token' };
  const { alg, kid } = header;
  if (alg !== 'ES256' && alg !== 'EdDSA') return { ok: false, reason: 'unsupported alg' };
  if (header.typ !== undefined && header.typ !== 'JWT') return { ok: false, reason: 'unsupported typ' };
  if (typeof claims.sub !== 'string' || kid !== claims.sub) return { ok: false, reason: 'kid and sub must name the key' };
  const key = check.findKey(claims.sub);
  if (key?.publicKey === undefined) return { ok: false, reason: 'unknown key' };
  if ((alg === 'ES256') !== (key.keyType === 'es256')) return { ok: false, reason: 'alg does not match the key' };

  const signature = Buffer.from(s, 'base64url');
  const input = Buffer.from(`${h}.${c}`, 'ascii');
  const valid = alg === 'ES256'
    ? signature.length === 64 && verify('sha256', input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    : signature.length === 64 && verify(null, input, key.publicKey, signature);
  if (!valid) return { ok: false, reason: 'invalid signature' };

  if (typeof claims.iss !== 'string' || !ISSUERS.includes(claims.iss)) return { ok: false, reason: 'invalid issuer' };
  const { nbf, exp } = claims;
  if (typeof nbf !== 'number' || typeof exp !== 'number' || !Number.isInteger(nbf) || !Number.isInteger(exp)) {
    return { ok: false, reason: 'nbf and exp are required' };
  }
  if (check.nowSeconds < nbf) return { ok: false, reason: 'token not yet valid' };
  if (check.nowSeconds >= exp) return { ok: false, reason: 'token expired' };
  if (exp - nbf > CDP_MAX_LIFETIME_S) return { ok: false, reason: 'token lifetime exceeds 120 seconds' };

  const uris: unknown[] = typeof claims.uri === 'string' ? [claims.uri] : Array.isArray(claims.uris) ? claims.uris : [];
  if (!uris.some((u) => typeof u === 'string' && check.acceptedUris.includes(u))) return { ok: false, reason: 'uri claim does not match the request' };
  return { ok: true, key };
}
