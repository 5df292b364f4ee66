// The gateway reads a request exactly as the exchange will, or refuses it. Whatever could be read
// two ways (by Keyward's classifier and by the exchange's router) is refused rather than guessed:
// encoded slashes and backslashes, dot segments, empty segments, invalid percent-encoding,
// non-ASCII or control characters, and bodies beyond the limit. Duplicate parameters, case changes
// and body/query disagreements are the adapters' to refuse (they know what their exchange reads).
export const MAX_BODY_BYTES = 64 * 1024;

export type Canonical = { ok: true; path: string; query: string } | { ok: false; reason: string };

/**
 * Headers that belong to one connection, not to the request: never passed on (RFC 9110 §7.6.1;
 * proxy credentials; an HTTP/2 upgrade offer, RFC 7540 §3.2.1, which Java's HttpClient makes on
 * every plain-HTTP request and which is answered in HTTP/1.1), and host, content-length and expect,
 * which the forwarder sets for its own connection.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings',
  'proxy-authorization', 'proxy-authenticate', 'host', 'content-length', 'expect',
]);

/** The options a Connection header lists, lower-case (`keep-alive`, `close`, or header names). */
export function connectionOptions(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(',');
  if (text === 'keep-alive' || text === 'close') return []; // what clients send: nothing named
  return text.split(',').map((o) => o.trim().toLowerCase()).filter((o) => o !== '' && o !== 'close' && o !== 'keep-alive');
}

const VALID_ESCAPES = /%(?![0-9A-Fa-f]{2})/;

/**
 * `connection` is the request's Connection header: one that names other headers is refused, since
 * a proxy on the way would drop them and the exchange might read the request without them (a
 * content type, say) while the gateway classified it with them.
 */
export function canonicalise(rawUrl: string, connection?: string): Canonical {
  const named = connectionOptions(connection).find((o) => !HOP_BY_HOP.has(o));
  if (named !== undefined) return { ok: false, reason: `the Connection header names ${JSON.stringify(named.slice(0, 40))}, which a proxy would drop` };
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  if (!/^[\x21-\x7e]*$/.test(rawUrl)) return { ok: false, reason: 'the URL has spaces, control or non-ASCII characters' };
  if (rawUrl.includes('#')) return { ok: false, reason: 'the URL has a fragment' };
  if (VALID_ESCAPES.test(rawUrl)) return { ok: false, reason: 'the URL has an invalid %-escape' };
  if (/%2f|%5c|%2e|%00/i.test(path)) return { ok: false, reason: 'the path has an encoded slash, backslash, dot or NUL' };
  if (path.includes('\\')) return { ok: false, reason: 'the path has a backslash' };
  if (!path.startsWith('/')) return { ok: false, reason: 'the path does not start with /' };
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '.' || s === '..')) return { ok: false, reason: 'the path has a dot segment' };
  if (segments.slice(0, -1).some((s) => s === '')) return { ok: false, reason: 'the path has an empty segment (//)' };
  if (query.includes('?')) return { ok: false, reason: 'the query has a second ?' };
  return { ok: true, path, query };
}
