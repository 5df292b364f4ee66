// The gateway reads a request exactly as the exchange will, or refuses it. Whatever could be read
// two ways (by Keyward's classifier and by the exchange's router) is refused rather than guessed:
// encoded slashes and backslashes, dot segments, empty segments, invalid percent-encoding,
// non-ASCII or control characters, and bodies beyond the limit. Duplicate parameters, case changes
// and body/query disagreements are the adapters' to refuse (they know what their exchange reads).
export const MAX_BODY_BYTES = 64 * 1024;

export type Canonical = { ok: true; path: string; query: string } | { ok: false; reason: string };

const VALID_ESCAPES = /%(?![0-9A-Fa-f]{2})/;

export function canonicalise(rawUrl: string): Canonical {
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
