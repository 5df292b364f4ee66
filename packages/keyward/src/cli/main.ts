#!/usr/bin/env node
// The keyward binary: argv -> a command. Commands that need a secret get it from the terminal,
// stdin or a file (see secret-input.ts), never from argv or the environment.
import { Command, CommanderError } from 'commander';
import { loadCliEnvironment, processEnv } from '../config/index.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { printError } from './output.js';
import { registerInit } from './commands/init.js';
import { registerCredential } from './commands/credential.js';
import { registerPasswd } from './commands/passwd.js';
import { registerBackup } from './commands/backup.js';
import { registerCopy, thisCliPath } from './commands/copy.js';
import { registerDemo } from './commands/demo.js';
import { registerSign } from './commands/sign.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerToken } from './commands/token.js';
import { registerAgent } from './commands/agent.js';
import { registerExec } from './commands/exec.js';
import { registerAudit } from './commands/audit.js';
import { registerServe } from './commands/serve.js';
import { registerKek } from './commands/kek.js';

const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('keyward')
    .version(VERSION)
    .description('Keep exchange API keys in a vault; let bots trade through a signing gateway without holding them.')
    .option('--home <dir>', 'the vault directory (default: $KEYWARD_HOME, else ~/.local/share/keyward)')
    .option('--db <url>', 'sqlite:PATH or postgres://... instead of the SQLite file in the home (also KEYWARD_DB)')
    .option('--password-file <file>', 'read the vault password from a file (also KEYWARD_PASSWORD_FILE)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  const ctx = (): CommandContext => ({ env: loadCliEnvironment(), globals: program.opts<GlobalOptions>() });
  registerInit(program, ctx);
  registerCredential(program, ctx);
  registerPasswd(program, ctx);
  registerBackup(program, ctx);
  registerCopy(program, ctx, thisCliPath());
  registerDemo(program);
  registerSign(program);
  registerSandbox(program);
  registerToken(program, ctx);
  registerAgent(program, ctx, processEnv());
  registerExec(program, processEnv());
  registerAudit(program, ctx);
  registerServe(program, ctx, processEnv());
  registerKek(program, ctx, processEnv());
  for (const c of program.commands) applyExitOverride(c);
  return program;
}

function applyExitOverride(c: Command): void {
  c.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  for (const sub of c.commands) applyExitOverride(sub);
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 after printing.
      if (e.exitCode === 0) return 0;
      process.stderr.write(`keyward: error: ${e.message.replace(/^error: /, '')}\n`);
      process.stderr.write('keyward: hint: see `keyward --help`\n');
      return 2;
    }
    return printError(e);
  }
}

process.exitCode = await run(process.argv);
