// Where `keyward serve` keeps things: the database (SQLite by default, PostgreSQL for scale-out) and
// the key-encryption key (a key file by default, or a PKCS#11 token), opened from configuration
// specs. Shared by the server and by `keyward kek rotate`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeywardError } from '@keyward/protocol/errors';
import { SecureBuffer } from '../crypto/index.js';
import { openKeyFileKek, openPkcs11Kek, type KeyEncryptionKey } from '../kms/index.js';
import { openPostgresStore, openSqliteStore, type Store } from '../store/index.js';
import type { ServerConfig } from '../config/index.js';

export function readSecretFileDefault(path: string): SecureBuffer {
  const bytes = readFileSync(path);
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const out = SecureBuffer.from(bytes.subarray(0, end), { wipeSource: false });
  bytes.fill(0);
  return out;
}

export async function openStore(config: Pick<ServerConfig, 'db'>, dataDir: string, options: { create?: boolean } = {}): Promise<Store> {
  const db = config.db ?? `sqlite:${join(dataDir, 'keyward.db')}`;
  if (db.startsWith('sqlite:')) return openSqliteStore({ path: db.slice('sqlite:'.length), create: options.create ?? true });
  return openPostgresStore({ url: db });
}

export async function openKek(config: Pick<ServerConfig, 'kek'>, dataDir: string, readSecret: (p: string) => SecureBuffer, options: { create?: boolean } = {}): Promise<KeyEncryptionKey> {
  const spec = config.kek ?? `file:${join(dataDir, 'kek.key')}`;
  if (spec.startsWith('file:')) return openKeyFileKek({ path: spec.slice('file:'.length), create: options.create ?? true });
  const fields = Object.fromEntries(spec.slice('pkcs11:'.length).split(';').map((kv) => {
    const eq = kv.indexOf('=');
    return [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
  }));
  const { module, token, key } = fields as Record<string, string | undefined>;
  const pinFile = fields['pin-file'];
  if (module === undefined || token === undefined || key === undefined || pinFile === undefined) {
    throw new KeywardError('KW_CONFIG_INVALID', 'kek pkcs11: needs module=PATH;token=LABEL;key=LABEL;pin-file=PATH');
  }
  const pin = readSecret(pinFile);
  try {
    return await openPkcs11Kek({ module, tokenLabel: token, keyLabel: key, pin, create: options.create !== false && fields.create === 'true' });
  } finally {
    pin.release();
  }
}
