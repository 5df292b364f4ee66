// An agent in this process for tests: a fresh vault with the given credentials, tokens issued
// through the library, and upstreams that are either the sandbox or a recording server.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SecureBuffer } from '../../packages/keyward/src/crypto/index.js';
import { issueToken, openLocal, startAgent, type RunningAgent } from '../../packages/keyward/src/main/index.js';
import type { Policy } from '@keyward/protocol/policy';
import { tempDir } from './cli.js';

export const PASSWORD = 'agent test password';
export const pw = (s = PASSWORD): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });

export interface TestCredential {
  readonly name: string;
  readonly exchange: string;
  readonly apiKey: string;
  readonly secret?: string;
  readonly passphrase?: string;
  readonly privateKey?: string;
}

export async function makeVault(credentials: readonly TestCredential[]): Promise<{ home: string }> {
  const home = tempDir('keyward-agent-');
  const ctx = await openLocal({ home, db: undefined }, { create: true });
  await ctx.vault.init(pw());
  const { vault } = await ctx.vault.unlock(pw());
  for (const c of credentials) {
    const part = (s: string | undefined): SecureBuffer | undefined => (s === undefined ? undefined : SecureBuffer.from(Buffer.from(s), { wipeSource: true }));
    const parts = Object.fromEntries(Object.entries({ secret: part(c.secret), passphrase: part(c.passphrase), privateKey: part(c.privateKey) }).filter(([, v]) => v !== undefined));
    await vault.add(c.name, c.exchange, { apiKey: c.apiKey, ...parts });
  }
  vault.lock();
  await ctx.close();
  return { home };
}

export function policy(overrides: Partial<Policy> & { credential: string }): Policy {
  return {
    actions: ['read', 'trade', 'cancel'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null,
    ordersPerMinute: null, sourceCidrs: null, expiresAt: null, ...overrides,
  };
}

export async function token(home: string, p: Policy, parent?: string): Promise<{ token: string; accessor: string }> {
  const r = await issueToken({ home, db: undefined }, pw(), { ...(parent === undefined ? {} : { parent }), label: 'test', policy: p, expiresAt: p.expiresAt, uses: null });
  return { token: r.token, accessor: r.row.accessor };
}

export async function agent(home: string, upstreams: Record<string, string>, options: { sandbox?: boolean } = {}): Promise<RunningAgent> {
  return startAgent({
    location: { home, db: undefined }, host: '127.0.0.1', port: 0, sandbox: options.sandbox === true, upstreams,
    idleLockMs: 600_000, maxUnlockMs: 3_600_000,
  }, pw());
}

export interface Recorded { method: string; url: string; headers: IncomingMessage['headers']; body: string }

/** An upstream that answers 200 {} to everything and records what reached it. */
export async function recordingUpstream(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  return { url: `http://127.0.0.1:${String(port)}`, requests, close: () => new Promise((r) => { server.close(() => r()); }) };
}

export const checkpointsOf = (home: string): string => join(home, 'audit-checkpoints.jsonl');

/**
 * One HTTP/1.1 request written byte for byte (no client library normalises the path: undici and
 * fetch would resolve dot segments and backslashes before sending, hiding the attack).
 */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  const payload = Buffer.from(body);
  const head = [`${method} ${path} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close', `content-length: ${String(payload.length)}`,
    ...Object.entries(headers).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    // write, not end: a client that half-closes its side is one Node's HTTP server may drop.
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([Buffer.from(head), payload])));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf('\r\n\r\n');
      let rest = split < 0 ? '' : text.slice(split + 4);
      if (/transfer-encoding: chunked/i.test(text.slice(0, split))) {
        let out = '';
        while (rest.length > 0) {
          const nl = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, nl), 16);
          if (!(size > 0)) break;
          out += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
        }
        rest = out;
      }
      resolve({ status, body: rest });
    });
  });
}

/** What reached the exchange, leaving out the gateway's own market-data reads. */
export function clientRequests(requests: readonly Recorded[]): Recorded[] {
  return requests.filter((r) => !(r.method === 'GET' && /\/(depth|Depth|books|product_book|orderbook)/.test(r.url)));
}
