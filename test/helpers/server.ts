// `keyward serve` in this process for tests: a fresh data directory, SQLite or a PostgreSQL schema,
// the sandbox exchange, a local SMTP server that keeps what it receives, and a clock the test can
// move. ApiClient is a browser in miniature: a cookie jar, the CSRF header on writes, JSON bodies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import ccxt from 'ccxt';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { hotp, totpStep } from '../../packages/keyward/src/accounts/index.js';
import { checkPreloginParams, deriveSignIn, openUserKey, prepareSignUp, sealCredentialForUpload } from '../../packages/keyward/src/client/index.js';
import { SecureBuffer } from '../../packages/keyward/src/crypto/index.js';
import { postgresTestUrl } from '../../packages/keyward/src/testing/index.js';
import { loadServerConfig } from '../../packages/keyward/src/config/index.js';
import { startServer, type RunningServer } from '../../packages/keyward/src/main/index.js';
import { tempDir } from './cli.js';

export interface ReceivedMail { readonly to: string[]; readonly raw: string }

export async function startSmtp(): Promise<{ port: number; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, mails, close: () => new Promise((r) => server.close(() => r())) };
}

export interface TestClock { now(): number; advance(ms: number): void }

/** Real time plus whatever the test skipped ahead. */
export function testClock(): TestClock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => { offset += ms; } };
}

export interface TestServer {
  readonly server: RunningServer;
  readonly smtp: Awaited<ReturnType<typeof startSmtp>>;
  readonly clock: TestClock;
  readonly dataDir: string;
  /** The server's JSON log lines. */
  readonly logs: string[];
  client(address?: string): ApiClient;
  close(): Promise<void>;
}

export async function startTestServer(options: { db?: string; dataDir?: string; throttle?: Record<string, unknown>; extraConfig?: Record<string, unknown> } = {}): Promise<TestServer> {
  const smtp = await startSmtp();
  const dataDir = options.dataDir ?? tempDir('keyward-serve-');
  const clock = testClock();
  const config = loadServerConfig({
    env: {},
    flags: {
      host: '127.0.0.1', port: 0, gatewayPort: 0, sandbox: true, dataDir, smtpUrl: `smtp://127.0.0.1:${String(smtp.port)}`,
      ...(options.db === undefined ? {} : { db: options.db }), ...options.extraConfig,
    },
  });
  const logs: string[] = [];
  let server: RunningServer;
  try {
    server = await startServer({
      config, defaultDataDir: dataDir, now: clock.now, authHash: { iterations: 1, memoryKiB: 8 }, logStream: { write: (line: string) => logs.push(line) },
      ...(options.throttle === undefined ? {} : { throttle: { now: clock.now, ...options.throttle } }),
    });
  } catch (e) {
    await smtp.close();
    throw e;
  }
  return {
    server, smtp, clock, dataDir, logs,
    client: (address) => new ApiClient(server.url, address),
    close: async () => {
      await server.close();
      await smtp.close();
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export class ApiClient {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;
  constructor(readonly base: string, readonly forwardedFor?: string) {}

  /** The same session (cookies, CSRF token) seen from another address. */
  from(address: string): ApiClient {
    const c = new ApiClient(this.base, address);
    for (const [k, v] of this.cookies) c.cookies.set(k, v);
    c.csrf = this.csrf;
    return c;
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, extra: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...extra.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = extra.csrf === undefined ? this.csrf : extra.csrf;
    if (csrf !== null && method !== 'GET') headers['x-csrf-token'] = csrf;
    if (this.forwardedFor !== undefined) headers['x-forwarded-for'] = this.forwardedFor;
    const res = await fetch(this.base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && eq > 0) {
        const value = pair.slice(eq + 1);
        if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(pair.slice(0, eq));
        else this.cookies.set(pair.slice(0, eq), value);
      }
    }
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { raw: text };
    }
    const out = { status: res.status, headers: res.headers, body: parsed as T, text };
    const token = (parsed as { csrfToken?: unknown }).csrfToken;
    if (typeof token === 'string') this.csrf = token;
    return out;
  }

  get<T = Record<string, unknown>>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body ?? {});
  }
}

// The steps a client takes, shared by the server tests.

const PASSWORD = 'correct horse battery staple';
export const pw = (s = PASSWORD): SecureBuffer => SecureBuffer.from(Buffer.from(s), { wipeSource: true });

/** RFC 4648 base32 (no padding) to bytes: what an authenticator app does with the QR code's secret. */
function base32Decode(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text.toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

export function totpNow(uri: string, nowMs: number): string {
  const secret = new URL(uri).searchParams.get('secret') ?? '';
  const seed = SecureBuffer.from(Buffer.from(base32Decode(secret)), { wipeSource: true });
  try {
    return hotp(seed, totpStep(nowMs));
  } finally {
    seed.release();
  }
}

export async function signUp(c: ApiClient, email: string): Promise<{ userKey: SecureBuffer; accountId: string }> {
  const { body, userKey } = await prepareSignUp(pw(), email);
  const r = await c.post('/api/v1/auth/signup', body);
  assert.equal(r.status, 201, r.text);
  return { userKey, accountId: body.accountId };
}

/** Sign in (and unlock) the way a client does: pre-login, derive, send the auth key, unlock. */
type SecondFactor = { totp?: string; recoveryCode?: string; passkey?: unknown };

export async function signIn(
  c: ApiClient, email: string, secondFactor?: (ticket: string) => SecondFactor | Promise<SecondFactor>, password?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const pre = await c.post<{ accountId: string; salt: string; kdf: { memoryKiB: number; iterations: number } }>('/api/v1/auth/prelogin', { email });
  assert.equal(pre.status, 200, pre.text);
  checkPreloginParams(pre.body);
  const keys = await deriveSignIn(pw(password), pre.body);
  let r = await c.post('/api/v1/auth/signin', { email, authKey: keys.authKey });
  if (r.status === 200 && typeof r.body.ticket === 'string' && secondFactor !== undefined) {
    r = await c.post('/api/v1/auth/signin/second-factor', { ticket: r.body.ticket, ...await secondFactor(r.body.ticket) });
  }
  if (r.status === 200 && r.body.account !== undefined) {
    const account = r.body.account as { id: string; wrappedUserKey: string };
    const userKey = openUserKey(keys.encryptionKey, account.wrappedUserKey, account.id);
    const u = await c.post('/api/v1/session/unlock', { userKey: userKey.reveal((b) => b.toString('base64url')) });
    userKey.release();
    assert.equal(u.status, 200, u.text);
  }
  keys.encryptionKey.release();
  return r;
}

export async function sandboxKey(s: TestServer, permissions: string[] = ['read', 'trade']): Promise<{ apiKey: string; secret: string }> {
  const res = await fetch(`${s.server.sandbox?.url ?? ''}/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exchange: 'binance', permissions }) });
  return await res.json() as { apiKey: string; secret: string };
}

export async function connectBinance(s: TestServer, c: ApiClient, userKey: SecureBuffer, accountId: string, name: string, permissions?: string[]) {
  const key = await sandboxKey(s, permissions);
  const sealed = sealCredentialForUpload(userKey, accountId, { name, exchange: 'binance', apiKey: key.apiKey, secret: SecureBuffer.from(Buffer.from(key.secret), { wipeSource: true }) });
  return { response: await c.post('/api/v1/credentials', { ...sealed, custody: 'sealed' }), key };
}

/** Unmodified ccxt with a Keyward token for its key and the gateway for its base URL. */
export function binanceBot(token: string, gateway: string): InstanceType<typeof ccxt.binance> {
  return new ccxt.binance({
    apiKey: token, secret: 'not-the-secret', enableRateLimit: false,
    urls: { api: { public: `${gateway}/binance/api/v3`, private: `${gateway}/binance/api/v3`, sapi: `${gateway}/binance/sapi/v1` } },
    options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false },
  });
}

/** A fresh PostgreSQL database for one test; dropped afterwards. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kw_serve_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresTestUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresTestUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresTestUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

