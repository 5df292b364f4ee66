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

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] ?? '';
    const actual = a[i] ?? '';
    if (seg.startsWith(':')) {
      if (actual === '') return null;
      params[seg.slice(1)] = actual;
    } else if (seg !== actual) {
      return null;
    }
  }
  return params;
}

export function matchEndpoint<P>(rows: readonly EndpointRow<P>[], method: string, path: string): EndpointMatch<P> | null {
  for (const row of rows) {
    if (row.method !== method) continue;
    const params = matchPath(row.path, path);
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
