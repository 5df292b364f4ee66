// Composition root for `keyward serve` (docs/server.md): the multi-user app API, the signing gateway
// for this server's users and, with --sandbox, the sandbox exchange, in one process. The server at
// rest holds ciphertext, wrapped keys and its own KEK-wrapped secret; it opens a person's exchange
// keys only as their custody mode allows (main/server-keys.ts).
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { z } from 'zod';
import { KeywardError } from '@keyward/protocol/errors';
import { createThrottle } from '../accounts/index.js';
import {
  authRoutes, createApiApp, createSessionService, credentialRoutes, judgePermissions, openApiRoute, passkeyRoutes, securityRoutes,
  route, tokenRoutes, tradingRoutes, type ApiDeps, type CheckOutcome, type RouteDef,
} from '../api/index.js';
import { createAuditLog, createCheckpointer, entriesOf, readCheckpoints, verifyChain } from '../audit/index.js';
import { AUTH_HASH_DEFAULTS, SecureBuffer, type AuthHashParams } from '../crypto/index.js';
import { ADAPTERS, adapterFor } from '../exchanges/index.js';
import { createForwarder, createGatewayServer, createMarketData, createPipeline, fetchVia, createUsageTracker, readBody } from '../gateway/index.js';
import { createNotifier, createSmtpMailer, smtpServerFromUrl } from '../notify/index.js';
import { startSandbox, type RunningSandbox } from '../sandbox/index.js';
import type { Store } from '../store/index.js';
import { createTokenService } from '../tokens/index.js';
import { bindCredentialToToken, createNonceKeeper, createSessionKeyRing, loadServerSecrets } from '../vault/index.js';
import type { ServerConfig } from '../config/index.js';
import { policySubset } from './agent.js';
import { createServerKeys } from './server-keys.js';
import { openKek, openStore, readSecretFileDefault } from './server-storage.js';
import { createAppTokens } from './app-tokens.js';
import { createTrading } from '../trading/index.js';

export interface ServerOptions {
  readonly config: ServerConfig;
  /** Where data lives when the config names no dataDir. */
  readonly defaultDataDir: string;
  readonly now?: () => number;
  /** Server-side Argon2id of auth keys; tests lower it, never below libsodium's minimum. */
  readonly authHash?: AuthHashParams;
  /** Throttle overrides, for tests that must not wait minutes. */
  readonly throttle?: Parameters<typeof createThrottle>[0];
  /** Reads the SMTP password and PKCS#11 PIN files (tests pass fixtures). */
  readonly readSecretFile?: (path: string) => SecureBuffer;
  /** Where JSON log lines go (default stdout); tests collect them to look for leaks. */
  readonly logStream?: { write(line: string): unknown };
}

export interface RunningServer {
  readonly url: string;
  readonly gatewayUrl: string;
  readonly sandbox: RunningSandbox | null;
  readonly store: Store;
  readonly app: FastifyInstance;
  /** For tests: how many key handles are open right now. */
  openKeyHandles(): number;
  flushNotifications(): Promise<void>;
  close(): Promise<void>;
}

const SANDBOX_EXCHANGES = ['binance', 'kraken', 'coinbase', 'okx'];
const ANONYMOUS = '_anonymous';
const RECHECK_EVERY_MS = 6 * 3600_000;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const now = options.now ?? (() => Date.now());
  const readSecret = options.readSecretFile ?? readSecretFileDefault;
  const dataDir = config.dataDir ?? options.defaultDataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);

  // One line per request (method, path, status, time) and per notable event. Never a header,
  // cookie or body: the request serializer keeps method, url and addresses only, and the paths
  // below are censored should anything ever log a whole request.
  const log = pino({
    level: config.log, base: { service: 'keyward-serve' },
    redact: { paths: ['req.headers', 'res.headers', '*.cookie', '*.authorization', '*["x-csrf-token"]'], censor: '[redacted]' },
  }, options.logStream ?? process.stdout);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const store = await openStore(config, dataDir);
    closers.push(() => store.close());
    const kek = await openKek(config, dataDir, readSecret);
    closers.push(() => kek.close());
    const secrets = await loadServerSecrets({ kek, meta: store.meta });
    closers.push(() => secrets.release());

    let sandbox: RunningSandbox | null = null;
    const upstreams: Record<string, string> = Object.fromEntries(ADAPTERS.map((a) => [a.id, a.baseUrl]));
    if (config.sandbox) {
      // The sandbox reads the server's clock, so the timestamps it checks agree with the ones signed.
      sandbox = await startSandbox({ seed: 1, clock: { now } });
      closers.push(() => sandbox?.close());
      for (const id of SANDBOX_EXCHANGES) upstreams[id] = `${sandbox.url}/${id}`;
    }
    Object.assign(upstreams, config.upstreams);
    const exchanges = config.sandbox ? SANDBOX_EXCHANGES : ADAPTERS.map((a) => a.id);

    // Notifications: inbox always, e-mail when an SMTP server is configured.
    const mailer = config.smtpUrl === undefined ? null : createSmtpMailer({
      ...smtpServerFromUrl(config.smtpUrl), from: config.mailFrom,
      ...(config.smtpUser === undefined || config.smtpPasswordFile === undefined ? {} : { user: config.smtpUser, password: () => readSecret(config.smtpPasswordFile as string) }),
    });
    const notifier = createNotifier({
      inbox: {
        add: async (n) => {
          const id = SecureBuffer.random(16).reveal((b) => b.toString('hex'));
          await store.notifications.insert({ id, accountId: n.accountId, at: n.at, kind: n.kind, title: n.title, body: n.body, readAt: null, emailedAt: null });
          return { id };
        },
        markEmailed: (id, at) => store.notifications.markEmailed(id, at),
      },
      mailer,
      addressOf: async (accountId) => (await store.accounts.findById(accountId))?.email ?? null,
      now,
    });
    closers.push(() => notifier.flush());
    const notify: ApiDeps['notify'] = (accountId, kind, facts, options) => {
      void notifier.notify(accountId, kind, facts, options).catch(() => undefined);
    };

    const keyRing = createSessionKeyRing();
    closers.push(() => keyRing.clear());
    const keys = createServerKeys({ store, kek, userKeyOf: (a) => keyRing.forAccount(a) });
    closers.push(() => keys.close());

    const tokens = createTokenService({ tokens: store.tokens, hashKey: secrets.tokenKey, now, isSubset: policySubset, changeStamp: () => store.tokenGeneration() });

    // Audit: one chain per account, MAC'd with the server's audit key; signed checkpoints in the data directory.
    const checkpoints = join(dataDir, 'audit-checkpoints.jsonl');
    const checkpointer = createCheckpointer({ file: checkpoints, flushAudit: () => store.flushAudit(), signer: () => secrets.checkpointSigner, now });
    const audit = createAuditLog({ store, key: secrets.auditKey.v2, onCommit: (accountId, head) => { checkpointer.note(accountId, head); } });
    const checkpointTimer = setInterval(() => { void checkpointer.write(); }, 5000);
    checkpointTimer.unref();
    closers.push(async () => {
      clearInterval(checkpointTimer);
      await audit.drain().catch(() => undefined);
      await checkpointer.write();
    });

    const forwarder = createForwarder();
    closers.push(() => forwarder.close());
    const market = createMarketData({ now, fetch: fetchVia(forwarder, (id) => upstreams[id]) });
    const pipeline = createPipeline({
      adapter: (id) => (exchanges.includes(id) ? adapterFor(id) : undefined),
      upstream: (id) => upstreams[id],
      tokens,
      credential: (accountId, name, token) => keys.forSigning(accountId, name, token),
      isLocked: () => false,
      audit,
      anonymousAccount: ANONYMOUS,
      usage: createUsageTracker(now),
      market,
      nonces: createNonceKeeper({ nonces: store.nonces }),
      forwarder,
      now,
    });

    // The web app's orders take the bot path: a per-session token, the pipeline, the audit log.
    const appTokens = createAppTokens({ tokens, now });
    const trading = createTrading({
      pipeline, now,
      appToken: async (accountId, sessionId, credential) => {
        const row = await store.sessions.findById(sessionId);
        if (row === undefined || row.endedAt !== null) throw new KeywardError('KW_SESSION_EXPIRED');
        return appTokens.tokenFor(accountId, sessionId, credential, row.expiresAt);
      },
      credentials: async (accountId) => (await store.credentials.list(accountId)).map((r) => ({ name: r.name, exchange: r.exchange })),
    });

    const sessions = createSessionService({
      store, hash: (v) => secrets.sessionHash(v), idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionAbsoluteMinutes * 60_000, now,
      onEnd: (sessionId) => {
        const accountId = keyRing.accountOf(sessionId);
        keyRing.dropSession(sessionId);
        void appTokens.endSession(sessionId);
        if (accountId !== undefined && keyRing.forAccount(accountId) === undefined) keys.forgetSealed(accountId);
      },
    });
    const throttle = createThrottle({
      now,
      onBurst: (b) => {
        void store.accounts.findByEmail(b.account).then((a) => {
          if (a !== undefined) notify(a.id, 'failed-attempts', { count: b.attempts });
        });
      },
      ...options.throttle,
    });

    const scheme = config.tlsCert === undefined ? 'http' : 'https';
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const publicUrl = config.publicUrl ?? `${scheme}://${host}:${String(config.port)}`;
    // Passkeys are bound to the origin people open; without a publicUrl it is known once listening (port 0).
    const passkeys = { rpId: new URL(publicUrl).hostname, rpName: 'Keyward', origin: new URL(publicUrl).origin };
    const deps: ApiDeps = {
      store, keys: secrets, sessions, keyRing, kek, throttle, tokens, notify,
      authHash: options.authHash ?? AUTH_HASH_DEFAULTS,
      passkeys,
      secureCookies: config.tlsCert !== undefined || publicUrl.startsWith('https:'),
      exchanges, now,
    };

    const egressAddress = config.sandbox ? '127.0.0.1' : 'the public address of this server';
    async function checkCredential(accountId: string, row: Parameters<typeof keys.open>[0]): Promise<CheckOutcome> {
      const adapter = adapterFor(row.exchange);
      const upstream = upstreams[row.exchange];
      if (adapter === undefined || adapter.permissions === null || upstream === undefined) {
        return { ok: true, permissions: null, warnings: [`${row.exchange} has no way to ask what a key may do; check it has withdrawals off.`], refusal: null };
      }
      const opened = await keys.open(row, null);
      if (opened === undefined) throw new KeywardError('KW_SESSION_LOCKED', 'Unlock this session to check a sealed key.');
      try {
        const nowMs = now();
        const nonce = adapter.nonce === 'increasing' ? await createNonceKeeper({ nonces: store.nonces }).next(row.id, BigInt(nowMs)) : 0n;
        const res = await forwarder.send(upstream, adapter.sign(adapter.permissions.request(), opened.handle, { nowMs, nonce }));
        const answer = await readBody(res.body);
        let permissions;
        try {
          permissions = adapter.permissions.parse(res.status, answer);
        } catch (e) {
          return { ok: false, permissions: null, warnings: [], refusal: `The exchange did not accept this key: ${(e as Error).message.slice(0, 200)}` };
        }
        return { permissions, ...judgePermissions(permissions, egressAddress) };
      } finally {
        opened.handle.release();
      }
    }

    const info = { gatewayUrl: '' };
    const routes: RouteDef[] = [
      ...authRoutes(deps),
      ...passkeyRoutes(deps),
      ...securityRoutes(deps, (accountId) => keys.forget(accountId)),
      ...tokenRoutes(deps, {
        afterIssue: async (session, row, token) => {
          await bindTokenBound(session.accountId, row.accessor, row.policy, token);
        },
        afterRevoke: (accountId, accessors) => keys.forget(accountId, undefined, accessors),
      }, async (accountId, accessor, limit) => accessLog(accountId, accessor, limit)),
      ...credentialRoutes(deps, { check: checkCredential, forget: (a, c) => keys.forget(a, c), egressAddress }),
      ...tradingRoutes(deps, { trading, exchanges }),
      ...auditRoutes(),
      ...(sandbox === null ? [] : [paperKeyRoute(sandbox)]),
      {
        method: 'GET', url: '/api/v1/info', tag: 'auth', access: 'none',
        summary: 'What this server offers: the gateway URL bots use, the exchanges it connects, whether it runs the sandbox',
        handler: () => Promise.resolve({ gatewayUrl: info.gatewayUrl, exchanges, sandbox: config.sandbox, egressAddress }),
      },
    ];
    routes.push(openApiRoute(routes));

    /** Token-bound credentials named by a new token's policy get a binding for that token. */
    async function bindTokenBound(accountId: string, accessor: string, policyText: string, token: string): Promise<void> {
      const name = (JSON.parse(policyText) as { credential?: string }).credential;
      if (name === undefined) return;
      const row = await store.credentials.findByName(accountId, name);
      const userKey = keyRing.forAccount(accountId);
      if (row?.custody !== 'token-bound' || userKey === undefined) return;
      const tokenBytes = SecureBuffer.from(Buffer.from(token, 'utf8'), { wipeSource: true });
      try {
        const b = await bindCredentialToToken(userKey, kek, row, accessor, tokenBytes);
        await store.tokenKeys.insert({ tokenAccessor: accessor, credentialId: row.id, serverShare: b.serverShare, kekId: b.kekId, wrappedDek: b.wrappedDek, createdAt: now() });
      } finally {
        tokenBytes.release();
      }
    }

    async function accessLog(accountId: string, accessor: string, limit: number): Promise<unknown[]> {
      const rows = await store.audit.list(accountId);
      const decisions = new Map<number, Record<string, unknown>>();
      const out: Record<string, unknown>[] = [];
      for (const body of rows.flatMap((r) => entriesOf(r.seq, r.body))) {
        if (body.kind === 'decision' && body.token === accessor) {
          const rec = { ...body, outcome: null as unknown };
          decisions.set(body.seq, rec);
          out.push(rec);
        } else if (body.kind === 'outcome') {
          const d = decisions.get(Number(body.decision));
          if (d !== undefined) d.outcome = { status: body.status, latencyMs: body.latencyMs, error: body.error };
        }
      }
      return out.reverse().slice(0, limit);
    }

    /**
     * With --sandbox only: a paper key of the in-process sandbox, so a first-time user can try the
     * connect wizard without an exchange account. Paper money: its secret comes back to the browser,
     * which seals it like any other before upload. Restricted to this server's address, as a real
     * key should be; `withdraw: true` makes one the server will refuse, to see that happen.
     */
    function paperKeyRoute(running: RunningSandbox): RouteDef {
      return route({
        method: 'POST', url: '/api/v1/sandbox/paper-key', tag: 'credentials', access: 'session', status: 201,
        summary: 'Sandbox servers only: a paper key of the built-in sandbox exchange, for trying the connect wizard',
        body: z.object({ exchange: z.enum(['binance', 'kraken', 'coinbase', 'okx']), withdraw: z.boolean().default(false) }).strict(),
        handler: ({ body, reply }) => {
          const key = running.sandbox.createKey({
            exchange: body.exchange, permissions: body.withdraw ? ['read', 'trade', 'withdraw'] : ['read', 'trade'], ipRestrict: ['127.0.0.1'],
          });
          reply.code(201);
          return Promise.resolve({ exchange: key.exchange, keyType: key.keyType, apiKey: key.apiKey, secret: key.secret, ...(key.passphrase === undefined ? {} : { passphrase: key.passphrase }) });
        },
      });
    }

    function auditRoutes(): RouteDef[] {
      return [{
        method: 'GET', url: '/api/v1/audit/status', tag: 'tokens', access: 'session',
        summary: "Verify this account's audit chain and checkpoints now",
        handler: async ({ session }) => {
          const accountId = (session as { accountId: string }).accountId;
          await audit.drain();
          await checkpointer.write();
          const rows = await store.audit.list(accountId);
          const report = verifyChain(secrets.auditKey, accountId, rows, readCheckpoints(checkpoints, secrets.checkpointSigner.publicKey, accountId));
          return report;
        },
      }];
    }

    const tls = config.tlsCert === undefined || config.tlsKey === undefined ? undefined : { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
    const app = await createApiApp({
      routes, sessions, trustProxy: config.trustProxy, logger: log,
      webRoot: config.webRoot ?? fileURLToPath(new URL('../../../web/dist', import.meta.url)),
      isUnlocked: (s) => keyRing.hasSession(s.id),
      ...(tls === undefined ? {} : { https: tls }),
    });
    closers.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    const apiAddress = app.server.address();
    const apiPort = typeof apiAddress === 'object' && apiAddress !== null ? apiAddress.port : config.port;
    if (config.publicUrl === undefined) passkeys.origin = `${scheme}://${host}:${String(apiPort)}`;

    const gatewayHandler = createGatewayServer(pipeline);
    const gateway: Server = tls === undefined ? gatewayHandler : createHttpsServer(tls, (req, res) => gatewayHandler.emit('request', req, res));
    await new Promise<void>((resolve, reject) => {
      gateway.once('error', reject);
      gateway.listen({ host: config.host, port: config.gatewayPort }, () => resolve());
    });
    closers.push(() => new Promise<void>((r) => {
      gateway.closeAllConnections();
      gateway.close(() => r());
    }));
    const gwAddress = gateway.address();
    const gwPort = typeof gwAddress === 'object' && gwAddress !== null ? gwAddress.port : config.gatewayPort;
    info.gatewayUrl = config.publicUrl === undefined ? `${scheme}://${host}:${String(gwPort)}` : `${new URL(config.publicUrl).protocol}//${new URL(config.publicUrl).hostname}:${String(gwPort)}`;

    // Permissions are asked again on a schedule for keys the server can open on its own.
    const recheck = setInterval(() => {
      void (async () => {
        for (const row of await store.credentialChecks.listDue(now() - RECHECK_EVERY_MS)) {
          if (row.custody !== 'delegated') continue;
          const outcome = await checkCredential(row.accountId, row).catch(() => null);
          if (outcome === null) continue;
          await store.credentialChecks.put({ credentialId: row.id, checkedAt: now(), ok: outcome.ok, result: JSON.stringify({ permissions: outcome.permissions, warnings: outcome.warnings, refusal: outcome.refusal }) });
          if (!outcome.ok) notify(row.accountId, 'credential-refused', { name: row.name, exchange: row.exchange, reason: outcome.refusal ?? '' });
        }
      })().catch(() => undefined);
    }, 15 * 60_000);
    recheck.unref();
    closers.push(() => clearInterval(recheck));

    return {
      url: `${scheme}://${host}:${String(apiPort)}`,
      gatewayUrl: `${scheme}://${host}:${String(gwPort)}`,
      sandbox, store, app,
      openKeyHandles: () => keys.size(),
      flushNotifications: () => notifier.flush(),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
