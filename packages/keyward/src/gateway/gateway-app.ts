// The gateway's HTTP listener: one fastify instance with a single catch-all route, raw bodies of
// any content type, and no app-API routes. The URL is read raw (request.raw.url), exactly as the
// client sent it, so nothing is normalised before the pipeline decides.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { MAX_BODY_BYTES } from './canonicalise.js';
import type { Outcome, Pipeline } from './pipeline.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function createGatewayApp(pipeline: Pipeline): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    // Errors fastify raises before routing (a malformed URL) still get the exchange's own format.
    frameworkErrors: (error, request, reply) => {
      void pipeline.refuseEarly({ method: request.raw.method ?? 'GET', url: request.raw.url ?? '/', headers: {}, sourceIp: request.raw.socket.remoteAddress ?? '' },
        { kind: 'invalid', code: 'KW_GATEWAY_AMBIGUOUS', message: `the request cannot be read (${error.code})` })
        .then((o) => send(reply, o));
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body); });

  function send(reply: FastifyReply, outcome: Outcome): FastifyReply {
    if (outcome.kind === 'refused') return reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
    const { response } = outcome;
    response.body.once('end', () => outcome.finish(null));
    response.body.once('error', (e: Error) => outcome.finish(e.name));
    return reply.code(response.status).headers(response.headers).send(response.body);
  }

  app.setErrorHandler(async (error, request, reply) => {
    const tooLarge = (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const o = await pipeline.refuseEarly(
      { method: request.method, url: request.raw.url ?? '/', headers: {}, sourceIp: request.ip },
      tooLarge
        ? { kind: 'invalid', code: 'KW_GATEWAY_BODY_TOO_LARGE', message: `the body is over ${String(MAX_BODY_BYTES)} bytes` }
        : { kind: 'invalid', code: 'KW_GATEWAY_AMBIGUOUS', message: 'the request cannot be read' },
    );
    return send(reply, o);
  });

  app.route({
    method: [...METHODS],
    url: '/*',
    handler: async (request, reply) => {
      const outcome = await pipeline.handle({
        method: request.method,
        url: request.raw.url ?? '/',
        headers: headersOf(request.headers),
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        sourceIp: request.socket.remoteAddress ?? '',
      });
      return send(reply, outcome);
    },
  });
  return app;
}
