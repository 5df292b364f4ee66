// keyward backup export FILE | backup import FILE
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Command } from 'commander';
import { KeywardError, isKeywardError } from '@keyward/protocol/errors';
import { exportBackup, mergeBackup, openBackup, parseBackup, restoreBackup, LOCAL_ACCOUNT_NAME, type OpenedBackup, type ParsedBackup } from '../../main/index.js';
import type { SecureBuffer } from '../../crypto/index.js';
import { type CommandContext, currentPassword, withVault } from '../context.js';
import { info } from '../output.js';
import { hasTerminal, promptSecret, readSecretFile } from '../secret-input.js';

/** Write to a temporary file, fsync, rename: a crash leaves the old file or the new one. */
function writeFileAtomic(path: string, data: Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${String(process.pid)}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readBackupFile(path: string): ParsedBackup {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new KeywardError('KW_INPUT_INVALID', `Cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  return parseBackup(bytes);
}

export function registerBackup(program: Command, ctx: () => CommandContext): void {
  const backup = program.command('backup').description('encrypted, versioned backups of the vault');

  backup.command('export')
    .description('write an encrypted backup (opened by the vault password at the time of export)')
    .argument('<file>')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, o: { force?: boolean }) => {
      const c = ctx();
      if (existsSync(file) && o.force !== true) {
        throw new KeywardError('KW_INPUT_INVALID', `${file} already exists.`, { hint: 'pass --force to overwrite it' });
      }
      await withVault(c, { create: false }, async (v) => {
        const pw = await currentPassword(c);
        const { vault } = await v.vault.unlock(pw).finally(() => pw.release());
        try {
          const data = await exportBackup(vault, v.store, Date.now());
          writeFileAtomic(file, data);
          info(`backup written to ${file} (${String((await v.vault.list()).length)} credentials)`);
        } finally {
          vault.lock();
        }
      });
    });

  backup.command('import')
    .description('restore a backup into an empty home, or merge it into this vault; refuses a tampered file')
    .argument('<file>')
    .option('--backup-password-file <file>', 'the backup\'s password, when it differs from this vault\'s')
    .action(async (file: string, o: { backupPasswordFile?: string }) => {
      const c = ctx();
      const parsed = readBackupFile(file);
      const openWith = async (first: SecureBuffer | null): Promise<OpenedBackup> => {
        if (first !== null) {
          try {
            return openBackup(parsed, first);
          } catch (e) {
            if (!(isKeywardError(e) && e.code === 'KW_VAULT_WRONG_PASSWORD')) throw e;
          }
        }
        if (o.backupPasswordFile === undefined && !hasTerminal()) {
          throw new KeywardError('KW_VAULT_WRONG_PASSWORD', 'The vault password does not open this backup.', {
            hint: 'if the backup has another password, pass --backup-password-file FILE',
          });
        }
        const pw = o.backupPasswordFile !== undefined ? readSecretFile(o.backupPasswordFile, 'backup password') : await promptSecret('Backup password: ');
        try {
          return openBackup(parsed, pw);
        } finally {
          pw.release();
        }
      };
      await withVault(c, { create: true }, async (v) => {
        if (!(await v.vault.exists())) {
          const pw = o.backupPasswordFile !== undefined
            ? readSecretFile(o.backupPasswordFile, 'backup password')
            : await currentPassword(c, 'Backup password: ');
          const opened = (() => {
            try {
              return openBackup(parsed, pw);
            } finally {
              pw.release();
            }
          })();
          try {
            const n = await restoreBackup(v.store, parsed, opened, LOCAL_ACCOUNT_NAME, Date.now());
            info(`restored ${String(n)} credentials into ${v.where}; the password is the backup's`);
          } finally {
            opened.userKey.release();
          }
          return;
        }
        const pw = await currentPassword(c);
        let opened: OpenedBackup | undefined;
        const { vault } = await v.vault.unlock(pw).catch((e: unknown) => {
          pw.release();
          throw e;
        });
        try {
          // Most backups come from this same vault: try its password before asking for another.
          opened = await openWith(o.backupPasswordFile === undefined ? pw : null).finally(() => pw.release());
          const n = await mergeBackup(v.store, vault, opened, parsed.account.id, Date.now());
          info(`imported ${String(n)} credentials into ${v.where}`);
        } finally {
          opened?.userKey.release();
          vault.lock();
        }
      });
    });
}
