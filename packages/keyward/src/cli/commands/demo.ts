// keyward demo: a tour of the vault in a throwaway directory, for `npm start` on a fresh machine.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SecureBuffer, checkMemoryLocking, randomBytes } from '../../crypto/index.js';
import { openLocal } from '../../main/index.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('create a throwaway vault, store a credential, and show that the files give nothing away')
    .action(async () => {
      const home = mkdtempSync(join(tmpdir(), 'keyward-demo-'));
      const passwordFile = join(home, 'password');
      // A random demo password, kept in a 0600 file so you can try the CLI on this vault.
      writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
      const say = (s: string): boolean => process.stdout.write(`${s}\n`);
      say(`Keyward demo: a throwaway vault in ${home}\n`);
      const lock = checkMemoryLocking();
      say(`1. ${lock.summary}`);
      const ctx = await openLocal({ home, db: undefined }, { create: true });
      const password = SecureBuffer.from(readFileSync(passwordFile), { wipeSource: true });
      const secret = SecureBuffer.random(32);
      const secretHex = secret.reveal((b) => Buffer.from(b.toString('hex')));
      try {
        await ctx.vault.init(password);
        const kdf = await ctx.vault.kdfParams();
        say(`2. created the vault: Argon2id m=${String(kdf.memoryKiB / 1024)} MiB, t=${String(kdf.iterations)}, p=1 derives the key that wraps a random user key`);
        const { vault } = await ctx.vault.unlock(password);
        const s = await vault.add('demo-binance', 'binance', { apiKey: 'demo-api-key', secret: SecureBuffer.from(secretHex, { wipeSource: false }) });
        vault.lock();
        say(`3. stored "demo-binance" under its own data key; fingerprint ${s.fingerprint}`);
        await ctx.close();
        const files = readdirSync(home).filter((f) => f !== 'password');
        const found = files.some((f) => {
          const bytes = readFileSync(join(home, f));
          return [secretHex, Buffer.from(secretHex.toString('base64'))].some((needle) => bytes.includes(needle));
        });
        say(`4. searched ${files.join(', ')} for the secret as text and base64: ${found ? 'FOUND (a bug: please report it)' : 'not found'}`);
      } finally {
        secretHex.fill(0);
        secret.release();
        password.release();
      }
      say(`\nTry it:\n  keyward --home ${home} --password-file ${passwordFile} credential list`);
      say(`  keyward --home ${home} --password-file ${passwordFile} credential show demo-binance`);
      say('  (from a checkout: node packages/keyward/dist/cli/main.js instead of keyward)');
    });
}
