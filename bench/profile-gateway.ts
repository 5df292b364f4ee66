// Where the gateway's time goes:
// `node --import tsx bench/profile-gateway.ts [agent|agent-audit-off|proxy|direct] [connections] [--no-profile]`.
// Starts the same processes as gateway.bench.ts, runs one load (KEYWARD_BENCH_MS) through the agent
// (or the bare proxy), and prints two things: the CPU each process spent per request (from
// /proc/<pid>/stat, so it shows which process bounds the throughput on a small machine), and the
// top self-time functions of the profiled process (node --cpu-prof). The .cpuprofile file is kept
// for Chrome DevTools.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DURATION_MS, load, prepareGatewayFixture, signedRead, spawnTarget, tokenRead } from './gateway.bench.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const [which = 'agent', conns = '2'] = args;
// The sampling thread costs CPU too: --no-profile measures CPU per request without it.
const profiling = !process.argv.includes('--no-profile');
const connections = Number(conns);
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime and stime of a process or thread, from fields 14 and 15 of its stat (the name may hold spaces). */
function userSystemMs(path: string): [number, number] {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]) * CLOCK_TICK_MS, Number(fields[12]) * CLOCK_TICK_MS];
}
const cpuMsOfStat = (path: string): number => userSystemMs(path).reduce((a, b) => a + b, 0);
const cpuMsOf = (pid: number | undefined): number => (pid === undefined ? 0 : cpuMsOfStat(`/proc/${String(pid)}/stat`));

/** CPU ms the whole machine spent busy (all but idle and iowait), from /proc/stat. */
function machineBusyMs(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) * CLOCK_TICK_MS;
}

/** CPU ms per thread, by thread name (main, the audit writer, libuv's pool, V8's helpers). */
function threadCpuMs(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (pid === undefined) return out;
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    const base = `/proc/${String(pid)}/task/${tid}`;
    const name = tid === String(pid) ? 'main' : readFileSync(`${base}/comm`, 'utf8').trim();
    out.set(name, (out.get(name) ?? 0) + cpuMsOfStat(`${base}/stat`));
  }
  return out;
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/**
 * Self time per function and per file, over the samples from the first request on (start-up, the
 * vault unlock's Argon2id and module loading are left out), as µs per request of the measured run:
 * each function's share of the busy samples times the main thread's measured CPU per request.
 */
function summarise(file: string, cpuUsPerRequest: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const serving = (n: ProfileNode | undefined): boolean => /gateway-server|gateway-target/.test(n?.callFrame.url ?? '') && n?.callFrame.functionName !== '';
  const first = p.samples.findIndex((id) => serving(byId.get(id)));
  const hits = new Map<number, number>();
  for (const id of p.samples.slice(Math.max(first, 0))) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) continue;
    if (f.functionName === '(idle)') continue;
    busy += count;
    const where = f.url.replace(/^file:\/\/.*?\/(packages|node_modules|bench)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'}  ${where}:${String(f.lineNumber + 1)}`;
    self.set(key, (self.get(key) ?? 0) + count);
    const area = where === '' ? f.functionName : where;
    byFile.set(area, (byFile.get(area) ?? 0) + count);
  }
  const print = (title: string, m: Map<string, number>, top: number): void => {
    console.log(`\n${title} (${String(busy)} busy samples)`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(100 * v / busy).toFixed(1).padStart(5)} %  ${(cpuUsPerRequest * v / busy).toFixed(1).padStart(6)} µs/req  ${k}`);
    }
  };
  // Inclusive time: a sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (f === undefined || f.url === '') continue;
      const where = f.url.replace(/^file:\/\/.*?\/(packages|node_modules|bench)\//, '$1/');
      seen.add(`${f.functionName || '(anonymous)'}  ${where}:${String(f.lineNumber + 1)}`);
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + count);
  }
  print('self time by function', self, 40);
  print('inclusive time by function (Keyward code)', new Map([...inclusive].filter(([k]) => k.includes('packages/'))), 40);
  print('self time by file', byFile, 25);
}

const children: ChildProcess[] = [];
try {
  const fixture = await prepareGatewayFixture(children);
  const dir = mkdtempSync(join(tmpdir(), 'kw-prof-'));
  const prof = profiling ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'] : [];
  const sandboxChild = children[0];
  let target;
  let make;
  if (which === 'proxy') {
    target = await spawnTarget(['proxy', fixture.sandboxUrl], prof);
    make = signedRead(target.url, fixture.key);
  } else if (which === 'direct') {
    target = { url: fixture.sandboxUrl, child: sandboxChild };
    make = signedRead(fixture.sandboxUrl, fixture.key);
  } else {
    target = await spawnTarget(['agent', fixture.home, fixture.sandboxUrl, ...(which === 'agent-audit-off' ? ['--audit-off'] : [])], prof);
    make = tokenRead(target.url, fixture.token);
  }
  if (target.child !== undefined && target.child !== sandboxChild) children.push(target.child);
  const pid = target.child?.pid;
  await load(connections, make); // warm-up
  const before = { machine: machineBusyMs(), target: cpuMsOf(pid), threads: threadCpuMs(pid), main: userSystemMs(`/proc/${String(pid)}/task/${String(pid)}/stat`), sandbox: cpuMsOf(sandboxChild?.pid), self: process.cpuUsage() };
  const r = await load(connections, make);
  const requests = r.rps * DURATION_MS / 1000;
  const selfUsage = process.cpuUsage(before.self);
  const per = (ms: number): string => `${(1000 * ms / requests).toFixed(0)} µs`;
  console.log(`${which}, ${String(connections)} conn: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${String(r.errors)} errors`);
  const ours = { target: which === 'direct' ? 0 : cpuMsOf(pid) - before.target, sandbox: cpuMsOf(sandboxChild?.pid) - before.sandbox, load: (selfUsage.user + selfUsage.system) / 1000 };
  const machine = machineBusyMs() - before.machine;
  console.log(`CPU per request: ${which} ${per(ours.target)}, sandbox ${per(ours.sandbox)}, load generator ${per(ours.load)}; `
    + `the machine ${per(machine)}, of which others (kernel threads, other processes) ${per(machine - ours.target - ours.sandbox - ours.load)}`);
  const threads = [...threadCpuMs(pid)].map(([name, ms]) => [name, ms - (before.threads.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
  const [mainUser, mainSystem] = userSystemMs(`/proc/${String(pid)}/task/${String(pid)}/stat`);
  console.log(`  by thread: ${threads.map(([name, ms]) => `${name} ${per(ms)}`).join(', ')}; main thread user ${per(mainUser - before.main[0])}, kernel ${per(mainSystem - before.main[1])}`);
  const mainCpuUs = 1000 * (threads.find(([name]) => name === 'main')?.[1] ?? 0) / requests;
  if (profiling && which !== 'direct' && target.child !== undefined) {
    const child = target.child;
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGINT');
    await exited;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file !== undefined) {
      summarise(join(dir, file), mainCpuUs);
      console.log(`\nprofile: ${join(dir, file)}`);
    }
  }
} finally {
  for (const c of children) c.kill('SIGKILL');
}
