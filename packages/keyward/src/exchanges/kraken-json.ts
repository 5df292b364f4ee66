// The top-level members of a JSON object body, with where each value stands in the text. Used by
// the Kraken, Bitfinex and Gemini adapters (it carries Kraken's name only because of how the work
// was split; it belongs beside strict-json.ts). Two needs drive it:
// - A nonce is set where it stands by replacing its value's text, so every other byte the client
//   sent (key order, spacing, number spelling, a trailing newline) is kept. Re-serialising with
//   JSON.stringify would round 0.12345678901234567891, reorder integer-like keys, and could not
//   reproduce Gemini's official example, whose payload is indented and ends with a newline.
// - Order fields are read from the value's own text: a JSON number stays the digits sent.
import { parseStrictJson } from './strict-json.js';

export interface JsonMember {
  readonly name: string;
  /** The value's JSON text, exactly as it stands. */
  readonly raw: string;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface JsonObjectText {
  readonly text: string;
  /** Index of the opening brace. */
  readonly open: number;
  readonly members: readonly JsonMember[];
}

const WS = new Set([' ', '\t', '\n', '\r']);

function skipWs(t: string, i: number): number {
  while (i < t.length && WS.has(t[i] ?? '')) i++;
  return i;
}

function endOfString(t: string, i: number): number {
  let j = i + 1;
  while (j < t.length && t[j] !== '"') j += t[j] === '\\' ? 2 : 1;
  return j + 1;
}

function endOfValue(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return endOfString(t, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    while (j < t.length) {
      const d = t[j];
      if (d === '"') {
        j = endOfString(t, j);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return j;
  }
  let j = i;
  while (j < t.length && !WS.has(t[j] ?? '') && t[j] !== ',' && t[j] !== '}' && t[j] !== ']') j++;
  return j;
}

/**
 * Reads a JSON object's text: strictly (a syntax error or a key given twice at any depth is an
 * error string), and only an object at the top.
 */
export function readJsonObject(text: string): JsonObjectText | string {
  const strict = parseStrictJson(text);
  if ('error' in strict) return strict.error;
  if (typeof strict.value !== 'object' || strict.value === null || Array.isArray(strict.value)) return 'the JSON is not an object';
  // The text is valid JSON from here on, so the scan below needs no error handling of its own.
  const open = skipWs(text, 0);
  const members: JsonMember[] = [];
  let i = skipWs(text, open + 1);
  while (text[i] === '"') {
    const nameEnd = endOfString(text, i);
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    const valueStart = skipWs(text, skipWs(text, nameEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    members.push({ name, raw: text.slice(valueStart, valueEnd), valueStart, valueEnd });
    i = skipWs(text, valueEnd);
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return { text, open, members };
}

/** A body's bytes as a JSON object; bytes that are not UTF-8 are refused (they could be read two ways). */
export function readJsonBody(body: Buffer): JsonObjectText | string {
  const text = body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(body)) return 'the body is not valid UTF-8';
  return readJsonObject(text);
}

/** A scalar member as the exchange reads it: a string's value, or a number's or boolean's own text. */
export function scalarText(m: JsonMember): string | null {
  if (m.raw.startsWith('"')) return JSON.parse(m.raw) as string;
  if (m.raw === 'null' || m.raw.startsWith('{') || m.raw.startsWith('[')) return null;
  return m.raw;
}

/** Top-level scalars by name (objects, arrays and nulls left out). */
export function scalarMembers(obj: JsonObjectText): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of obj.members) {
    const v = scalarText(m);
    if (v !== null) out.set(m.name, v);
  }
  return out;
}

/**
 * The text with `name` set to `valueText`: in place when the member exists (every other byte
 * kept), else added as the first member.
 */
export function withMember(obj: JsonObjectText, name: string, valueText: string): JsonObjectText {
  const existing = obj.members.find((m) => m.name === name);
  let text: string;
  if (existing !== undefined) {
    text = obj.text.slice(0, existing.valueStart) + valueText + obj.text.slice(existing.valueEnd);
  } else {
    const at = obj.open + 1;
    text = `${obj.text.slice(0, at)}${JSON.stringify(name)}:${valueText}${obj.members.length > 0 ? ',' : ''}${obj.text.slice(at)}`;
  }
  const next = readJsonObject(text);
  if (typeof next === 'string') throw new TypeError(`setting "${name}" broke the JSON: ${next}`);
  return next;
}

/**
 * Two names that differ only in case (`symbol` and `Symbol`): a case-insensitive parser upstream
 * would read them as one, and might keep either. Returns the reason, or null.
 */
export function caseCollision(names: Iterable<string>): string | null {
  const seen = new Set<string>();
  for (const n of names) {
    const folded = n.toLowerCase();
    if (seen.has(folded)) return `the parameter "${n.slice(0, 40)}" is given twice in different cases`;
    seen.add(folded);
  }
  return null;
}
