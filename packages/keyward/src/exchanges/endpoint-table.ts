// An explicit table of endpoints per adapter: method + path pattern -> action. `:name` matches
// one path segment. Matching is exact and case-sensitive; there is no default row, so anything
// not listed is unknown. Value exits are caught a second time by keyword rules (`valueExits`), so
// a new withdrawal endpoint an exchange adds classifies as withdraw, not as unknown-and-forgotten.
import type { Action } from './classification.js';

export interface EndpointRow<P> {
  readonly method: string;
  readonly path: string;
  readonly action: Action;
  readonly isPublic?: boolean;
  /** Extra data for the adapter, e.g. how to read the order's fields. */
  readonly parse?: P;
}

export interface ValueExitRule {
  readonly test: RegExp;
  readonly action: 'withdraw' | 'transfer';
}

export interface EndpointMatch<P> {
  readonly row: EndpointRow<P>;
  readonly params: Readonly<Record<string, string>>;
}

/** A pattern's segments, split once per row: tables are fixed, and matching runs on every request. */
const segmentsOf = new WeakMap<EndpointRow<unknown>, readonly string[]>();

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  let params: Record<string, string> | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] ?? '';
    const got = actual[i] ?? '';
    if (seg.startsWith(':')) {
      if (got === '') return null;
      (params ??= {})[seg.slice(1)] = got;
    } else if (seg !== got) {
      return null;
    }
  }
  return params ?? {};
}

export function matchEndpoint<P>(rows: readonly EndpointRow<P>[], method: string, path: string): EndpointMatch<P> | null {
  const actual = path.split('/');
  for (const row of rows) {
    if (row.method !== method) continue;
    let pattern = segmentsOf.get(row);
    if (pattern === undefined) {
      pattern = row.path.split('/');
      segmentsOf.set(row, pattern);
    }
    const params = matchSegments(pattern, actual);
    if (params !== null) return { row, params };
  }
  return null;
}

/**
 * Withdraw/transfer by keyword, checked before the table so nothing can shadow it. The path is
 * tried as sent and %-decoded, so `/w%69thdraw` is named a withdrawal too, even though the
 * request will then be refused for its encoding anyway.
 */
export function valueExitOf(rules: readonly ValueExitRule[], path: string): 'withdraw' | 'transfer' | null {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: only the path as sent is tested.
  }
  for (const candidate of decoded === path ? [path] : [path, decoded]) {
    for (const r of rules) if (r.test.test(candidate)) return r.action;
  }
  return null;
}
