// Composition root for `keyward agent`: one person's gateway on their desktop. It unlocks the
// vault once, turns each credential into a KeyHandle in secure memory, and serves the signing
// gateway on loopback. It locks itself when idle and after a maximum time: every key is wiped and
// requests are refused until it is unlocked again.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LABELS } from '@keyward/protocol/key-hierarchy';
import { parsePolicy, isPolicyError } from '@keyward/protocol/policy';
import type { Server } from 'node:http';
import { createAuditLog, createCheckpointer } from '../audit/index.js';
import { SecureBuffer, createBlake2bMac, createEd25519Key, createHmacKey, releaseAll, type Ed25519Key, type HmacKey, type MacKey } from '../crypto/index.js';
import { ADAPTERS, adapterFor } from '../exchanges/index.js';
import {
  createForwarder, createGatewayServer, createMarketData, createPipeline, fetchVia, createUsageTracker, type SigningCredential,
} from '../gateway/index.js';
import { isSubset } from '../policy/index.js';
import { startSandbox, type RunningSandbox } from '../sandbox/index.js';
import { createTokenService, ROOT_POLICY } from '../tokens/index.js';
import { createKeyHandle, createNonceKeeper } from '../vault/index.js';
import { openLocal, type LocalLocation } from './local.js';

export interface AgentOptions {
  readonly location: LocalLocation;
  readonly host: string;
  readonly port: number;
  /** Listen on `<dir>/gateway.sock` instead of TCP: the directory is 0700, the socket 0600. */
  readonly socketDir?: string;
  /** Run the sandbox exchange in this process and point every upstream at it. */
  readonly sandbox: boolean;
  /** Upstream base URLs by exchange id, overriding the real exchanges. */
  readonly upstreams: Readonly<Record<string, string>>;
  readonly idleLockMs: number;
  readonly maxUnlockMs: number;
  readonly now?: () => number;
  /** For the benchmark that measures what the audit log costs: never set outside it. */
  readonly testOnlyAuditOff?: boolean;
}

export interface RunningAgent {
  readonly url: string;
  readonly sandboxUrl: string | null;
  readonly credentials: readonly { name: string; exchange: string }[];
  readonly skipped: readonly { name: string; exchange: string; why: string }[];
  isLocked(): boolean;
  /** Wipes every key (after committing the audit log); requests are refused until `unlock`. */
  lock(reason: 'idle' | 'max' | 'manual'): Promise<void>;
  unlock(password: SecureBuffer): Promise<void>;
  onLock(listener: (reason: string) => void): void;
  close(): Promise<void>;
  readonly server: Server;
}

/** Policies stored as JSON, checked for narrowing with the policy module's rule. */
export function policySubset(child: unknown, parent: unknown): { ok: true } | { ok: false; reasons: string[] } {
  const c = parsePolicy(child);
  if (isPolicyError(c)) return { ok: false, reasons: [c.error] };
  if (parent === ROOT_POLICY) return { ok: true };
  const p = parsePolicy(parent);
  if (isPolicyError(p)) return { ok: false, reasons: ['the parent policy cannot be read'] };
  return isSubset(c, p);
}

interface Unlocked {
  readonly credentials: Map<string, SigningCredential>;
  readonly tokenKey: HmacKey;
  /** The audit chain's MAC (the agent writes; `keyward audit verify` also holds the older one). */
  readonly auditLinkKey: MacKey;
  readonly checkpointSigner: Ed25519Key;
}

/**
 * With --sandbox, the vault gets (or has rotated) a paper credential per sandbox exchange, named
 * sandbox-<exchange>, freshly issued by this run's sandbox. Tokens name credentials, so tokens made
 * for them keep working from one run to the next.
 */
async function provisionSandboxCredentials(ctx: Awaited<ReturnType<typeof openLocal>>, sandbox: RunningSandbox, password: SecureBuffer): Promise<void> {
  const { vault } = await ctx.vault.unlock(password);
  try {
    const existing = new Set((await ctx.vault.list()).map((c) => c.name));
    for (const exchange of ['binance', 'kraken', 'coinbase', 'okx'] as const) {
      const k = sandbox.sandbox.createKey({ exchange, permissions: ['read', 'trade'] });
      const secret = SecureBuffer.from(Buffer.from(k.secret, 'utf8'), { wipeSource: true });
      const passphrase = k.passphrase === undefined ? undefined : SecureBuffer.from(Buffer.from(k.passphrase, 'utf8'), { wipeSource: true });
      const input = exchange === 'coinbase'
        ? { apiKey: k.apiKey, privateKey: secret, ...(passphrase === undefined ? {} : { passphrase }) }
        : { apiKey: k.apiKey, secret, ...(passphrase === undefined ? {} : { passphrase }) };
      try {
        const name = `sandbox-${exchange}`;
        if (existing.has(name)) await vault.rotate(name, input);
        else await vault.add(name, exchange, input);
      } finally {
        releaseAll(secret, passphrase);
      }
    }
  } finally {
    vault.lock();
  }
}

export async function startAgent(options: AgentOptions, password: SecureBuffer): Promise<RunningAgent> {
  const now = options.now ?? (() => Date.now());
  const ctx = await openLocal(options.location, { create: false });
  const accountId = (await ctx.store.accounts.findByName('local'))?.id;
  if (accountId === undefined) {
    await ctx.close();
    throw new Error('no vault');
  }
  let sandbox: RunningSandbox | null = null;
  const upstreams: Record<string, string> = Object.fromEntries(ADAPTERS.map((a) => [a.id, a.baseUrl]));
  if (options.sandbox) {
    sandbox = await startSandbox({ seed: 1 });
    for (const id of ['binance', 'kraken', 'coinbase', 'okx']) upstreams[id] = `${sandbox.url}/${id}`;
  }
  Object.assign(upstreams, options.upstreams);
  if (sandbox !== null) await provisionSandboxCredentials(ctx, sandbox, password);

  let state: Unlocked | null = null;
  const skipped: { name: string; exchange: string; why: string }[] = [];
  const lockListeners: ((reason: string) => void)[] = [];

  async function unlock(pw: SecureBuffer): Promise<void> {
    const { vault } = await ctx.vault.unlock(pw);
    try {
      const all = await vault.openAll();
      const summaries = new Map((await ctx.vault.list()).map((s) => [s.name, s]));
      const credentials = new Map<string, SigningCredential>();
      skipped.length = 0;
      for (const [name, secrets] of all) {
        const exchange = summaries.get(name)?.exchange ?? '';
        const adapter = adapterFor(exchange);
        try {
          if (adapter === undefined) skipped.push({ name, exchange, why: 'no adapter for this exchange' });
          else credentials.set(name, { id: summaries.get(name)?.id ?? name, name, exchange, key: createKeyHandle(secrets, { secretEncoding: adapter.secretEncoding }) });
        } catch (e) {
          skipped.push({ name, exchange, why: (e as Error).message });
        } finally {
          secrets.release();
        }
      }
      const tokenSeed = vault.deriveKey(LABELS.tokenKey);
      const linkSeed = vault.deriveKey(LABELS.auditLinkKey);
      const checkpointSeed = vault.deriveKey(LABELS.auditCheckpointKey);
      state = {
        credentials,
        tokenKey: createHmacKey('sha256', tokenSeed),
        auditLinkKey: createBlake2bMac(linkSeed),
        checkpointSigner: createEd25519Key(checkpointSeed),
      };
      releaseAll(tokenSeed, linkSeed, checkpointSeed);
    } finally {
      vault.lock();
    }
  }

  async function lock(reason: 'idle' | 'max' | 'manual'): Promise<void> {
    if (state === null) return;
    // The log is finished with the keys still here: queued outcomes, then the last checkpoint.
    await audit.drain().catch(() => undefined);
    await writeCheckpoint();
    if (state === null) return;
    for (const c of state.credentials.values()) c.key.release();
    state.tokenKey.release();
    state.auditLinkKey.release();
    state.checkpointSigner.release();
    state = null;
    clearTimers();
    for (const l of lockListeners) l(reason);
  }

  await unlock(password);
  // The idle lock counts from the last request, the maximum from the unlock. A request only notes
  // its time; the idle timer, when it fires, re-arms itself for whatever is left (arming timers
  // on every request would cost each request more than the rest of its bookkeeping).
  let idleTimer: NodeJS.Timeout | undefined;
  let maxTimer: NodeJS.Timeout | undefined;
  let lastUse = 0;
  const clearTimers = (): void => {
    clearTimeout(idleTimer);
    clearTimeout(maxTimer);
  };
  const armIdle = (ms: number): void => {
    idleTimer = setTimeout(() => {
      const idle = performance.now() - lastUse;
      if (idle >= options.idleLockMs) void lock('idle');
      else armIdle(options.idleLockMs - idle);
    }, ms);
    idleTimer.unref();
  };
  const armTimers = (): void => {
    clearTimers();
    lastUse = performance.now();
    armIdle(options.idleLockMs);
    maxTimer = setTimeout(() => void lock('max'), options.maxUnlockMs);
    maxTimer.unref();
  };
  armTimers();

  const live = (): Unlocked => {
    if (state === null) throw new Error('locked');
    return state;
  };
  const checkpointer = createCheckpointer({
    file: join(options.location.home, 'audit-checkpoints.jsonl'), flushAudit: () => ctx.store.flushAudit(),
    signer: () => state?.checkpointSigner ?? null, now,
  });
  // A signed checkpoint every 1,000 records or every 5 seconds with new records, and at close:
  // enough to catch a cut-off tail, without a file write per request.
  let sinceCheckpoint = 0;
  let lastCheckpointAt = 0;
  const writeCheckpoint = (): Promise<void> => {
    sinceCheckpoint = 0;
    lastCheckpointAt = now();
    return checkpointer.write();
  };
  const checkpointTimer = setInterval(() => { void writeCheckpoint(); }, 5000);
  checkpointTimer.unref();
  const audit = createAuditLog({
    store: ctx.store,
    key: { outputBytes: 32, digest: (m) => live().auditLinkKey.digest(m), release: () => undefined },
    onCommit: (acct, head) => {
      sinceCheckpoint++;
      checkpointer.note(acct, head);
      if (sinceCheckpoint >= 1000 || now() - lastCheckpointAt >= 5000) void writeCheckpoint();
    },
  });
  const tokens = createTokenService({
    tokens: ctx.store.tokens,
    hashKey: { hash: 'sha256', outputBytes: 32, digestInto: (m, o) => live().tokenKey.digestInto(m, o), digest: (m) => live().tokenKey.digest(m), release: () => undefined },
    now,
    isSubset: policySubset,
    changeStamp: () => ctx.store.tokenGeneration(),
  });
  const forwarder = createForwarder();
  const market = createMarketData({ now, fetch: fetchVia(forwarder, (id) => upstreams[id]) });
  const pipeline = createPipeline({
    adapter: adapterFor,
    upstream: (id) => upstreams[id],
    tokens: {
      verify: async (t) => {
        if (state === null) return { ok: false, code: 'KW_TOKEN_INVALID' };
        lastUse = performance.now();
        return tokens.verify(t);
      },
    },
    credential: (acct, name) => (acct === accountId ? state?.credentials.get(name) : undefined),
    isLocked: () => state === null,
    audit: options.testOnlyAuditOff === true ? { append: () => Promise.resolve(0), appendLater: () => undefined } : audit,
    anonymousAccount: accountId,
    usage: createUsageTracker(now),
    market,
    nonces: createNonceKeeper({ nonces: ctx.store.nonces }),
    forwarder,
    now,
  });
  const server = createGatewayServer(pipeline);
  let closing: Promise<void> | undefined;
  const listen = (o: { path: string } | { host: string; port: number }): Promise<void> => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let url: string;
  if (options.socketDir !== undefined) {
    mkdirSync(options.socketDir, { recursive: true, mode: 0o700 });
    chmodSync(options.socketDir, 0o700);
    const path = join(options.socketDir, 'gateway.sock');
    rmSync(path, { force: true });
    // The socket is created under umask 0177: only this user can connect, from the first moment.
    const old = process.umask(0o177);
    try {
      await listen({ path });
    } finally {
      process.umask(old);
    }
    url = `unix:${path}`;
  } else {
    await listen({ host: options.host, port: options.port });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${String(port)}`;
  }

  return {
    url,
    sandboxUrl: sandbox?.url ?? null,
    get credentials() {
      return [...(state?.credentials.values() ?? [])].map((c) => ({ name: c.name, exchange: c.exchange }));
    },
    skipped,
    isLocked: () => state === null,
    lock,
    async unlock(pw) {
      await unlock(pw);
      armTimers();
    },
    onLock: (l) => { lockListeners.push(l); },
    close() {
      // Once: a second call waits for the first.
      closing ??= (async () => {
        clearInterval(checkpointTimer);
        await lock('manual');
        server.closeAllConnections();
        await new Promise<void>((r) => { server.close(() => r()); });
        await forwarder.close();
        await sandbox?.close();
        await ctx.close();
      })();
      return closing;
    },
    server,
  };
}
