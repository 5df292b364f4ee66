// The gateway's HTTP listener: a bare node:http server, one handler, raw bodies of any content
// type, no app-API routes. The URL is read raw (req.url), exactly as the client sent it, so nothing
// is normalised before the pipeline decides. No framework: every request here is proxied, and a
// router, hooks and serializers would only add to each request's latency (bench/gateway.bench.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from './canonicalise.js';
import type { Outcome, Pipeline } from './pipeline.js';

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const h = req.headers;
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function send(res: ServerResponse, outcome: Outcome): void {
  if (outcome.kind === 'refused') {
    res.writeHead(outcome.status, { ...outcome.headers, 'content-length': String(Buffer.byteLength(outcome.body)) }).end(outcome.body);
    return;
  }
  const { response } = outcome;
  const body = response.body;
  let finished = false;
  const finish = (error: string | null): void => {
    if (finished) return;
    finished = true;
    outcome.finish(error);
  };
  if (res.destroyed) {
    // The client left while the exchange was answering.
    finish('ClientClosed');
    body.destroy();
    return;
  }
  res.writeHead(response.status, response.headers);
  // Streamed chunk by chunk, pausing while the client is slower than the exchange (what pipe()
  // does, with fewer listeners per request).
  const resume = (): void => { body.resume(); };
  body.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) {
      body.pause();
      res.once('drain', resume);
    }
  });
  body.once('end', () => {
    res.end();
    finish(null);
  });
  body.once('error', (e: Error) => {
    finish(e.name);
    res.destroy();
  });
  // A client that hangs up mid-answer: the exchange's connection is not left paused, and the
  // outcome says so.
  res.once('close', () => {
    if (body.readableEnded) return;
    finish('ClientClosed');
    body.destroy();
  });
}

export function createGatewayServer(pipeline: Pipeline): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const headers = headersOf(req);
      const sourceIp = req.socket.remoteAddress ?? '';
      // Object literals, not a spread: a spread copies property by property, on every request.
      const outcome = size > MAX_BODY_BYTES
        ? pipeline.refuseEarly({ method, url, headers, sourceIp }, { kind: 'invalid', code: 'KW_GATEWAY_BODY_TOO_LARGE', message: `the body is over ${String(MAX_BODY_BYTES)} bytes` })
        : pipeline.handle({ method, url, headers, sourceIp, body: chunks.length === 1 ? chunks[0] ?? Buffer.alloc(0) : Buffer.concat(chunks) });
      outcome.then((o) => send(res, o), () => {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"Keyward KW_INTERNAL_ERROR"}');
      });
    });
    req.on('error', () => res.destroy());
  });
  // A request Node cannot even parse (bad request line, oversized headers): plain 400, no exchange
  // to speak for, nothing signed or forwarded.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  return server;
}
