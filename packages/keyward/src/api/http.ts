// The app API's HTTP layer: fastify with JSON bodies under a size limit, a per-address rate limit
// on every route (stricter on the sign-in routes), cookies, and problem+json for every error,
// including fastify's own (unknown route, bad JSON, body too large).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import { problemFromError, problemOf, type Problem } from './problem.js';
import { registerRoutes, type Access, type RouteDef } from './route.js';
import type { ActiveSession, SessionService } from './sessions.js';

export const SESSION_COOKIE = 'kw_session';
export const DEVICE_COOKIE = 'kw_device';
export const API_BODY_LIMIT = 64 * 1024;

export interface ApiHttpOptions {
  readonly routes: readonly RouteDef[];
  readonly sessions: SessionService;
  /** Whether the user key is held for this session (access level 'unlocked'). */
  readonly isUnlocked: (session: ActiveSession) => boolean;
  readonly trustProxy: boolean;
  /** A pino logger; none: no logging. */
  readonly logger?: FastifyBaseLogger;
  readonly rateLimitPerMinute?: number;
  readonly https?: { key: Buffer; cert: Buffer };
  /** The built web app (packages/web/dist); served at / when it holds an index.html. */
  readonly webRoot?: string;
}

export const WEB_CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** IPv4 clients reach a dual-stack socket as ::ffff:a.b.c.d; allowlists are written as a.b.c.d. */
export function clientAddress(req: FastifyRequest): string {
  return req.ip.startsWith('::ffff:') && req.ip.includes('.') ? req.ip.slice(7) : req.ip;
}

function sendProblem(reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b: unknown): unknown }, p: Problem): void {
  reply.code(p.status);
  reply.header('content-type', 'application/problem+json; charset=utf-8');
  reply.send(JSON.stringify(p));
}

export async function createApiApp(options: ApiHttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: API_BODY_LIMIT,
    trustProxy: options.trustProxy,
    ...(options.https === undefined ? {} : { https: options.https }),
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    keyGenerator: (req) => clientAddress(req),
    errorResponseBuilder: (_req, ctx) => Object.assign(new KeywardError('KW_RATE_LIMITED', `Wait ${String(Math.ceil(ctx.ttl / 1000))} s.`), { statusCode: 429 }),
  });

  app.setErrorHandler((error, req, reply) => {
    const p = problemFromError(error);
    // The code and the error's class name only: messages of errors we did not make are not ours
    // to vouch for, and could quote input.
    if (p.status >= 500) req.log.error({ code: p.code, error: (error as { name?: unknown }).name }, 'request failed');
    else req.log.info({ code: p.code, status: p.status }, 'request refused');
    const fieldErrors = (error as { fieldErrors?: Problem['errors'] }).fieldErrors;
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
    // Extra members a route attaches on purpose (RFC 9457 extensions), e.g. what a refused key could do.
    const extras = isKeywardError(error) ? (error as { problemExtras?: Record<string, unknown> }).problemExtras : undefined;
    sendProblem(reply, { ...extras, ...(fieldErrors === undefined ? p : { ...p, errors: fieldErrors }) });
  });
  const web = options.webRoot !== undefined && existsSync(join(options.webRoot, 'index.html')) ? options.webRoot : undefined;
  app.setNotFoundHandler((req, reply) => {
    // The web app routes in the browser: any other GET that wants a page gets index.html.
    if (web !== undefined && req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    sendProblem(reply, problemOf('KW_NOT_FOUND', `${req.method} ${req.url.split('?')[0]?.slice(0, 200) ?? ''}`));
    return reply;
  });
  if (web !== undefined) {
    await app.register(fastifyStatic, { root: web, index: ['index.html'], wildcard: false, cacheControl: false });
  }
  // Every response says what it is and that it must not be cached or framed.
  app.addHook('onSend', async (req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      // The app's own scripts only (libsodium compiles WebAssembly), its own API, no framing.
      void reply.header('content-security-policy', WEB_CSP);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('x-frame-options', 'DENY');
      void reply.header('referrer-policy', 'no-referrer');
      void reply.header('cache-control', 'no-cache');
    } else if (/\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(req.url.split('?')[0] ?? '')) {
      // Vite's hashed file names change with their content: cache them for good.
      void reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    if (req.url.startsWith('/api/')) {
      void reply.header('cache-control', 'no-store');
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('x-frame-options', 'DENY');
      void reply.header('referrer-policy', 'no-referrer');
    }
    return payload;
  });

  const guard = async (req: FastifyRequest, access: Exclude<Access, 'none'>): Promise<ActiveSession> => {
    const session = await options.sessions.resolve(req.cookies[SESSION_COOKIE], clientAddress(req));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const header = req.headers['x-csrf-token'];
      options.sessions.checkCsrf(session, typeof header === 'string' ? header : undefined);
    }
    if (access === 'unlocked' && !options.isUnlocked(session)) throw new KeywardError('KW_SESSION_LOCKED');
    if (access === 'fresh' && !options.sessions.isFresh(session)) throw new KeywardError('KW_REAUTH_REQUIRED');
    return session;
  };
  registerRoutes(app, options.routes, guard);
  return app;
}
