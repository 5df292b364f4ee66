// keyward kek rotate: rewraps everything the server's key-encryption key wraps under a new one
// (delegated credentials' data keys, token-bound shares, the server secret) in one transaction.
// Stop the server first; start it again with the new --kek.
import type { Command } from 'commander';
import { loadServerConfig } from '../../config/index.js';
import { rotateKek } from '../../main/index.js';
import { defaultServerDataDir, type CommandContext } from '../context.js';
import { info } from '../output.js';

interface RotateOptions { config?: string; db?: string; dataDir?: string; from?: string; to: string }

export function registerKek(program: Command, ctx: () => CommandContext, env: NodeJS.ProcessEnv): void {
  const kek = program.command('kek').description("the multi-user server's key-encryption key");
  kek.command('rotate')
    .description('rewrap every KEK-wrapped key under a new KEK (stop `keyward serve` first); ciphertexts do not change')
    .requiredOption('--to <spec>', 'the new KEK: file:PATH (created if missing) or pkcs11:module=...;token=...;key=...;pin-file=...[;create=true]')
    .option('--from <spec>', "the current KEK (default: the server's configured or default one)")
    .option('--config <file>', "the server's configuration file")
    .option('--db <url>', 'sqlite:PATH or postgres://... (default: SQLite in the data directory)')
    .option('--data-dir <dir>', "the server's data directory")
    .action(async (o: RotateOptions) => {
      const config = loadServerConfig({
        ...(o.config === undefined ? {} : { file: o.config }), env,
        flags: { db: o.db, dataDir: o.dataDir, kek: o.from },
      });
      const report = await rotateKek(config, { defaultDataDir: defaultServerDataDir(ctx()), to: o.to });
      info(`Rewrapped ${String(report.credentials)} delegated key(s), ${String(report.tokenBindings)} token binding(s)${report.serverSecret ? ' and the server secret' : ''} under ${report.to}.`);
      info(`Start the server with --kek ${o.to.split(';pin-file=')[0] ?? o.to}${o.to.includes(';pin-file=') ? ';pin-file=…' : ''}.`);
    });
}
