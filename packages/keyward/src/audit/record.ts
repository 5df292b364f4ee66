// What the audit log records, and its canonical bytes: JSON with keys sorted at every level and
// no whitespace, so the same record always MACs the same way. Records carry no secrets: tokens
// appear only by accessor, credentials by name, orders by their public fields.

export interface DecisionRecord {
  readonly kind: 'decision';
  readonly at: number;
  readonly token: string | null;
  readonly credential: string | null;
  readonly exchange: string;
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly endpoint: string;
  readonly order: Readonly<Record<string, string | number | null>> | null;
  readonly decision: 'allow' | 'deny';
  /** The KW_ code of a refusal. */
  readonly reason: string | null;
  readonly sourceIp: string | null;
}

/** One forwarded request's outcome. Written inside an OutcomesRecord; logs from before 2026-11 also hold them one record each. */
export interface OutcomeRecord {
  readonly kind: 'outcome';
  readonly at: number;
  /** The seq of the decision this outcome belongs to. */
  readonly decision: number;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

/**
 * The outcomes of the requests that finished within one write (every 20 ms), in one linked
 * record: each outcome is as tamper-evident as before, at the cost of one record for many
 * requests instead of one each (the audit's share of the gateway's CPU, bench/gateway.bench.ts).
 */
export interface OutcomesRecord {
  readonly kind: 'outcomes';
  /** When the group was written: the newest of its outcomes. */
  readonly at: number;
  readonly outcomes: readonly OutcomeEntry[];
}

/** An outcome inside an OutcomesRecord. */
export type OutcomeEntry = Omit<OutcomeRecord, 'kind'>;

export type AuditRecord = DecisionRecord | OutcomeRecord | OutcomesRecord;

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json | undefined };

export function canonicalJson(value: Json | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v: Json) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as { readonly [k: string]: Json | undefined };
    return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('audit records hold finite numbers only');
  return JSON.stringify(value);
}

// The record shapes the gateway writes for its requests, serialised field by field with
// their keys already in sorted order: the same bytes as canonicalJson, without building and
// sorting key lists for each record (record.test.ts holds the two equal, edge cases included).
const DECISION_KEYS = ['action', 'at', 'credential', 'decision', 'endpoint', 'exchange', 'kind', 'method', 'order', 'path', 'reason', 'sourceIp', 'token'] as const;
const OUTCOME_KEYS = ['at', 'decision', 'error', 'kind', 'latencyMs', 'status'] as const;
const OUTCOMES_KEYS = ['at', 'kind', 'outcomes'] as const;
const ENTRY_KEYS = ['at', 'decision', 'error', 'latencyMs', 'status'] as const;

/** Printable ASCII without the quote and the backslash: JSON.stringify writes it between quotes as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (v: string | null): string => (v === null ? 'null' : PLAIN.test(v) ? `"${v}"` : JSON.stringify(v));
const num = (v: number | null): string => {
  if (v === null) return 'null';
  if (!Number.isFinite(v)) throw new RangeError('audit records hold finite numbers only');
  // The same text as JSON.stringify gives a finite number (both are Number::toString), without
  // a call into the JSON serialiser for each of a record's numbers.
  return String(v);
};

/**
 * Exactly the keys of its shape, all its own (each field's type, undefined excluded, is checked
 * by the caller): then the fast path applies. Counting Object.keys costs half of a for-in walk.
 */
function hasShape(record: object, keys: readonly string[]): boolean {
  if (Object.keys(record).length !== keys.length) return false;
  for (const k of keys) if (!Object.hasOwn(record, k)) return false;
  return true;
}

const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';

function decisionJson(r: DecisionRecord): string | null {
  if (!hasShape(r, DECISION_KEYS) || typeof r.action !== 'string' || typeof r.at !== 'number' || !isStringOrNull(r.credential)
    || typeof r.decision !== 'string' || typeof r.endpoint !== 'string' || typeof r.exchange !== 'string' || typeof r.method !== 'string'
    || typeof r.path !== 'string' || !isStringOrNull(r.reason) || !isStringOrNull(r.sourceIp) || !isStringOrNull(r.token)
    || (r.order !== null && typeof r.order !== 'object')) return null;
  return `{"action":${str(r.action)},"at":${num(r.at)},"credential":${str(r.credential)},"decision":${str(r.decision)},`
    + `"endpoint":${str(r.endpoint)},"exchange":${str(r.exchange)},"kind":"decision","method":${str(r.method)},`
    + `"order":${canonicalJson(r.order)},"path":${str(r.path)},"reason":${str(r.reason)},"sourceIp":${str(r.sourceIp)},"token":${str(r.token)}}`;
}

function outcomeJson(r: OutcomeRecord): string | null {
  if (!hasShape(r, OUTCOME_KEYS) || typeof r.at !== 'number' || typeof r.decision !== 'number' || !isStringOrNull(r.error)
    || typeof r.latencyMs !== 'number' || !isNumberOrNull(r.status)) return null;
  return `{"at":${num(r.at)},"decision":${num(r.decision)},"error":${str(r.error)},"kind":"outcome","latencyMs":${num(r.latencyMs)},"status":${num(r.status)}}`;
}

function outcomesJson(r: OutcomesRecord): string | null {
  if (!hasShape(r, OUTCOMES_KEYS) || typeof r.at !== 'number' || !Array.isArray(r.outcomes)) return null;
  const parts: string[] = [];
  for (const o of r.outcomes as readonly unknown[]) {
    if (typeof o !== 'object' || o === null) return null;
    const e = o as OutcomeEntry;
    if (!hasShape(e, ENTRY_KEYS) || typeof e.at !== 'number' || typeof e.decision !== 'number' || !isStringOrNull(e.error)
      || typeof e.latencyMs !== 'number' || !isNumberOrNull(e.status)) return null;
    parts.push(`{"at":${num(e.at)},"decision":${num(e.decision)},"error":${str(e.error)},"latencyMs":${num(e.latencyMs)},"status":${num(e.status)}}`);
  }
  return `{"at":${num(r.at)},"kind":"outcomes","outcomes":[${parts.join(',')}]}`;
}

export function canonicalRecord(record: AuditRecord): string {
  const fast = record.kind === 'decision' ? decisionJson(record)
    : record.kind === 'outcomes' ? outcomesJson(record)
      : record.kind === 'outcome' ? outcomeJson(record) : null;
  return fast ?? canonicalJson(record as unknown as Json);
}

/** A record as readers show it: a group of outcomes becomes one entry per outcome. */
export type AuditEntry = { readonly seq: number; readonly kind: string; readonly [field: string]: unknown };

/**
 * The entries of one stored record (its canonical body): the record itself, or for an
 * `outcomes` record each of its outcomes as an `outcome` entry, with the seq of the record that
 * holds it (what `verify` and a checkpoint count). Logs written before outcomes were grouped read
 * the same way.
 */
export function entriesOf(seq: number, body: string): AuditEntry[] {
  const parsed = JSON.parse(body) as { kind?: unknown; outcomes?: unknown };
  if (parsed.kind === 'outcomes' && Array.isArray(parsed.outcomes)) {
    return (parsed.outcomes as Record<string, unknown>[]).map((o) => ({ seq, kind: 'outcome', ...o }));
  }
  return [{ seq, ...parsed, kind: String(parsed.kind) }];
}
