// Clipboard copy for `keyward copy`: the secret goes to the tool on its stdin (never argv or env),
// and a detached helper clears it after N seconds, but only if the clipboard still holds what we
// put there. The helper never receives the secret: only a random key and the HMAC of the secret
// under it, which it compares (in constant time) with the HMAC of what the clipboard holds then.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer, createHmacKey, equal } from '../crypto/index.js';
import type { CliEnvironment } from '../config/index.js';

export interface ClipboardTool {
  readonly name: 'wl-copy' | 'xclip' | 'xsel';
  readonly copy: readonly [string, ...string[]];
  readonly paste: readonly [string, ...string[]];
  readonly clear: readonly [string, ...string[]];
}

const TOOLS: readonly ClipboardTool[] = [
  { name: 'wl-copy', copy: ['wl-copy'], paste: ['wl-paste', '--no-newline'], clear: ['wl-copy', '--clear'] },
  { name: 'xclip', copy: ['xclip', '-selection', 'clipboard', '-in'], paste: ['xclip', '-selection', 'clipboard', '-out'], clear: ['xclip', '-selection', 'clipboard', '-in'] },
  { name: 'xsel', copy: ['xsel', '--clipboard', '--input'], paste: ['xsel', '--clipboard', '--output'], clear: ['xsel', '--clipboard', '--delete'] },
];

function onPath(env: CliEnvironment, program: string): boolean {
  return env.path.some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function findClipboardTool(env: CliEnvironment): ClipboardTool {
  // Prefer the tool of the session that is running: Wayland's when WAYLAND_DISPLAY is set.
  const order = env.hasWayland ? TOOLS : [...TOOLS.slice(1), TOOLS[0]];
  const tool = order.find((t) => t !== undefined && onPath(env, t.copy[0]) && onPath(env, t.paste[0]));
  if (tool === undefined) throw new KeywardError('KW_CLIPBOARD_UNAVAILABLE');
  return tool;
}

export function toolByName(name: string): ClipboardTool | undefined {
  return TOOLS.find((t) => t.name === name);
}

/** Runs a tool with `input` on its stdin. xclip forks to serve the selection, so wait for exit, not close. */
function runWithInput(argv: readonly [string, ...string[]], input: Uint8Array | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', (e) => reject(new KeywardError('KW_CLIPBOARD_UNAVAILABLE', `${cmd} could not run (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new KeywardError('KW_CLIPBOARD_UNAVAILABLE', `${cmd} failed (exit ${String(code)}); is a display available?`))));
    child.stdin.end(input ?? undefined);
  });
}

function readOutput(argv: readonly [string, ...string[]]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      for (const c of chunks) c.fill(0);
      resolve(out);
    });
  });
}

export async function copyToClipboard(tool: ClipboardTool, secret: SecureBuffer): Promise<void> {
  // The pipe write reads straight from secure memory; we wait for the tool to exit before the
  // caller releases the buffer.
  await secret.reveal((bytes) => runWithInput(tool.copy, bytes));
}

/** The verifier the clearing helper gets on stdin: 32-byte random key || HMAC-SHA256(key, secret). */
export function clipboardVerifier(secret: SecureBuffer): Buffer {
  const key = SecureBuffer.random(32);
  const mac = createHmacKey('sha256', key);
  try {
    const tag = secret.reveal((s) => mac.digest(s));
    return Buffer.concat([key.reveal((k) => Buffer.from(k)), tag]);
  } finally {
    mac.release();
    key.release();
  }
}

/** Starts the detached clearing helper (this same CLI, hidden command) and hands it the verifier. */
export function scheduleClear(cliPath: string, tool: ClipboardTool, seconds: number, verifier: Buffer): void {
  const child = spawn(process.execPath, [cliPath, '__clipboard-clear', '--tool', tool.name, '--after', String(seconds)], {
    detached: true, stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(verifier);
  verifier.fill(0);
  child.unref();
}

/** The helper's side: wait, then clear only if the clipboard still holds the same secret. */
export async function clearIfUnchanged(tool: ClipboardTool, seconds: number, verifier: Buffer): Promise<boolean> {
  if (verifier.length !== 64) return false;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const key = SecureBuffer.from(verifier.subarray(0, 32), { wipeSource: true });
  const mac = createHmacKey('sha256', key);
  key.release();
  const current = await readOutput(tool.paste);
  const same = equal(mac.digest(current), verifier.subarray(32));
  current.fill(0);
  mac.release();
  if (same) await runWithInput(tool.clear, tool.name === 'xclip' ? new Uint8Array() : null);
  return same;
}
