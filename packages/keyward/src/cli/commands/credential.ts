// keyward credential add | list | show | rotate | remove
import type { Command } from 'commander';
import { KeywardError } from '@keyward/protocol/errors';
import { EXCHANGES, findExchange, type ExchangeInfo } from '@keyward/protocol/exchange-ids';
import type { SecureBuffer } from '../../crypto/index.js';
import type { CredentialInput, CredentialSummary } from '../../main/index.js';
import { type CommandContext, currentPassword, withVault } from '../context.js';
import { info, isoMinute, printJson, table } from '../output.js';
import { hasTerminal, promptSecret, readSecretFile, readSecretStdin } from '../secret-input.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const API_KEY = /^[\x21-\x7e]{1,512}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new KeywardError('KW_INPUT_INVALID', `Invalid credential name "${name.slice(0, 80)}": use letters, digits, '.', '_' and '-' (at most 64).`);
  }
  return name;
}

function checkApiKey(key: string): string {
  if (!API_KEY.test(key)) throw new KeywardError('KW_INPUT_INVALID', 'The API key must be 1 to 512 printable characters without spaces.');
  return key;
}

export function exchangeOf(id: string): ExchangeInfo {
  const ex = findExchange(id);
  if (ex === undefined) {
    throw new KeywardError('KW_EXCHANGE_UNKNOWN', `Unknown exchange "${id.slice(0, 40)}".`, {
      hint: `known exchanges: ${EXCHANGES.map((e) => e.id).join(', ')}`,
    });
  }
  return ex;
}

interface SecretOptions {
  secretStdin?: boolean;
  passphraseFile?: string;
  privateKeyFile?: string;
}

function describeForms(ex: ExchangeInfo): string {
  const words: Record<string, string> = { secret: 'a secret', passphrase: 'a passphrase', privateKey: 'a private key (--private-key-file)' };
  return ex.secretForms.map((form) => form.map((f) => words[f]).join(' and ')).join(', or ');
}

/** Collects the secret parts the exchange needs, from stdin, files or the terminal. */
async function readSecrets(ex: ExchangeInfo, name: string, o: SecretOptions): Promise<Omit<CredentialInput, 'apiKey'>> {
  const got: { secret?: SecureBuffer; passphrase?: SecureBuffer; privateKey?: SecureBuffer } = {};
  const release = (): void => { got.secret?.release(); got.passphrase?.release(); got.privateKey?.release(); };
  try {
    if (o.privateKeyFile !== undefined) got.privateKey = readSecretFile(o.privateKeyFile, 'private key');
    if (o.secretStdin === true) got.secret = readSecretStdin('secret');
    if (o.passphraseFile !== undefined) got.passphrase = readSecretFile(o.passphraseFile, 'passphrase');
    const form = got.privateKey !== undefined
      ? ex.secretForms.find((f) => f.includes('privateKey'))
      : ex.secretForms.find((f) => f.includes('secret')) ?? ex.secretForms[0];
    if (form === undefined) {
      throw new KeywardError('KW_INPUT_INVALID', `${ex.name} credentials take ${describeForms(ex)}.`);
    }
    for (const part of form) {
      if (got[part] !== undefined) continue;
      // A PEM key spans lines, so it cannot be typed at a prompt: it must come from a file.
      const how = part === 'secret' ? '--secret-stdin' : part === 'passphrase' ? '--passphrase-file FILE' : '--private-key-file FILE';
      if (part === 'privateKey' || !hasTerminal()) {
        const what = part === 'privateKey' ? 'a private key' : `a ${part}`;
        throw new KeywardError('KW_SECRET_MISSING', `${ex.name} credentials need ${what}${part === 'privateKey' ? '' : ', and there is no terminal to ask for it'}.`, { hint: `pass ${how}` });
      }
      got[part] = await promptSecret(part === 'secret' ? `Secret for ${name}: ` : `Passphrase for ${name}: `);
    }
    const extra = (['secret', 'passphrase', 'privateKey'] as const).filter((p) => got[p] !== undefined && !form.includes(p));
    if (extra.length > 0) throw new KeywardError('KW_INPUT_INVALID', `${ex.name} credentials take ${describeForms(ex)}; drop the ${extra.join(' and ')}.`);
    for (const part of form) {
      if ((got[part]?.length ?? 0) === 0) throw new KeywardError('KW_SECRET_MISSING', `The ${part === 'privateKey' ? 'private key' : part} is empty.`);
    }
    return got;
  } catch (e) {
    release();
    throw e;
  }
}

function releaseInput(input: Omit<CredentialInput, 'apiKey'>): void {
  input.secret?.release();
  input.passphrase?.release();
  input.privateKey?.release();
}

const ACCESS: Record<CredentialSummary['custody'], string> = {
  sealed: 'only your password opens it, while the vault is unlocked',
  'token-bound': 'a bot token together with the server, neither alone',
  delegated: 'you, and the server key (HSM) for automation, until you withdraw it',
};

function asJson(s: CredentialSummary): Record<string, unknown> {
  return {
    name: s.name, exchange: s.exchange, custody: s.custody, access: ACCESS[s.custody], fingerprint: s.fingerprint,
    createdAt: new Date(s.createdAt).toISOString(), rotatedAt: s.rotatedAt === null ? null : new Date(s.rotatedAt).toISOString(),
  };
}

export function registerCredential(program: Command, ctx: () => CommandContext): void {
  const cred = program.command('credential').description('store and manage exchange credentials');

  cred.command('add')
    .description('store a credential; the secret comes from the terminal (no echo) or stdin, never argv')
    .argument('<name>', 'a name for it, e.g. binance-main')
    .requiredOption('--exchange <id>', `one of: ${EXCHANGES.map((e) => e.id).join(', ')}`)
    .requiredOption('--api-key <key>', 'the API key (an identifier, not the secret)')
    .option('--secret-stdin', 'read the secret from standard input')
    .option('--passphrase-file <file>', 'read the API passphrase (OKX, KuCoin, Coinbase Exchange) from a file')
    .option('--private-key-file <file>', 'read a PEM or raw private key (Coinbase CDP, Binance Ed25519) from a file')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: SecretOptions & { exchange: string; apiKey: string; json?: boolean }) => {
      const c = ctx();
      checkName(name);
      const ex = exchangeOf(o.exchange);
      const apiKey = checkApiKey(o.apiKey);
      await withVault(c, { create: false }, async (v) => {
        if ((await v.vault.list()).some((s) => s.name === name)) {
          throw new KeywardError('KW_CREDENTIAL_EXISTS', `A credential named "${name}" already exists.`);
        }
        const secrets = await readSecrets(ex, name, o);
        try {
          const pw = await currentPassword(c);
          const { vault } = await v.vault.unlock(pw).finally(() => pw.release());
          try {
            const s = await vault.add(name, ex.id, { apiKey, ...secrets });
            if (o.json === true) printJson(asJson(s));
            else info(`stored ${s.name} (${ex.name}), fingerprint ${s.fingerprint}`);
          } finally {
            vault.lock();
          }
        } finally {
          releaseInput(secrets);
        }
      });
    });

  cred.command('list')
    .description('names, exchanges, custody and fingerprints; never a secret')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withVault(ctx(), { create: false }, async (v) => {
        const list = await v.vault.list();
        if (o.json === true) return printJson(list.map(asJson));
        if (list.length === 0) return info('no credentials yet; add one with `keyward credential add`');
        process.stdout.write(table(
          ['NAME', 'EXCHANGE', 'CUSTODY', 'FINGERPRINT', 'CREATED', 'ROTATED'],
          list.map((s) => [s.name, s.exchange, s.custody, s.fingerprint, isoMinute(s.createdAt), isoMinute(s.rotatedAt)]),
        ));
      });
    });

  cred.command('show')
    .description('one credential\'s details; never a secret')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      await withVault(ctx(), { create: false }, async (v) => {
        const s = asJson(await v.vault.show(checkName(name)));
        if (o.json === true) return printJson(s);
        const width = Math.max(...Object.keys(s).map((k) => k.length));
        process.stdout.write(Object.entries(s).map(([k, val]) => `${k.padEnd(width)}  ${val === null ? '-' : String(val)}`).join('\n') + '\n');
      });
    });

  cred.command('rotate')
    .description('replace a credential\'s key and secret (after rotating it on the exchange)')
    .argument('<name>')
    .requiredOption('--api-key <key>', 'the new API key')
    .option('--secret-stdin', 'read the new secret from standard input')
    .option('--passphrase-file <file>', 'read the new passphrase from a file')
    .option('--private-key-file <file>', 'read the new private key from a file')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: SecretOptions & { apiKey: string; json?: boolean }) => {
      const c = ctx();
      checkName(name);
      const apiKey = checkApiKey(o.apiKey);
      await withVault(c, { create: false }, async (v) => {
        const current = await v.vault.show(name);
        const secrets = await readSecrets(exchangeOf(current.exchange), name, o);
        try {
          const pw = await currentPassword(c);
          const { vault } = await v.vault.unlock(pw).finally(() => pw.release());
          try {
            const s = await vault.rotate(name, { apiKey, ...secrets });
            if (o.json === true) printJson(asJson(s));
            else info(`rotated ${s.name}, new fingerprint ${s.fingerprint}`);
          } finally {
            vault.lock();
          }
        } finally {
          releaseInput(secrets);
        }
      });
    });

  cred.command('remove')
    .description('delete a credential from the vault (revoke the key on the exchange too)')
    .argument('<name>')
    .action(async (name: string) => {
      await withVault(ctx(), { create: false }, async (v) => {
        await v.vault.remove(checkName(name));
        info(`removed ${name}; also delete the key on the exchange if it may have leaked`);
      });
    });
}
