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

/** Reads a whole (small) upstream body; a RangeError past `limit` bytes. */
export async function readBody(body: Readable, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > limit) throw new RangeError('upstream body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a whole (small) upstream JSON body, e.g. an order book. */
export async function readJson(body: Readable, limit?: number): Promise<unknown> {
  return JSON.parse((await readBody(body, limit)).toString('utf8')) as unknown;
}

interface Upstream {
  readonly secure: boolean;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  /** The base URL's path without its trailing slash, e.g. the sandbox's /binance. */
  readonly prefix: string;
}

export function createForwarder(options: { connections?: number; timeoutMs?: number } = {}) {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: options.connections ?? 64, keepAliveMsecs: 30_000 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: options.connections ?? 64, keepAliveMsecs: 30_000 }),
  };
  const timeout = options.timeoutMs ?? 30_000;
  // Base URLs come from configuration, a handful per process: each is parsed once.
  const upstreams = new Map<string, Upstream>();
  const upstreamOf = (base: string): Upstream => {
    let u = upstreams.get(base);
    if (u === undefined) {
      const url = new URL(base);
      u = { secure: url.protocol === 'https:', protocol: url.protocol, hostname: url.hostname, port: url.port === '' ? undefined : Number(url.port), prefix: url.pathname.replace(/\/$/, '') };
      upstreams.set(base, u);
    }
    return u;
  };

  return {
    /** `base` is the upstream's base URL, which may carry a path prefix (the sandbox's /binance). */
    send(base: string, req: ExchangeRequest): Promise<UpstreamResponse> {
      const u = upstreamOf(base);
      const headers: Record<string, string> = {};
      for (const k in req.headers) {
        const v = req.headers[k];
        if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      }
      const hasBody = req.body.length > 0 || (req.method !== 'GET' && req.method !== 'HEAD');
      if (hasBody) headers['content-length'] = String(req.body.length);
      return new Promise((resolve, reject) => {
        const r = (u.secure ? httpsRequest : httpRequest)({
          protocol: u.protocol, hostname: u.hostname, port: u.port,
          method: req.method, path: req.query === '' ? `${u.prefix}${req.path}` : `${u.prefix}${req.path}?${req.query}`, headers,
          agent: u.secure ? agents.https : agents.http, timeout,
        }, (res: IncomingMessage) => {
          const out: Record<string, string | string[]> = {};
          const h = res.headers;
          for (const k in h) {
            const v = h[k];
            if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
          }
          // The body is passed on byte for byte, so its length stays true: with it the answer to the
          // client is not re-framed as chunks (fewer writes, nothing for the client to reassemble).
          const length = h['content-length'];
          if (length !== undefined && /^\d+$/.test(length)) out['content-length'] = length;
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
