// The request an adapter reads and signs: method, path and query exactly as they travel, headers
// with lower-case names, and the raw body. Parameters are kept as raw `name=value` segments in
// their original order and encoding, so what is signed is byte for byte what is sent.

export interface ExchangeRequest {
  /** Upper case. */
  readonly method: string;
  /** The path as sent, e.g. `/api/v3/order` (no host, no query). */
  readonly path: string;
  /** The raw query string without `?`; empty when there is none. */
  readonly query: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What the gateway (or `keyward sign`) hands an adapter: it owns the clock and the nonces. */
export interface SignContext {
  readonly nowMs: number;
  /** A value above every nonce this key has used; only for adapters with `nonce: 'increasing'`. */
  readonly nonce: bigint;
}

export interface RawPair {
  /** The raw, still-encoded name and value. */
  readonly name: string;
  readonly value: string;
  /** False for a segment without `=`. */
  readonly hasValue: boolean;
}

export function parsePairs(raw: string): RawPair[] {
  if (raw === '') return [];
  return raw.split('&').map((seg) => {
    const eq = seg.indexOf('=');
    return eq < 0 ? { name: seg, value: '', hasValue: false } : { name: seg.slice(0, eq), value: seg.slice(eq + 1), hasValue: true };
  });
}

export function serializePairs(pairs: readonly RawPair[]): string {
  return pairs.map((p) => (p.hasValue ? `${p.name}=${p.value}` : p.name)).join('&');
}

/** Form decoding (application/x-www-form-urlencoded): `+` is a space; malformed escapes throw. */
export function decodeComponent(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** Decoded name -> decoded values, in order. */
export function decodePairs(pairs: readonly RawPair[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pairs) {
    const name = decodeComponent(p.name);
    out.set(name, [...(out.get(name) ?? []), decodeComponent(p.value)]);
  }
  return out;
}

export function withoutParam(pairs: readonly RawPair[], name: string): RawPair[] {
  return pairs.filter((p) => decodeComponent(p.name) !== name);
}

/** Sets `name` where it stands (keeping its position), or appends it. */
export function setParam(pairs: readonly RawPair[], name: string, value: string): { pairs: RawPair[]; found: boolean } {
  let found = false;
  const out = pairs.map((p) => {
    if (decodeComponent(p.name) !== name) return p;
    found = true;
    return { name: p.name, value, hasValue: true };
  });
  return { pairs: out, found };
}

export function headerValue(req: ExchangeRequest, name: string): string | undefined {
  return req.headers[name.toLowerCase()];
}

/**
 * How a signer swaps the client's authentication headers for its own: the client's headers
 * without those named in `drop` or set in `set` (both lower-case; the client's names are compared
 * in any case), then `set`. One loop and no intermediate objects: it runs on every signed request.
 */
export function withAuthHeaders(headers: Readonly<Record<string, string>>, drop: readonly string[], set: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (!drop.includes(lower) && !Object.hasOwn(set, lower)) out[name] = headers[name] as string;
  }
  for (const name in set) out[name] = set[name] as string;
  return out;
}

export function isFormBody(req: ExchangeRequest): boolean {
  return (headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Splits a URL (absolute or a path) into the request fields. */
export function requestFromUrl(method: string, url: string, body: Buffer, headers: Record<string, string> = {}): ExchangeRequest {
  const withoutHost = url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  const q = withoutHost.indexOf('?');
  return {
    method: method.toUpperCase(),
    path: q < 0 ? withoutHost : withoutHost.slice(0, q),
    query: q < 0 ? '' : withoutHost.slice(q + 1),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
  };
}

export function urlOf(req: ExchangeRequest): string {
  return req.query === '' ? req.path : `${req.path}?${req.query}`;
}
