// keyward agent: the desktop gateway. Hardening at start: it refuses to run with an inspector
// attached, and re-launches itself once without NODE_OPTIONS (a preload could read memory), with
// --disable-sigusr1 where Node has it (on Node 20 a SIGUSR1 listener keeps the signal from opening
// an inspector), and with WebAssembly's guard regions off: Node's loader parses CommonJS with a
// WebAssembly lexer, for which V8 reserves ~10 GB of address space, and every core dump of the
// agent would carry it.
import { spawn } from 'node:child_process';
import { url as inspectorUrl } from 'node:inspector';
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { startAgent } from '../../main/index.js';
import { type CommandContext, currentPassword, homeOf } from '../context.js';
import { parseDuration } from '../duration.js';
import { info, warn } from '../output.js';
import { hasTerminal, promptSecret } from '../secret-input.js';

interface AgentCliOptions { listen: string; socket?: string; sandbox?: boolean; upstream: string[]; idleLock: string; maxUnlock: string }

const RELAUNCHED = '__KEYWARD_AGENT_HARDENED';

function listenAddress(raw: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (m?.[1] === undefined || !Number.isInteger(port) || port > 65535) throw new KeywardError('KW_INPUT_INVALID', '--listen must be HOST:PORT, e.g. 127.0.0.1:8787.');
  const host = m[1].replace(/^\[|\]$/g, '');
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new KeywardError('KW_INPUT_INVALID', 'The agent listens on loopback only (127.0.0.1 or ::1): it has no TLS and signs for whoever holds a token.');
  }
  return { host, port };
}

function upstreamsOf(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const u of list) {
    const eq = u.indexOf('=');
    if (eq < 1 || !/^https?:\/\//.test(u.slice(eq + 1))) throw new KeywardError('KW_INPUT_INVALID', `--upstream must be ID=URL, e.g. binance=https://api.binance.com, got "${u.slice(0, 60)}".`);
    out[u.slice(0, eq)] = u.slice(eq + 1);
  }
  return out;
}

/**
 * Node flags of the process that holds the keys: SIGUSR1 cannot open an inspector, and WebAssembly
 * (undici's HTTP parser, gateway/forward.ts) is bounds-checked instead of guarded by ~20 GB of
 * reserved address space, so a core dump holds the process's memory, not that reservation.
 */
export function hardeningFlags(): string[] {
  const has = (f: string): boolean => process.allowedNodeEnvironmentFlags.has(f);
  return [
    ...(has('--disable-sigusr1') ? ['--disable-sigusr1'] : []),
    ...(has('--disable-wasm-trap-handler') ? ['--disable-wasm-trap-handler', '--wasm-max-mem-pages=1024'] : []),
  ];
}

/** Re-runs this command, once, in a child with a clean environment and the hardening flags. */
function relaunchIfNeeded(env: NodeJS.ProcessEnv): Promise<number> | null {
  if (env[RELAUNCHED] === '1') return null;
  const flags = hardeningFlags();
  const childEnv: NodeJS.ProcessEnv = { ...env, [RELAUNCHED]: '1' };
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, [...flags, ...process.argv.slice(1)], { stdio: 'inherit', env: childEnv });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
}

export function registerAgent(program: Command, ctx: () => CommandContext, env: NodeJS.ProcessEnv): void {
  program
    .command('agent')
    .description('run the signing gateway for this vault on loopback; bots use tokens, never keys')
    .option('--listen <host:port>', 'address of the gateway (loopback only)', '127.0.0.1:8787')
    .option('--socket <dir>', 'listen on DIR/gateway.sock (DIR 0700, socket 0600) instead of TCP')
    .option('--sandbox', 'run the sandbox exchange in this process and send every request there')
    .option('--upstream <id=url>', 'send an exchange\'s requests elsewhere, repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .option('--idle-lock <duration>', 'lock after this long without requests', '10m')
    .option('--max-unlock <duration>', 'lock this long after unlocking, whatever happens', '2h')
    .action(async (o: AgentCliOptions) => {
      if (inspectorUrl() !== undefined || process.execArgv.some((a) => a.startsWith('--inspect'))) {
        throw new KeywardError('KW_INPUT_INVALID', 'The agent does not run with an inspector attached: it would expose every key.');
      }
      const relaunched = relaunchIfNeeded(env);
      if (relaunched !== null) {
        process.exitCode = await relaunched;
        return;
      }
      // Without --disable-sigusr1 (Node 20), a listener keeps SIGUSR1 from starting the inspector.
      process.on('SIGUSR1', () => warn('SIGUSR1 ignored: the agent never opens an inspector'));
      const c = ctx();
      const { host, port } = listenAddress(o.listen);
      const idleLockMs = parseDuration(o.idleLock, '--idle-lock');
      const maxUnlockMs = parseDuration(o.maxUnlock, '--max-unlock');
      const pw = await currentPassword(c);
      const agent = await startAgent({
        location: { home: homeOf(c), db: c.globals.db ?? c.env.db }, host, port, sandbox: o.sandbox === true,
        ...(o.socket === undefined ? {} : { socketDir: o.socket }),
        upstreams: upstreamsOf(o.upstream), idleLockMs, maxUnlockMs,
      }, pw).finally(() => pw.release());
      const names = agent.credentials.map((x) => `${x.name} (${x.exchange})`).join(', ');
      process.stdout.write([
        `keyward agent listening on ${agent.url} (pid ${String(process.pid)})`,
        `  credentials unlocked: ${names === '' ? 'none' : names}`,
        ...agent.skipped.map((s) => `  not usable: ${s.name} (${s.exchange}): ${s.why}`),
        ...(agent.sandboxUrl === null ? [] : [`  sandbox exchange: ${agent.sandboxUrl} (every upstream points there)`]),
        `  base URLs for bots: ${agent.url}/<exchange>, e.g. ${agent.url}/binance`,
        `  locks after ${o.idleLock} idle or ${o.maxUnlock} unlocked; Ctrl-C stops it`,
        '',
      ].join('\n'));
      agent.onLock((reason) => {
        info(`agent locked (${reason}): every key wiped from memory; requests are refused until it is unlocked`);
        if (hasTerminal()) {
          void (async () => {
            for (;;) {
              try {
                const again = await promptSecret('Vault password to unlock: ');
                await agent.unlock(again).finally(() => again.release());
                info('agent unlocked');
                return;
              } catch (e) {
                warn((e as Error).message);
              }
            }
          })();
        }
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.close();
      info('agent stopped; keys wiped');
    });
}
