// The only reader of process.env (STYLE habit 7). Everything else receives configuration as a
// frozen object. Secrets never come from the environment: KEYWARD_PASSWORD_FILE names a file.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

// An empty variable counts as unset, as shells treat `VAR= cmd`.
const optional = z.string().optional().transform((v) => (v === '' ? undefined : v));

const cliEnvSchema = z.object({
  KEYWARD_HOME: optional.describe('Directory of the local vault (default: $XDG_DATA_HOME/keyward or ~/.local/share/keyward).'),
  KEYWARD_DB: optional.describe('Database URL instead of the SQLite file in the home directory: sqlite:PATH or postgres://...'),
  KEYWARD_PASSWORD_FILE: optional.describe('File holding the vault password, for unattended use.'),
  XDG_DATA_HOME: optional,
  WAYLAND_DISPLAY: optional,
  DISPLAY: optional,
  PATH: optional,
});

export interface CliEnvironment {
  readonly defaultHome: string;
  readonly home: string | undefined;
  readonly db: string | undefined;
  readonly passwordFile: string | undefined;
  readonly hasWayland: boolean;
  readonly hasX11: boolean;
  readonly path: readonly string[];
}

export function loadCliEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): CliEnvironment {
  const e = cliEnvSchema.parse(env);
  const dataHome = e.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return Object.freeze({
    defaultHome: resolve(dataHome, 'keyward'),
    home: e.KEYWARD_HOME === undefined ? undefined : resolve(e.KEYWARD_HOME),
    db: e.KEYWARD_DB,
    passwordFile: e.KEYWARD_PASSWORD_FILE,
    hasWayland: (e.WAYLAND_DISPLAY ?? '') !== '',
    hasX11: (e.DISPLAY ?? '') !== '',
    path: Object.freeze((e.PATH ?? '').split(':').filter((p) => p !== '')),
  });
}

/** The environment as it is, for the two commands that start other processes (agent, exec). */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
