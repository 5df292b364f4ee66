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

export interface OutcomeRecord {
  readonly kind: 'outcome';
  readonly at: number;
  /** The seq of the decision this outcome belongs to. */
  readonly decision: number;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
}

export type AuditRecord = DecisionRecord | OutcomeRecord;

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

// The two record shapes the gateway writes on every request, serialised field by field with
// their keys already in sorted order: the same bytes as canonicalJson, without building and
// sorting key lists for each record (record.test.ts holds the two equal, edge cases included).
const DECISION_KEYS = ['action', 'at', 'credential', 'decision', 'endpoint', 'exchange', 'kind', 'method', 'order', 'path', 'reason', 'sourceIp', 'token'] as const;
const OUTCOME_KEYS = ['at', 'decision', 'error', 'kind', 'latencyMs', 'status'] as const;

const str = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
const num = (v: number | null): string => {
  if (v === null) return 'null';
  if (!Number.isFinite(v)) throw new RangeError('audit records hold finite numbers only');
  return JSON.stringify(v);
};

/** Exactly the keys of its shape, none undefined, each of its declared type: then the fast path applies. */
function hasShape(record: object, keys: readonly string[]): boolean {
  let n = 0;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    n++;
    if ((record as Record<string, unknown>)[k] === undefined) return false;
  }
  return n === keys.length && keys.every((k) => Object.hasOwn(record, k));
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

export function canonicalRecord(record: AuditRecord): string {
  const fast = record.kind === 'decision' ? decisionJson(record) : record.kind === 'outcome' ? outcomeJson(record) : null;
  return fast ?? canonicalJson(record as unknown as Json);
}
