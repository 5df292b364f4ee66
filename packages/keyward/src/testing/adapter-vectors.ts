// Runs an exchange's official worked examples (testdata/official-vectors/<id>.json) through its
// adapter. Each vector's inputs become a request; the adapter signs it with the vector's clock and
// nonce; the documented signature must appear in the signed request, where the exchange expects it.
import { existsSync, readFileSync } from 'node:fs';
import { SecureBuffer } from '../crypto/index.js';
import { keyHandleFromParts, type KeyHandle } from '../vault/index.js';
import type { ExchangeAdapter, ExchangeRequest } from '../exchanges/index.js';

export interface OfficialVector {
  readonly name: string;
  readonly source: string;
  readonly apiKey: string;
  readonly secret?: string;
  readonly passphrase?: string;
  readonly privateKey?: string;
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly timestamp?: number;
  readonly nonce?: number | string;
  readonly expectedSignature: string;
}

export function officialVectors(exchange: string): OfficialVector[] {
  const url = new URL(`../exchanges/testdata/official-vectors/${exchange}.json`, import.meta.url);
  if (!existsSync(url)) return [];
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: OfficialVector[] }).vectors;
}

const secure = (s: string | undefined): SecureBuffer | undefined => (s === undefined ? undefined : SecureBuffer.from(Buffer.from(s), { wipeSource: true }));

export function handleFor(adapter: ExchangeAdapter, parts: { apiKey: string; secret?: string; passphrase?: string; privateKey?: string }): KeyHandle {
  const p = { apiKey: parts.apiKey, secret: secure(parts.secret), passphrase: secure(parts.passphrase), privateKey: secure(parts.privateKey) };
  return keyHandleFromParts(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as { apiKey: string }, { secretEncoding: adapter.secretEncoding });
}

export function signVector(adapter: ExchangeAdapter, v: OfficialVector): ExchangeRequest {
  const key = handleFor(adapter, v);
  try {
    return adapter.sign({
      method: v.method, path: v.path, query: v.query ?? '',
      headers: Object.fromEntries(Object.entries(v.headers ?? {}).map(([k, val]) => [k.toLowerCase(), val])),
      body: Buffer.from(v.body ?? '', 'utf8'),
    }, key, { nowMs: v.timestamp ?? 0, nonce: BigInt(v.nonce ?? 0) });
  } finally {
    key.release();
  }
}

/** Every place a signature can travel: query, body, header values. */
export function signedText(req: ExchangeRequest): string {
  return [req.query, req.body.toString('utf8'), ...Object.values(req.headers)].join('\n');
}
