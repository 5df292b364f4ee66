import type { Command } from 'commander';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import { type CommandContext, newPassword, openVault, withVault } from '../context.js';
import { info } from '../output.js';

/** Whether a vault exists, without creating a file or directory on the way. */
async function vaultExists(c: CommandContext): Promise<string | null> {
  try {
    const v = await openVault(c, { create: false });
    try {
      return (await v.vault.exists()) ? v.where : null;
    } finally {
      await v.close();
    }
  } catch (e) {
    if (isKeywardError(e) && e.code === 'KW_VAULT_NOT_FOUND') return null;
    throw e;
  }
}

export function registerInit(program: Command, ctx: () => CommandContext): void {
  program
    .command('init')
    .description('create the vault; asks for the new password twice (or reads --password-file once)')
    .action(async () => {
      const c = ctx();
      const existing = await vaultExists(c);
      if (existing !== null) throw new KeywardError('KW_VAULT_EXISTS', `A vault already exists at ${existing}.`);
      // The password comes before anything is created: a refused password leaves no trace.
      const pw = await newPassword(c.globals.passwordFile ?? c.env.passwordFile);
      try {
        await withVault(c, { create: true }, async (v) => {
          await v.vault.init(pw);
          const p = await v.vault.kdfParams();
          info(`vault created at ${v.where} (Argon2id m=${String(p.memoryKiB / 1024)} MiB, t=${String(p.iterations)}, p=1)`);
        });
      } finally {
        pw.release();
      }
    });
}
