// Forwarding through keep-alive pools, one per upstream origin, and streaming the answer back.
// Hop-by-hop headers are dropped both ways (RFC 9110 §7.6.1).
// undici rather than node:http's client: the same agent built both ways, measured side by side
// against one sandbox (2 and 32 connections), spent 10-25 % less CPU on its thread per request
// with undici and served 9-14 % more requests a second. undici parses HTTP with llhttp compiled to
// WebAssembly, for whose memory V8 reserves about 20 GB of guarded address space, which a core
// dump then holds (22 GB measured); `keyward agent` runs with --disable-wasm-trap-handler
// (cli/commands/agent.ts hardeningFlags), which makes V8 bounds-check instead, and its core dumps
// stay the size of its memory (1.1 GB; test/promises/no-plaintext-agent.test.ts dumps it).
import { Pool, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import type { ExchangeRequest } from '../exchanges/index.js';
import { connectionOptions, HOP_BY_HOP } from './canonicalise.js';


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
  readonly pool: Pool;
  /** The base URL's path without its trailing slash, e.g. the sandbox's /binance. */
  readonly prefix: string;
}

/**
 * The headers to pass on: every one but the hop-by-hop ones and those the Connection header names
 * (the gateway refuses requests whose Connection header names other headers, canonicalise.ts; an
 * exchange's answer may still name some).
 */
function endToEnd<V extends string | string[]>(headers: Record<string, V | undefined>): Record<string, V> {
  const named = connectionOptions(headers.connection);
  const out: Record<string, V> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !HOP_BY_HOP.has(k) && (named.length === 0 || !named.includes(k))) out[k] = v;
  }
  return out;
}

export function createForwarder(options: { connections?: number; timeoutMs?: number } = {}) {
  const timeout = options.timeoutMs ?? 30_000;
  // Base URLs come from configuration, a handful per process: each is parsed once. Bases on one
  // origin (the sandbox's /binance and /okx) share its pool.
  const pools = new Map<string, Pool>();
  const upstreams = new Map<string, Upstream>();
  const upstreamOf = (base: string): Upstream => {
    let u = upstreams.get(base);
    if (u === undefined) {
      const url = new URL(base);
      let pool = pools.get(url.origin);
      if (pool === undefined) {
        pool = new Pool(url.origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout });
        pools.set(url.origin, pool);
      }
      u = { pool, prefix: url.pathname.replace(/\/$/, '') };
      upstreams.set(base, u);
    }
    return u;
  };

  return {
    /** `base` is the upstream's base URL, which may carry a path prefix (the sandbox's /binance). */
    async send(base: string, req: ExchangeRequest): Promise<UpstreamResponse> {
      const u = upstreamOf(base);
      // undici frames the body itself (content-length, 0 for an empty POST).
      const res = await u.pool.request({
        method: req.method as Dispatcher.HttpMethod,
        path: req.query === '' ? `${u.prefix}${req.path}` : `${u.prefix}${req.path}?${req.query}`,
        headers: endToEnd(req.headers),
        body: req.body.length > 0 || (req.method !== 'GET' && req.method !== 'HEAD') ? req.body : null,
      });
      const h = res.headers;
      const out = endToEnd(h);
      // The body is passed on byte for byte, so its length stays true: with it the answer to the
      // client is not re-framed as chunks (fewer writes, nothing for the client to reassemble).
      const length = h['content-length'];
      if (typeof length === 'string' && /^\d+$/.test(length)) out['content-length'] = length;
      return { status: res.statusCode, headers: out, body: res.body };
    },
    async close(): Promise<void> {
      await Promise.all([...pools.values()].map((p) => p.destroy()));
    },
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;
