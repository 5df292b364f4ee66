// The app API's HTTP layer: fastify with JSON bodies under a size limit, a per-address rate limit
// on every route (stricter on the sign-in routes), cookies, and problem+json for every error,
// including fastify's own (unknown route, bad JSON, body too large).
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { KeywardError } from '@keyward/protocol/errors';
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
  /** Serves the web app's files, if built (the next issue); routes under /api win. */
  readonly registerExtra?: (app: FastifyInstance) => Promise<void> | void;
}

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
    sendProblem(reply, fieldErrors === undefined ? p : { ...p, errors: fieldErrors });
  });
  app.setNotFoundHandler((req, reply) => {
    sendProblem(reply, problemOf('KW_NOT_FOUND', `${req.method} ${req.url.split('?')[0]?.slice(0, 200) ?? ''}`));
  });
  // Every response says what it is and that it must not be cached or framed.
  app.addHook('onSend', async (req, reply, payload) => {
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
  if (options.registerExtra !== undefined) await options.registerExtra(app);
  return app;
}
