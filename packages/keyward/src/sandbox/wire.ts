// The request as the exchange receives it, after the sandbox strips its /<exchange> prefix.
// Dialects verify signatures over these raw strings, never over parsed and re-serialised values,
// because every exchange signs the bytes that were sent.

export interface WireRequest {
  readonly method: string;
  /** Native path, e.g. /api/v3/order (the prefix removed, percent-encoding untouched). */
  readonly path: string;
  /** Raw query string without the '?', exactly as sent; '' when absent. */
  readonly query: string;
  /** Raw body text; '' when absent. */
  readonly body: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly ip: string;
  /** Host header as received (the sandbox's own address). */
  readonly host: string;
  /** The prefix that was stripped, e.g. /coinbase. */
  readonly prefix: string;
}

export interface WireResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): WireResponse {
  return headers === undefined ? { status, body } : { status, body, headers };
}

export interface FormParams {
  /** Parameters in wire order, values percent-decoded. */
  readonly pairs: readonly (readonly [string, string])[];
  /** Names that occur more than once. */
  readonly duplicates: readonly string[];
}

/**
 * application/x-www-form-urlencoded as the exchanges read it. Returns undefined for malformed
 * percent-encoding, which an exchange refuses rather than guesses at.
 */
export function parseForm(raw: string): FormParams | undefined {
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  if (raw === '') return { pairs, duplicates };
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    if (seen.has(name)) duplicates.push(name);
    seen.add(name);
    pairs.push([name, value]);
  }
  return { pairs, duplicates };
}

/** First value of each name (callers refuse duplicates before trusting this). */
export function toRecord(form: FormParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.pairs) if (!(k in out)) out[k] = v;
  return out;
}

/** A JSON object body, or undefined when the body is not one. */
export function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON scalar as the string an exchange would read ("0.01" and 0.01 both give "0.01"). */
export function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** Tells a ready error response apart from the value a lookup was after. */
export function isResponse(x: object): x is WireResponse {
  return 'body' in x && 'status' in x;
}
