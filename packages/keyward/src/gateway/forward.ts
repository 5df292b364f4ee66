// Forwarding through keep-alive pools (undici), one per upstream origin, and streaming the answer
// back. Hop-by-hop headers are dropped both ways (RFC 9110 §7.6.1).
import { Pool, type Dispatcher } from 'undici';
import type { ExchangeRequest } from '../exchanges/index.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Dispatcher.ResponseData['body'];
}

export function createForwarder(options: { connections?: number; timeoutMs?: number } = {}) {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let p = pools.get(origin);
    if (p === undefined) {
      p = new Pool(origin, { connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
      pools.set(origin, p);
    }
    return p;
  };

  return {
    /** `base` is the upstream's base URL, which may carry a path prefix (the sandbox's /binance). */
    async send(base: string, req: ExchangeRequest): Promise<UpstreamResponse> {
      const url = new URL(base);
      const prefix = url.pathname.replace(/\/$/, '');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      const res = await poolFor(url.origin).request({
        method: req.method as Dispatcher.HttpMethod,
        path: `${prefix}${req.path}${req.query === '' ? '' : `?${req.query}`}`,
        headers,
        body: req.body.length > 0 || !['GET', 'HEAD'].includes(req.method) ? req.body : null,
        headersTimeout: options.timeoutMs ?? 30_000,
        bodyTimeout: options.timeoutMs ?? 30_000,
      });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
      return { status: res.statusCode, headers: out, body: res.body };
    },
    async close(): Promise<void> {
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;
