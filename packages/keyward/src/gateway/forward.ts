// Forwarding through keep-alive pools, one per upstream origin, and streaming the answer back.
// Hop-by-hop headers are dropped both ways (RFC 9110 §7.6.1).
// Why node:http and not undici: undici parses HTTP with llhttp compiled to WebAssembly, and V8
// reserves about 20 GB of guarded address space for its memory. In the process that holds the
// keys that makes every core dump tens of gigabytes (and the core-dump check in
// test/promises/no-plaintext-agent.test.ts impractical); node:http's parser is native.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { ExchangeRequest } from '../exchanges/index.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
}

/** Reads a whole (small) upstream body, e.g. an order book. */
export async function readJson(body: Readable, limit = 4 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > limit) throw new RangeError('upstream body too large');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function createForwarder(options: { connections?: number; timeoutMs?: number } = {}) {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: options.connections ?? 64, keepAliveMsecs: 30_000 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: options.connections ?? 64, keepAliveMsecs: 30_000 }),
  };
  const timeout = options.timeoutMs ?? 30_000;

  return {
    /** `base` is the upstream's base URL, which may carry a path prefix (the sandbox's /binance). */
    send(base: string, req: ExchangeRequest): Promise<UpstreamResponse> {
      const url = new URL(base);
      const prefix = url.pathname.replace(/\/$/, '');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      const hasBody = req.body.length > 0 || !['GET', 'HEAD'].includes(req.method);
      if (hasBody) headers['content-length'] = String(req.body.length);
      const secure = url.protocol === 'https:';
      return new Promise((resolve, reject) => {
        const r = (secure ? httpsRequest : httpRequest)({
          protocol: url.protocol, hostname: url.hostname, port: url.port === '' ? undefined : Number(url.port),
          method: req.method, path: `${prefix}${req.path}${req.query === '' ? '' : `?${req.query}`}`, headers,
          agent: secure ? agents.https : agents.http, timeout,
        }, (res: IncomingMessage) => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: out, body: res });
        });
        r.on('timeout', () => r.destroy(new Error('upstream timeout')));
        r.on('error', reject);
        r.end(hasBody ? req.body : undefined);
      });
    },
    close(): Promise<void> {
      agents.http.destroy();
      agents.https.destroy();
      return Promise.resolve();
    },
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;
