// keyward exec --token-file FILE -- COMMAND [ARGS...]: runs a bot with its token and the gateway's
// base URLs in its environment. The bot never sees a key or secret, only the token.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { isTokenShaped } from '@keyward/protocol/token-format';
import { EXCHANGES } from '@keyward/protocol/exchange-ids';

export function gatewayEnvironment(token: string, gateway: string): Record<string, string> {
  const env: Record<string, string> = { KEYWARD_TOKEN: token, KEYWARD_GATEWAY: gateway };
  for (const e of EXCHANGES) env[`KEYWARD_${e.id.toUpperCase().replace(/-/g, '_')}_URL`] = `${gateway}/${e.id}`;
  return env;
}

export function registerExec(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('exec')
    .description('run a program with a token and the gateway base URLs in its environment (KEYWARD_TOKEN, KEYWARD_BINANCE_URL, ...)')
    .requiredOption('--token-file <file>', 'the token, as written by `keyward token create --token-file`')
    .option('--gateway <url>', 'the agent\'s URL', 'http://127.0.0.1:8787')
    .argument('<command>')
    .argument('[args...]')
    .action(async (command: string, args: string[], o: { tokenFile: string; gateway: string }) => {
      let token: string;
      try {
        token = readFileSync(o.tokenFile, 'utf8').trim();
      } catch (e) {
        throw new KeywardError('KW_INPUT_INVALID', `Cannot read ${o.tokenFile} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
      if (!isTokenShaped(token)) throw new KeywardError('KW_TOKEN_INVALID', `${o.tokenFile} does not hold a Keyward token.`);
      // The bot gets no hint of the vault: not where it is, not how to unlock it.
      const hidden = new Set(['KEYWARD_PASSWORD_FILE', 'KEYWARD_HOME', 'KEYWARD_DB']);
      const childEnv: NodeJS.ProcessEnv = {
        ...Object.fromEntries(Object.entries(env).filter(([k]) => !hidden.has(k))),
        ...gatewayEnvironment(token, o.gateway.replace(/\/$/, '')),
      };
      const child = spawn(command, args, { stdio: 'inherit', env: childEnv });
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
      process.exitCode = await new Promise<number>((resolve, reject) => {
        child.on('error', (e) => reject(new KeywardError('KW_INPUT_INVALID', `Cannot run ${command} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`)));
        child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
      });
    });
}
