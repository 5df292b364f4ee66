// Gateway benchmark (issue: the signing gateway). From one run on loopback against the sandbox:
// requests per second and p50/p99 latency for the same signed account read sent direct to the
// sandbox, through a bare forwarding proxy, and through the Keyward gateway (token check, policy,
// signing, audit), at 2 and 32 connections; and the gateway without its audit log, to price it.
// Each server runs in its own process; the load generator is this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SecureBuffer } from '../packages/keyward/src/crypto/index.js';
import { issueToken, openLocal } from '../packages/keyward/src/main/index.js';
import { printTable, type Row } from './lib.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGET = fileURLToPath(new URL('./gateway-target.ts', import.meta.url));
const DURATION_MS = Number(process.env.KEYWARD_BENCH_MS ?? 4000);

async function spawnTarget(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', TARGET, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

interface Load { rps: number; p50: number; p99: number; errors: number }

/** `connections` concurrent keep-alive loops for DURATION_MS; `make` builds each request. */
async function load(connections: number, make: () => { url: string; headers: Record<string, string> }): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + DURATION_MS;
  const one = (): Promise<void> => new Promise((resolve) => {
    const { url, headers } = make();
    const t = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < end) await one();
  }));
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99), errors };
}

export async function runGatewayBench(): Promise<Row[]> {
  const children: ChildProcess[] = [];
  try {
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

    const proxy = await spawnTarget(['proxy', sandbox.url]);
    const gateway = await spawnTarget(['agent', home, sandbox.url]);
    const gatewayNoAudit = await spawnTarget(['agent', home, sandbox.url, '--audit-off']);
    children.push(proxy.child, gateway.child, gatewayNoAudit.child);

    const signed = (base: string) => (): { url: string; headers: Record<string, string> } => {
      const q = `timestamp=${String(Date.now())}`;
      return { url: `${base}/binance/api/v3/account?${q}&signature=${createHmac('sha256', key.secret).update(q).digest('hex')}`, headers: { 'x-mbx-apikey': key.apiKey } };
    };
    const viaToken = (base: string) => (): { url: string; headers: Record<string, string> } => ({ url: `${base}/binance/api/v3/account`, headers: { 'x-mbx-apikey': token } });

    const rows: Row[] = [];
    const results: Record<string, Record<number, Load>> = {};
    for (const c of [2, 32]) {
      for (const [name, make] of [['direct', signed(sandbox.url)], ['bare proxy', signed(proxy.url)], ['gateway', viaToken(gateway.url)], ['gateway, audit off', viaToken(gatewayNoAudit.url)]] as const) {
        await load(c, make); // warm-up pass, discarded
        const r = await load(c, make);
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
    return rows;
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}

