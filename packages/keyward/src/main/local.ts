// Composition root for the single-person vault (the CLI's credential commands, later the agent):
// where the vault lives -> a store -> the vault service.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KDF_DEFAULTS } from '@keyward/protocol/key-hierarchy';
import { KeywardError } from '@keyward/protocol/errors';
import { openPostgresStore, openSqliteStore, type Store } from '../store/index.js';
import { createLocalVault, type LocalVault } from '../vault/index.js';

export interface LocalLocation {
  /** The vault's home directory (also where later issues keep audit checkpoints). */
  readonly home: string;
  /** A database URL, or undefined for the SQLite file in `home`. */
  readonly db: string | undefined;
}

export interface LocalContext {
  readonly store: Store;
  readonly vault: LocalVault;
  /** Human-readable place of the vault: a file path or a database URL without credentials. */
  readonly where: string;
  close(): Promise<void>;
}

export function sqlitePathOf(location: LocalLocation): string | null {
  if (location.db === undefined) return join(location.home, 'vault.db');
  if (location.db.startsWith('sqlite:')) return location.db.slice('sqlite:'.length);
  return null;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the configured database';
  }
}

export async function openLocal(location: LocalLocation, options: { create: boolean }): Promise<LocalContext> {
  let store: Store;
  let where: string;
  const sqlitePath = sqlitePathOf(location);
  if (sqlitePath !== null) {
    if (!options.create && !existsSync(sqlitePath)) {
      const dir = location.db === undefined ? location.home : sqlitePath;
      const detail = location.db === undefined && !(existsSync(location.home) && statSync(location.home).isDirectory())
        ? `There is no vault: the directory ${dir} does not exist.`
        : `There is no vault at ${sqlitePath}.`;
      throw new KeywardError('KW_VAULT_NOT_FOUND', detail);
    }
    store = await openSqliteStore({ path: sqlitePath, create: options.create });
    where = sqlitePath;
  } else if (location.db !== undefined && /^postgres(ql)?:\/\//.test(location.db)) {
    store = await openPostgresStore({ url: location.db });
    where = redactUrl(location.db);
  } else {
    throw new KeywardError('KW_INPUT_INVALID', 'The database must be sqlite:PATH or postgres://...');
  }
  const vault = createLocalVault({ store, kdfDefaults: KDF_DEFAULTS, now: () => Date.now() });
  return { store, vault, where, close: () => store.close() };
}
