// Runs the built keyward CLI (packages/keyward/dist) as a user would: a separate process with its
// own environment, stdin, and exit status.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO, 'packages/keyward/dist/cli/main.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

export function tempDir(prefix = 'keyward-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function baseEnv(work: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, KEYWARD_HOME: join(work, 'home'), ...extra };
}

export function runCli(args: string[], options: { cwd: string; env: Record<string, string>; input?: Buffer | string; timeoutMs?: number }): CliResult {
  assertBuilt();
  // setsid: no controlling terminal, so the CLI cannot prompt on the developer's tty and hang; it
  // behaves as it would under cron or CI.
  const r: SpawnSyncReturns<Buffer> = spawnSync('/usr/bin/setsid', ['--wait', process.execPath, CLI, ...args], {
    cwd: options.cwd, env: options.env, input: options.input ?? '', timeout: options.timeoutMs ?? 60_000,
  });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Starts the CLI without waiting, for tests that kill it mid-flight. */
export function startCli(args: string[], options: { cwd: string; env: Record<string, string>; input?: Buffer | string }) {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stdin.end(options.input ?? '');
  return child;
}
