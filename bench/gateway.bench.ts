// Gateway benchmark (issue: the signing gateway). From one run on loopback against the sandbox:
// requests per second and p50/p99 latency for the same signed account read sent direct to the
// sandbox, through a bare forwarding proxy, and through the Keyward gateway (token check, policy,
// signing, audit), at 2 and 32 connections; and the gateway without its audit log, to price it.
// Each server runs in its own process; the load generator is this process.
// The machine is small and shared, and its speed drifts over a run: each target is measured in
// ROUNDS short passes, taken in turn (the order rotating every round), over connections kept open
// from a warm-up pass, and its numbers pool all its passes. A drift then touches every target
// alike, and the ratios, which are what the goals are about, compare like with like.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SecureBuffer } from '../packages/keyward/src/crypto/index.js';
import { issueToken, openLocal } from '../packages/keyward/src/main/index.js';
import { nsPerOp, printTable, type Row } from './lib.js';
import { hardeningFlags } from '../packages/keyward/src/cli/commands/agent.js';
import { canonicalRecord, linkOf, linkOfV1, type DecisionRecord } from '../packages/keyward/dist/audit/index.js';
import { createBlake2bMac, createHmacKey, SecureBuffer as BuiltSecureBuffer } from '../packages/keyward/dist/crypto/index.js';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET = fileURLToPath(new URL('./gateway-target.mjs', import.meta.url));
/** Per target and number of connections (profile-gateway.ts: its one load). */
export const DURATION_MS = Number(process.env.KEYWARD_BENCH_MS ?? 4000);

/** `nodeArgs` go to node itself, e.g. --cpu-prof for bench/profile-gateway.ts. */
export async function spawnTarget(args: string[], nodeArgs: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, TARGET, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.on('exit', (code) => reject(new Error(`target ${args[0] ?? ''} exited ${String(code)}`)));
  });
}

export interface Load { rps: number; p50: number; p99: number; errors: number }
export type MakeRequest = () => { url: string; headers: Record<string, string> };

/** Everything a target's passes measured, pooled. */
interface Sample { latencies: number[]; ms: number; errors: number }
const emptySample = (): Sample => ({ latencies: [], ms: 0, errors: 0 });

/** `connections` concurrent keep-alive loops through `agent` for `ms`; adds what it saw to `into`. */
async function pass(connections: number, make: MakeRequest, agent: Agent, ms: number, into: Sample): Promise<void> {
  const end = Date.now() + ms;
  const one = (retry = true): Promise<void> => new Promise((resolve) => {
    const { url, headers } = make();
    const t = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) into.errors++;
        into.latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        resolve();
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive connection the server closed just as this request went out on it (Node's
      // documented race, see request.reusedSocket): sent again once, as HTTP clients do.
      if (retry && req.reusedSocket && e.code === 'ECONNRESET') void one(false).then(resolve);
      else {
        into.errors++;
        resolve();
      }
    });
    req.end();
  });
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < end) await one();
  }));
  into.ms += Date.now() - started;
}

function summarise(s: Sample): Load {
  const latencies = [...s.latencies].sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rps: latencies.length / (s.ms / 1000), p50: q(0.5), p99: q(0.99), errors: s.errors };
}

/** One pass of DURATION_MS over fresh connections (bench/profile-gateway.ts). */
export async function load(connections: number, make: MakeRequest): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const sample = emptySample();
  await pass(connections, make, agent, DURATION_MS, sample);
  agent.destroy();
  return summarise(sample);
}

// Passes of a quarter of a second: this machine's speed changes from one second to the next (other
// tenants), and with passes this short a slow spell falls on every target alike; with passes of a
// second, one spell could land on one target's passes (seen: the audit's cost measured 2 % and 34
// % in two runs of the same code). A target's connections sit idle for about a second between its
// passes, well under node:http's 5 s keep-alive timeout (a server closing an idle connection just
// as the client reuses it would count as an error that is no one's).
const ROUNDS = Math.max(4, Math.ceil(DURATION_MS / 250));

/**
 * How long each process serves before anything is measured. A process's first seconds of load are
 * spent compiling its hot code (V8's optimising compiler runs on helper threads: measured on the
 * agent, as many instructions there as on its main thread for the first 4 s, a tenth of that after
 * 5 s); the agent, which runs for hours, is measured as it runs after those seconds. With a warm-up
 * of a quarter of a second, the 2-connection figures measured mostly compilation, more of it for
 * the agent with its audit (more code) than without: its "audit cost" read 15-34 % at 2
 * connections and 0-5 % at 32, measured after.
 */
const WARMUP_MS = Number(process.env.KEYWARD_BENCH_WARMUP_MS ?? 8000);

/** Each target warmed up (`warmupMs` each, in passes of a second taken in turn), then measured in ROUNDS passes taken in turn; DURATION_MS in all per target. */
async function measureInTurn(connections: number, targets: readonly { name: string; make: MakeRequest }[], warmupMs: number): Promise<Map<string, Load>> {
  const runs = targets.map((t) => ({ ...t, agent: new Agent({ keepAlive: true, maxSockets: connections }), sample: emptySample() }));
  try {
    const warmupPass = Math.min(1000, warmupMs);
    for (let done = 0; done < warmupMs; done += warmupPass) {
      for (const r of runs) await pass(connections, r.make, r.agent, warmupPass, emptySample());
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < runs.length; i++) {
        const r = runs[(round + i) % runs.length];
        if (r !== undefined) await pass(connections, r.make, r.agent, DURATION_MS / ROUNDS, r.sample);
      }
    }
    return new Map(runs.map((r) => [r.name, summarise(r.sample)]));
  } finally {
    for (const r of runs) r.agent.destroy();
  }
}

export interface GatewayFixture {
  readonly sandboxUrl: string;
  /** The vault's home, holding the sandbox key as credential 'b'. */
  readonly home: string;
  readonly key: { apiKey: string; secret: string };
  /** A read-only token for credential 'b'. */
  readonly token: string;
}

/** A sandbox process (pushed onto `children`), a key on it, a vault holding that key, and a token. */
export async function prepareGatewayFixture(children: ChildProcess[]): Promise<GatewayFixture> {
  const sandbox = await spawnTarget(['sandbox']);
  children.push(sandbox.child);
  // A key on that sandbox, and a vault holding it, for the gateway.
  const keyRes = await fetch(`${sandbox.url}/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exchange: 'binance' }) });
  const key = await keyRes.json() as { apiKey: string; secret: string };
  const home = mkdtempSync(join(tmpdir(), 'kw-bench-gw-'));
  const ctx = await openLocal({ home, db: undefined }, { create: true });
  const pw = (): SecureBuffer => SecureBuffer.from(Buffer.from('bench password'), { wipeSource: true });
  await ctx.vault.init(pw());
  const { vault } = await ctx.vault.unlock(pw());
  await vault.add('b', 'binance', { apiKey: key.apiKey, secret: SecureBuffer.from(Buffer.from(key.secret), { wipeSource: true }) });
  vault.lock();
  await ctx.close();
  const policy = { credential: 'b', actions: ['read'], symbols: null, maxOrderNotional: null, maxDailyNotional: null, priceBandPercent: null, ordersPerMinute: null, sourceCidrs: null, expiresAt: null };
  const token = (await issueToken({ home, db: undefined }, pw(), { label: 'bench', policy, expiresAt: null, uses: null })).token;
  return { sandboxUrl: sandbox.url, home, key, token };
}

/** The same signed account read, direct or through a bare proxy (the client signs it). */
export const signedRead = (base: string, key: GatewayFixture['key']): MakeRequest => () => {
  const q = `timestamp=${String(Date.now())}`;
  return { url: `${base}/binance/api/v3/account?${q}&signature=${createHmac('sha256', key.secret).update(q).digest('hex')}`, headers: { 'x-mbx-apikey': key.apiKey } };
};
/** The same read through the gateway: the token where the key goes, no signature. */
export const tokenRead = (base: string, token: string): MakeRequest => () => ({ url: `${base}/binance/api/v3/account`, headers: { 'x-mbx-apikey': token } });

export async function runGatewayBench(): Promise<Row[]> {
  const children: ChildProcess[] = [];
  try {
    const { sandboxUrl, home, key, token } = await prepareGatewayFixture(children);
    const sandbox = { url: sandboxUrl };
    const proxy = await spawnTarget(['proxy', sandbox.url]);
    // With the Node flags `keyward agent` re-launches itself with (no WebAssembly trap handler:
    // its HTTP client's parser is then bounds-checked). Each agent has a vault of its own, as a
    // real one does: with one vault shared, the agent without its audit read the audited one's
    // commits, and the audit's cost at 32 connections read 8.9-12.6 % in four runs, against
    // 2.7-7.9 % in three with a copy.
    const ownHome = mkdtempSync(join(tmpdir(), 'kw-bench-gw-'));
    cpSync(home, ownHome, { recursive: true });
    const gateway = await spawnTarget(['agent', ownHome, sandbox.url], hardeningFlags());
    const gatewayNoAudit = await spawnTarget(['agent', home, sandbox.url, '--audit-off'], hardeningFlags());
    children.push(proxy.child, gateway.child, gatewayNoAudit.child);

    const signed = (base: string): MakeRequest => signedRead(base, key);
    const viaToken = (base: string): MakeRequest => tokenRead(base, token);

    const rows: Row[] = [];
    const results: Record<string, Record<number, Load>> = {};
    for (const c of [2, 32]) {
      const targets = [
        { name: 'direct', make: signed(sandbox.url) }, { name: 'bare proxy', make: signed(proxy.url) },
        { name: 'gateway', make: viaToken(gateway.url) }, { name: 'gateway, audit off', make: viaToken(gatewayNoAudit.url) },
      ];
      // Warmed up once, at the first number of connections; later ones only open their connections.
      const measured = await measureInTurn(c, targets, c === 2 ? WARMUP_MS : DURATION_MS / ROUNDS);
      for (const { name } of targets) {
        const r = measured.get(name);
        if (r === undefined) continue;
        (results[name] ??= {})[c] = r;
        rows.push({ name: `${name}, ${String(c)} conn: throughput`, value: r.rps, unit: 'req/s', note: `${String(r.errors)} errors` });
        rows.push({ name: `${name}, ${String(c)} conn: p50 / p99`, value: r.p50, unit: `ms / ${r.p99.toFixed(2)} ms` });
      }
      const d = results.direct?.[c];
      const p = results['bare proxy']?.[c];
      const g = results.gateway?.[c];
      const n = results['gateway, audit off']?.[c];
      if (d !== undefined && p !== undefined && g !== undefined && n !== undefined) {
        const addedProxy = Math.max(p.p50 - d.p50, 0.001);
        const addedGateway = g.p50 - d.p50;
        rows.push({ name: `${String(c)} conn: gateway added p50 / proxy added p50`, value: addedGateway / addedProxy, unit: 'x', goal: '<= 1.5', met: addedGateway / addedProxy <= 1.5 });
        rows.push({ name: `${String(c)} conn: gateway / proxy throughput`, value: g.rps / p.rps, unit: 'x', goal: '>= 0.6', met: g.rps / p.rps >= 0.6 });
        rows.push({ name: `${String(c)} conn: audit cost (1 - with / without)`, value: (1 - g.rps / n.rps) * 100, unit: '%', goal: '<= 10 %', met: 1 - g.rps / n.rps <= 0.1 });
      }
    }
    printTable('Gateway: loopback, signed account read against the sandbox', rows);
    const audit = auditRecordCosts();
    printTable('Audit: the work of one decision record on the gateway\'s thread (in this process, built code)', audit);
    return [...rows, ...audit];
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}


/**
 * The audit's own work for one decision record, on the thread that forwards: serialise it, and link
 * it with the chain's MAC (keyed BLAKE2b; HMAC-SHA256 was the MAC before 2026-11, shown to compare).
 * The journal write and the import are not in here: the gateway rows above price the whole audit.
 */
function auditRecordCosts(): Row[] {
  const record: DecisionRecord = {
    kind: 'decision', at: Date.now(), token: 'kwa_0123456789abcdef0123', credential: 'b', exchange: 'binance', method: 'GET',
    path: '/api/v3/account', action: 'read', endpoint: 'GET /api/v3/account', order: null, decision: 'allow', reason: null, sourceIp: '127.0.0.1',
  };
  const key = { v1: createHmacKey('sha256', BuiltSecureBuffer.random(32)), v2: createBlake2bMac(BuiltSecureBuffer.random(32)) };
  const body = canonicalRecord(record);
  let link: Uint8Array = Buffer.alloc(32);
  const serialise = nsPerOp(() => canonicalRecord(record));
  const blake = nsPerOp(() => { link = linkOf(key.v2, link, 'account', 1, body); });
  const hmac = nsPerOp(() => { link = linkOfV1(key.v1, link, 'account', 1, body); });
  key.v1.release();
  key.v2.release();
  return [
    { name: `audit: serialise a decision record (${String(body.length)} B)`, value: serialise / 1000, unit: 'µs' },
    { name: 'audit: link it, keyed BLAKE2b-256 (written now)', value: blake / 1000, unit: 'µs' },
    { name: 'audit: link it, HMAC-SHA256 (written before 2026-11)', value: hmac / 1000, unit: 'µs', note: `${(hmac / blake).toFixed(1)}x the BLAKE2b link` },
  ];
}
