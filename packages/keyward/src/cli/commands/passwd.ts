import type { Command } from 'commander';
import { type CommandContext, currentPassword, newPassword, withVault } from '../context.js';
import { info } from '../output.js';

export function registerPasswd(program: Command, ctx: () => CommandContext): void {
  program
    .command('passwd')
    .description('change the vault password; rewraps only the user key, no credential is touched')
    .option('--new-password-file <file>', 'read the new password from a file instead of the terminal')
    .action(async (o: { newPasswordFile?: string }) => {
      const c = ctx();
      await withVault(c, { create: false }, async (v) => {
        const pw = await currentPassword(c, 'Current vault password: ');
        const { vault } = await v.vault.unlock(pw).finally(() => pw.release());
        try {
          const next = await newPassword(o.newPasswordFile);
          try {
            await vault.changePassword(next);
          } finally {
            next.release();
          }
        } finally {
          vault.lock();
        }
        info('password changed');
      });
    });
}
