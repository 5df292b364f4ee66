// keyward copy NAME [--field secret|passphrase|api-key] [--clear-after SECONDS]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../../crypto/index.js';
import { type CommandContext, currentPassword, withVault } from '../context.js';
import { clearIfUnchanged, clipboardVerifier, copyToClipboard, findClipboardTool, scheduleClear, toolByName } from '../clipboard.js';
import { info } from '../output.js';
import { checkName } from './credential.js';

const FIELDS = ['secret', 'passphrase', 'api-key'] as const;

export function registerCopy(program: Command, ctx: () => CommandContext, cliPath: string): void {
  program
    .command('copy')
    .description('copy a credential part to the clipboard; cleared after 10 s unless it changed')
    .argument('<name>')
    .option('--field <field>', `${FIELDS.join(' | ')}`, 'secret')
    .option('--clear-after <seconds>', 'seconds before the clipboard is cleared (0 = never)', '10')
    .action(async (name: string, o: { field: string; clearAfter: string }) => {
      const c = ctx();
      checkName(name);
      if (!(FIELDS as readonly string[]).includes(o.field)) throw new KeywardError('KW_INPUT_INVALID', `--field must be one of ${FIELDS.join(', ')}.`);
      const seconds = Number(o.clearAfter);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) throw new KeywardError('KW_INPUT_INVALID', '--clear-after must be a whole number of seconds (0 to 86400).');
      const tool = findClipboardTool(c.env);
      await withVault(c, { create: false }, async (v) => {
        const pw = await currentPassword(c);
        const { vault } = await v.vault.unlock(pw).finally(() => pw.release());
        const secrets = await vault.open(name).finally(() => vault.lock());
        try {
          const part = o.field === 'api-key'
            ? SecureBuffer.from(Buffer.from(secrets.apiKey, 'utf8'), { wipeSource: true })
            : (o.field === 'passphrase' ? secrets.passphrase : secrets.secret)?.clone();
          if (part === undefined) throw new KeywardError('KW_INPUT_INVALID', `${name} has no ${o.field}.`);
          try {
            await copyToClipboard(tool, part);
            if (seconds > 0) scheduleClear(cliPath, tool, seconds, clipboardVerifier(part));
          } finally {
            part.release();
          }
          info(`copied the ${o.field} of ${name} to the clipboard${seconds > 0 ? `; it will be cleared in ${String(seconds)} s` : ''}`);
        } finally {
          secrets.release();
        }
      });
    });

  program
    .command('__clipboard-clear', { hidden: true })
    .requiredOption('--tool <name>')
    .requiredOption('--after <seconds>')
    .action(async (o: { tool: string; after: string }) => {
      const tool = toolByName(o.tool);
      const verifier = readFileSync(0);
      if (tool !== undefined) await clearIfUnchanged(tool, Number(o.after), verifier);
      verifier.fill(0);
    });
}

export const thisCliPath = (): string => fileURLToPath(new URL('../main.js', import.meta.url));
