// `keyward sign` as a library function: sign one request the way the gateway would, with a given
// clock and nonce, and return it exactly as it would be sent.
import { KeywardError } from '@keyward/protocol/errors';
import { EXCHANGES } from '@keyward/protocol/exchange-ids';
import type { SecureBuffer } from '../crypto/index.js';
import { adapterFor, requestFromUrl, urlOf, type ExchangeAdapter } from '../exchanges/index.js';
import { keyHandleFromParts } from '../vault/index.js';

export interface SignRequestInput {
  readonly exchange: string;
  readonly method: string;
  /** An absolute URL, or a path (then the exchange's real base URL is used). */
  readonly url: string;
  readonly body?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly apiKey: string;
  /** Secret parts; this function does not release them (the caller owns them). */
  readonly secret?: SecureBuffer;
  readonly passphrase?: SecureBuffer;
  readonly privateKey?: SecureBuffer;
  readonly timeMs: number;
  readonly nonce?: bigint;
}

export interface SignedHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function signRequest(input: SignRequestInput): SignedHttpRequest {
  const adapter: ExchangeAdapter | undefined = adapterFor(input.exchange);
  if (adapter === undefined) {
    const known = EXCHANGES.map((e) => e.id).filter((id) => adapterFor(id) !== undefined);
    throw new KeywardError('KW_EXCHANGE_UNKNOWN', `No adapter for "${input.exchange.slice(0, 40)}".`, { hint: `adapters: ${known.join(', ')}` });
  }
  let origin = adapter.baseUrl;
  if (/^[a-z]+:\/\//i.test(input.url)) {
    try {
      origin = new URL(input.url).origin;
    } catch {
      throw new KeywardError('KW_INPUT_INVALID', 'The URL is not valid.');
    }
  } else if (!input.url.startsWith('/')) {
    throw new KeywardError('KW_INPUT_INVALID', 'The URL must be absolute (https://...) or a path starting with /.');
  }
  const body = input.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = { ...input.headers };
  const hasContentType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (body.length > 0 && !hasContentType) {
    // What a client would send: JSON for a JSON text, a form otherwise.
    const first = body.toString('utf8').trimStart()[0];
    headers['content-type'] = first === '{' || first === '[' ? 'application/json' : 'application/x-www-form-urlencoded';
  }
  const parts = Object.fromEntries(Object.entries({ secret: input.secret?.clone(), passphrase: input.passphrase?.clone(), privateKey: input.privateKey?.clone() })
    .filter(([, v]) => v !== undefined));
  const key = keyHandleFromParts({ apiKey: input.apiKey, ...parts }, { secretEncoding: adapter.secretEncoding });
  try {
    const signed = adapter.sign(requestFromUrl(input.method, input.url, body, headers), key, {
      nowMs: input.timeMs, nonce: input.nonce ?? BigInt(input.timeMs),
    });
    return { method: signed.method, url: `${origin}${urlOf(signed)}`, headers: signed.headers, body: signed.body.toString('utf8') };
  } finally {
    key.release();
  }
}
