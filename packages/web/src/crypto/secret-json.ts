// A JSON request body holding secrets, written as bytes: `{"userKey":"<base64url>"}` for
// POST /api/v1/session/unlock. JSON.stringify would make the key a JavaScript string, which
// cannot be wiped; fetch() accepts the bytes as they are. The caller wipes the body once the
// request has settled.
import { base64urlLength, encodeBase64urlBytes } from './base64url.js';

const NAME = /^[A-Za-z][A-Za-z0-9]*$/; // no character that JSON would need to escape

export function secretJsonBody(fields: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const enc = new TextEncoder();
  const entries = Object.entries(fields);
  for (const [name] of entries) if (!NAME.test(name)) throw new RangeError('secret JSON field name');
  const size = 2 + entries.reduce((n, [name, v]) => n + name.length + 5 + base64urlLength(v.length), 0) + Math.max(0, entries.length - 1);
  const out = new Uint8Array(size);
  let at = 0;
  const put = (text: string): void => {
    out.set(enc.encode(text), at);
    at += text.length;
  };
  put('{');
  entries.forEach(([name, value], i) => {
    put(`${i === 0 ? '' : ','}"${name}":"`);
    const length = base64urlLength(value.length);
    encodeBase64urlBytes(value, out.subarray(at, at + length));
    at += length;
    put('"');
  });
  put('}');
  return out;
}
