// Pieces the three JSON-body passphrase exchanges (OKX, KuCoin, Coinbase Exchange) share: reading
// a query or a JSON body exactly as the exchange will, and refusing whatever two parsers could read
// two ways. They belong in adapter-kit.ts and strict-json.ts; they sit here only because this
// change may touch no file outside these three adapters.
import type { KeyHandle } from '../vault/index.js';
import type { Params } from './adapter-kit.js';
import { valueExitOf } from './endpoint-table.js';
import { decodePairs, headerValue, parsePairs, type ExchangeRequest } from './request.js';
import { parseStrictJson } from './strict-json.js';

// Plain path segments only: a %-escape, an empty segment or a dot segment can make the exchange's
// router see another endpoint than the table matched.
const PLAIN_PATH = /^(\/[A-Za-z0-9._~:@-]+)+$/;

export function unsafePathReason(path: string): string | null {
  if (!PLAIN_PATH.test(path)) return 'the path has an empty segment, a %-escape or a character outside the plain set';
  if (path.split('/').some((s) => s === '.' || s === '..')) return 'the path has a dot segment';
  return null;
}

/** Value exits by keyword, on the path as sent and on its %-decoded form (valueExitOf does both). */
export const valueExitOfPath = valueExitOf;

// Go's encoding/json (Coinbase) matches keys case-insensitively, with Unicode folding (`ſide` is
// `side`); Jackson can be configured the same way. Two keys one fold apart, or a key outside plain
// ASCII, could be read by the exchange as the field the gateway did not check.
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

function caseCollision(names: Iterable<string>): string | null {
  const seen = new Set<string>();
  for (const n of names) {
    const folded = n.toLowerCase();
    if (seen.has(folded)) return n;
    seen.add(folded);
  }
  return null;
}

function keyProblem(value: unknown): string | null {
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = keyProblem(v);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const keys = Object.keys(value);
  const odd = keys.find((k) => !PLAIN_KEY.test(k));
  if (odd !== undefined) return `the JSON key "${odd.slice(0, 40)}" is not plain ASCII letters, digits, _ or -`;
  const twin = caseCollision(keys);
  if (twin !== null) return `the JSON body names "${twin.slice(0, 40)}" twice, in different letter case`;
  for (const v of Object.values(value)) {
    const p = keyProblem(v);
    if (p !== null) return p;
  }
  return null;
}

/** The JSON body, parsed strictly; a string says why it is ambiguous. An empty body is null. */
export function strictJsonBody(req: ExchangeRequest): { value: unknown } | string {
  if (req.body.length === 0) return { value: null };
  if (!(headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/json')) return 'the exchange reads a body only as application/json';
  const parsed = parseStrictJson(req.body.toString('utf8'));
  if ('error' in parsed) return parsed.error;
  const problem = keyProblem(parsed.value);
  return problem ?? parsed;
}

/**
 * A JSON object's scalar members as parameters. Decimals must travel as strings: a JSON number
 * such as 0.1 or 123456789012345678901 is rounded by JSON.parse but read exactly by the exchange.
 */
export function objectParams(value: unknown): Params | string {
  if (value === null) return new Map();
  if (typeof value !== 'object' || Array.isArray(value)) return 'the body is not a JSON object';
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out.set(k, v);
    else if (typeof v === 'boolean') out.set(k, String(v));
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) return `"${k}" is a fractional or very large JSON number; send decimals as strings`;
      out.set(k, String(v));
    }
  }
  return out;
}

/** The query's parameters, decoded; a string says why the query is ambiguous. */
export function queryParams(query: string): Params | string {
  if (query === '') return new Map();
  if (/[^\x21-\x7e]/.test(query)) return 'the query has a space, a control character or a non-ASCII byte';
  // `+` is a space to a form decoder and a plus to a URI decoder; `;` separates parameters on some servers.
  if (/[+;]/.test(query)) return "the query has a '+' or ';', which servers read differently";
  const pairs = parsePairs(query);
  if (pairs.some((p) => p.name === '' || !p.hasValue)) return 'the query has an empty segment or a name without a value';
  let decoded;
  try {
    decoded = decodePairs(pairs);
  } catch {
    return 'the query has a malformed %-escape';
  }
  const twin = caseCollision(decoded.keys());
  if (twin !== null) return `the query names "${twin.slice(0, 40)}" twice, in different letter case`;
  const out = new Map<string, string>();
  for (const [k, vs] of decoded) {
    if (vs.length !== 1) return `the parameter "${k.slice(0, 40)}" is given ${String(vs.length)} times`;
    out.set(k, vs[0] ?? '');
  }
  return out;
}

/** Parameters from the query only (GET, and KuCoin's DELETE): a body would be a second, unread source. */
export function queryOnly(req: ExchangeRequest): Params | string {
  if (req.body.length > 0) return `a ${req.method} request with a body is read differently by different servers`;
  return queryParams(req.query);
}

/** Parameters from a JSON object body only (POST): a query would be a second source. */
export function bodyOnly(req: ExchangeRequest): Params | string {
  if (req.query !== '') return `the exchange reads ${req.method} parameters from the body; this request also has a query`;
  const body = strictJsonBody(req);
  return typeof body === 'string' ? body : objectParams(body.value);
}

/** Both decimal-looking sizes given: the exchange picks one, the policy might check the other. */
export function bothSizes(params: Params, base: string, quote: string): string | null {
  return params.has(base) && params.has(quote) ? `the order gives both "${base}" and "${quote}"` : null;
}


/**
 * The passphrase as header text (OKX and Coinbase Exchange send it in clear). A header value is a
 * string in Node, so it becomes one here; the bytes are viewed, not copied, on the way.
 */
export function passphraseHeader(key: KeyHandle): string {
  return key.withPassphrase((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8'));
}
