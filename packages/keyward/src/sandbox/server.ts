// The HTTP face of the sandbox: one fastify instance, one catch-all route per exchange prefix
// (/binance, /kraken, /coinbase, /okx) and the /admin routes. Bodies are kept as raw text and
// paths are taken from the raw URL, because every exchange signs the bytes it was sent; a parsed
// and re-serialised request could verify where the real exchange would refuse.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Dialect } from './dialects/dialect.js';
import type { WireRequest } from './wire.js';

export interface AdminRoutes {
  register(app: FastifyInstance): void;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function toWire(request: FastifyRequest, prefix: string): WireRequest {
  const raw = request.url.slice(prefix.length);
  const q = raw.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: request.method,
    path: q < 0 ? raw : raw.slice(0, q),
    query: q < 0 ? '' : raw.slice(q + 1),
    body: typeof request.body === 'string' ? request.body : '',
    headers,
    ip: request.ip,
    host: request.headers.host ?? '',
    prefix,
  };
}

export function buildServer(dialects: readonly Dialect[], admin: AdminRoutes, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  for (const dialect of dialects) {
    const prefix = `/${dialect.exchange}`;
    app.route({
      method: [...METHODS],
      url: `${prefix}/*`,
      handler: async (request, reply) => {
        const res = dialect.handle(toWire(request, prefix));
        void reply.code(res.status).headers({ 'content-type': 'application/json; charset=utf-8', ...res.headers });
        return JSON.stringify(res.body);
      },
    });
  }
  admin.register(app);
  return app;
}
