// Each app-API route is one declaration: method, path, who may call it, zod schemas for what it
// takes, and its handler. The same declarations register the fastify routes and produce the
// OpenAPI description, so the document cannot drift from what the server accepts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { KeywardError } from '@keyward/protocol/errors';
import type { ActiveSession } from './sessions.js';

/**
 * none: anyone (rate-limited); session: a live session (CSRF checked on writes); unlocked: and the
 * session holds the user key; fresh: and the password was confirmed in the last 5 minutes.
 */
export type Access = 'none' | 'session' | 'unlocked' | 'fresh';

export interface RouteContext<B, Q, P> {
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** Set for every access level but 'none'. */
  readonly session: ActiveSession | null;
  readonly ip: string;
}

export interface RouteDef<B = unknown, Q = unknown, P = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** fastify syntax: /api/v1/tokens/:accessor */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly body?: ZodType<B>;
  readonly query?: ZodType<Q>;
  readonly params?: ZodType<P>;
  /** Success status (default 200). */
  readonly status?: number;
  /** Stricter per-address limit than the default, e.g. for sign-in. */
  readonly rateLimitPerMinute?: number;
  readonly handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>;
}

/** Keeps the generic types of one route while collecting routes of different shapes in a list. */
export function route<B = undefined, Q = undefined, P = undefined>(def: RouteDef<B, Q, P>): RouteDef {
  return def as unknown as RouteDef;
}

function parseWith<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (schema === undefined) return undefined as T;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw Object.assign(new KeywardError('KW_INPUT_INVALID', errors.map((e) => `${e.path}: ${e.message}`).join('; ')), { fieldErrors: errors });
}

export type SessionGuard = (req: FastifyRequest, access: Exclude<Access, 'none'>) => Promise<ActiveSession>;

export function registerRoutes(app: FastifyInstance, routes: readonly RouteDef[], guard: SessionGuard): void {
  for (const def of routes) {
    app.route({
      method: def.method,
      url: def.url,
      ...(def.rateLimitPerMinute === undefined ? {} : { config: { rateLimit: { max: def.rateLimitPerMinute, timeWindow: 60_000 } } }),
      handler: async (req, reply) => {
        const session = def.access === 'none' ? null : await guard(req, def.access);
        const ctx: RouteContext<unknown, unknown, unknown> = {
          req, reply, session, ip: req.ip,
          body: parseWith(def.body, req.body, 'body'),
          query: parseWith(def.query, req.query, 'query'),
          params: parseWith(def.params, req.params, 'params'),
        };
        const result = await def.handler(ctx);
        if (reply.sent) return reply;
        void reply.code(def.status ?? (result === undefined ? 204 : 200));
        return result === undefined ? reply.send() : result;
      },
    });
  }
}

function jsonSchema(schema: ZodType, io: 'input' | 'output' = 'input'): unknown {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  } catch {
    return {};
  }
}

/** OpenAPI 3.1 from the route declarations. */
export function openApiDocument(routes: readonly RouteDef[], info: { title: string; version: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const path = def.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...def.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = def.query === undefined ? [] : Object.entries(((jsonSchema(def.query) as { properties?: Record<string, unknown> }).properties) ?? {})
      .map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
    (paths[path] ??= {})[def.method.toLowerCase()] = {
      summary: def.summary,
      tags: [def.tag],
      ...(def.access === 'none' ? { security: [] } : {}),
      'x-keyward-access': def.access,
      parameters: [...params, ...query],
      ...(def.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body) } } } }),
      responses: {
        [String(def.status ?? 200)]: { description: 'Success' },
        default: { description: 'An error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kw_session', description: 'Session cookie; writes also need the x-csrf-token header.' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' },
            code: { type: 'string', description: 'A stable KW_* code; see docs/errors.md' }, detail: { type: 'string' }, hint: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    security: [{ session: [] }],
  };
}
