// `keyward kek rotate`: opens the server's store and both KEKs, rewraps, closes everything.
import type { ServerConfig } from '../config/index.js';
import { rotateServerKek, type KekRotationReport } from '../vault/index.js';
import { openKek, openStore, readSecretFileDefault } from './server-storage.js';

export async function rotateKek(config: ServerConfig, options: { defaultDataDir: string; to: string }): Promise<KekRotationReport & { to: string }> {
  const dataDir = config.dataDir ?? options.defaultDataDir;
  // Nothing is created here: a wrong --db or --from must fail, not start an empty server.
  const store = await openStore(config, dataDir, { create: false });
  try {
    const from = await openKek(config, dataDir, readSecretFileDefault, { create: false });
    try {
      const to = await openKek({ kek: options.to }, dataDir, readSecretFileDefault);
      try {
        return { ...await rotateServerKek(store, from, to), to: to.id };
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  } finally {
    await store.close();
  }
}
