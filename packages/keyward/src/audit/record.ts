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

export function canonicalRecord(record: AuditRecord): string {
  return canonicalJson(record as unknown as Json);
}
