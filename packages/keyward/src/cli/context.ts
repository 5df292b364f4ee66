// What every command needs: where the vault is, and how to get its password.
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import type { SecureBuffer} from '../crypto/index.js';
import { checkMemoryLocking, equal } from '../crypto/index.js';
import type { CliEnvironment } from '../config/index.js';
import { openLocal, type LocalContext } from '../main/index.js';
import { promptSecret, readSecretFile } from './secret-input.js';
import { warn } from './output.js';

export interface GlobalOptions {
  readonly home?: string;
  readonly db?: string;
  readonly passwordFile?: string;
}

export interface CommandContext {
  readonly env: CliEnvironment;
  readonly globals: GlobalOptions;
}

export const MIN_PASSWORD_BYTES = 8;

export function homeOf(ctx: CommandContext): string {
  return ctx.globals.home ?? ctx.env.home ?? ctx.env.defaultHome;
}

export function openVault(ctx: CommandContext, options: { create: boolean }): Promise<LocalContext> {
  return openLocal({ home: homeOf(ctx), db: ctx.globals.db ?? ctx.env.db }, options);
}

let lockChecked = false;
/** Before the first secret of a run is decrypted: say loudly if memory locking does not work. */
export function checkLockingOnce(): void {
  if (lockChecked) return;
  lockChecked = true;
  const report = checkMemoryLocking();
  if (!report.locked) warn(report.summary);
}

/** The current password: --password-file / KEYWARD_PASSWORD_FILE, else the terminal. */
export function currentPassword(ctx: CommandContext, prompt = 'Vault password: '): Promise<SecureBuffer> {
  checkLockingOnce();
  const file = ctx.globals.passwordFile ?? ctx.env.passwordFile;
  if (file !== undefined) return Promise.resolve(readSecretFile(file, 'password'));
  return promptSecret(prompt);
}

/** A new password: from a file once, or typed twice at the terminal. */
export async function newPassword(file: string | undefined, prompt = 'New vault password: '): Promise<SecureBuffer> {
  checkLockingOnce();
  let pw: SecureBuffer;
  if (file !== undefined) {
    pw = readSecretFile(file, 'password');
  } else {
    pw = await promptSecret(prompt);
    const again = await promptSecret('Repeat it: ');
    const same = equal(pw, again);
    again.release();
    if (!same) {
      pw.release();
      throw new KeywardError('KW_PASSWORD_MISMATCH');
    }
  }
  if (pw.length < MIN_PASSWORD_BYTES) {
    pw.release();
    throw new KeywardError('KW_PASSWORD_TOO_SHORT');
  }
  return pw;
}

/** Runs `fn` with an open vault and always closes it. */
export async function withVault<T>(ctx: CommandContext, options: { create: boolean }, fn: (v: LocalContext) => Promise<T>): Promise<T> {
  const v = await openVault(ctx, options);
  try {
    return await fn(v);
  } finally {
    await v.close();
  }
}

/** `keyward serve`'s data directory when the configuration names none: beside the CLI's home. */
export function defaultServerDataDir(ctx: CommandContext): string {
  return join(ctx.env.defaultHome, '..', 'keyward-server');
}
